import type { AppliedStep, Ledger } from '../ledger/ledger';
import type { AnyAction, Plan, Target } from '../model/action';
import { errorSummary, settle, type Settled } from './settle';

/** A playbook step as the runner takes it: its action, its parsed params, the steps whose writes it waits for. */
export interface PreparedStep {
  readonly index: number;
  readonly action: AnyAction;
  readonly params: unknown;
  readonly after: readonly string[];
}

/**
 * What the incident lease carries before anything is read: each step's intent as planned on the finding's own view of
 * the resource, and their confirmations, signed in the same first round trip (by `<index>#<action>`).
 */
export interface LeaseIntents {
  readonly planned: readonly AppliedStep[];
  readonly presigned: ReadonlyMap<string, Promise<void>>;
}

/** What earlier deliveries left for one step. */
export interface EarlierRecords {
  /** Applied and confirmed (and not released): the step is done. */
  readonly applied?: AppliedStep;
  /** Recorded and never confirmed: its pre-state is the one before Firebreak's first attempt, so it is kept. */
  readonly pending?: AppliedStep;
  /** Only planned on a crashed holder's lease: it may never have been written, and its pre-state is a guess. */
  readonly tentative?: AppliedStep;
}

/** The ledger cannot record a write as Firebreak's (its key is unavailable): the write is not made. */
export class LedgerUnavailableError extends Error {
  override readonly name = 'LedgerUnavailableError';
}

export const sameStep = (a: { index: number; action: string }, b: { index: number; action: string }) =>
  a.index === b.index && a.action === b.action;

const presignKey = (entry: AppliedStep) => `${entry.index}#${entry.action}`;

/**
 * The intents the lease carries, planned on the finding's own view of the resource (`assumed`), and their
 * confirmations signed at once: a write on the lease's intent then needs no KMS call of its own, and does not go out
 * when records cannot be signed.
 */
export function leaseIntents(
  steps: readonly PreparedStep[],
  assumed: Target,
  planTime: Date,
  ledger: Ledger | undefined,
  incidentId: string,
): LeaseIntents {
  const planned = steps.flatMap((step) => plannedIntent(step, assumed, planTime));
  const presigned = new Map<string, Promise<void>>();
  for (const entry of planned) {
    const signing = ledger?.presignApplied?.(incidentId, entry);
    if (signing) {
      signing.catch(() => undefined);
      presigned.set(presignKey(entry), signing);
    }
  }
  return { planned, presigned };
}

/**
 * The step's write as planned on the finding's own view of the resource, nothing contained yet; none if none, or if
 * the plan only says what it will read (a pre-state in words, such as "read from AWS at run time": no real pre-state
 * is ever that, so the intent could never take the fast path and would only be one more record to sign and clear).
 */
function plannedIntent(step: PreparedStep, assumed: Target, planTime: Date): AppliedStep[] {
  try {
    if (!step.action.appliesTo(assumed.finding.subject)) return [];
    const state: unknown = step.action.assume(assumed, step.params);
    const plan = step.action.plan(assumed, state, step.params, planTime) as Plan<unknown>;
    if (plan.kind !== 'write' || typeof plan.replaced === 'string') return [];
    const { summary, write, replaced } = plan;
    return [{ index: step.index, action: step.action.id, summary, write, replaced, appliedAt: planTime.toISOString() }];
  } catch {
    return [];
  }
}

/**
 * The write-ahead journal of one enforcing run in the incident ledger: the pre-state of every write is recorded
 * before the write (on the lease, as planned, or as the step's own intent), and the write confirmed after it.
 */
export class Journal {
  /** Set when a write may have taken and is not recorded step by step: the lease, which carries its intent, is kept. */
  unrecorded = false;
  /** Step records of earlier deliveries (applied, released, unconfirmed) and a crashed holder's planned intents. */
  private readonly earlier: readonly AppliedStep[];
  /** The steps with a record of their own in the ledger (an earlier one, or one this run wrote): by presignKey. */
  private readonly onRecord: Set<string>;

  /**
   * `recorded`: the incident's step records this run trusts; `takenOver`: the planned intents of the lease this run
   * took over from a crashed holder. The incident read went out with this run's own lease write and may already show
   * this run's own planned intents: those are not an earlier delivery's.
   */
  constructor(
    private readonly ledger: Ledger,
    private readonly incidentId: string,
    private readonly owner: string,
    private readonly intents: LeaseIntents,
    recorded: readonly AppliedStep[],
    takenOver: readonly AppliedStep[],
  ) {
    const others = recorded.filter((step) => step.plannedBy !== owner);
    this.earlier = [...others, ...takenOver.filter((entry) => !others.some((step) => sameStep(step, entry)))];
    this.onRecord = new Set(others.filter((step) => !step.tentative).map(presignKey));
  }

  /** The intents this run put on its incident lease, before reading. */
  get planned(): readonly AppliedStep[] {
    return this.intents.planned;
  }

  /**
   * A planned intent on the lease whose step has no record of its own (it wrote nothing: no-op, skipped, failed
   * before writing). Only such an intent would make a later crash look like an unconfirmed write: a record of the
   * step hides the lease's intent from every later reader.
   */
  get plannedWithoutRecord(): boolean {
    return this.planned.some((entry) => !this.onRecord.has(presignKey(entry)));
  }

  earlierRecords(index: number, action: string): EarlierRecords {
    const earlier = this.earlier.filter((entry) => sameStep(entry, { index, action }));
    const applied = earlier.find((entry) => !entry.unconfirmed && !entry.releasedAt);
    const pending = earlier.find((entry) => entry.unconfirmed && !entry.tentative);
    const tentative = pending ? undefined : earlier.find((entry) => entry.tentative);
    return { ...(applied ? { applied } : {}), ...(pending ? { pending } : {}), ...(tentative ? { tentative } : {}) };
  }

  /** A read-only step's finding, kept so release can restore it: confirmed at once, there is no write. */
  recordRead(entry: AppliedStep): Promise<void> {
    return this.noteRecord(entry, this.ledger.recordApplied(this.incidentId, entry, this.owner));
  }

  /** An earlier invocation wrote this and failed before confirming: confirmed now, with its original pre-state. */
  confirmPending(pending: AppliedStep): Promise<void> {
    return this.noteRecord(pending, this.ledger.recordApplied(this.incidentId, pending, this.owner));
  }

  /**
   * Done, but by whom? The crashed holder may have written it, or a human: kept as unconfirmed, never confirmed as
   * Firebreak's, so release leaves it to a human instead of undoing someone else's work.
   */
  keepUnconfirmed(tentative: AppliedStep): Promise<void> {
    return this.noteRecord(tentative, this.ledger.recordIntent(this.incidentId, tentative, this.owner));
  }

  /**
   * The fast path: the lease already holds this intent with the real pre-state `realPreState`, so the write goes out
   * at once. Only for a step no earlier delivery left a record of (`fresh`).
   */
  leasedIntent(intent: AppliedStep, realPreState: unknown, fresh: boolean): AppliedStep | undefined {
    const real = JSON.stringify(realPreState);
    const onLease =
      fresh && this.planned.some((entry) => sameStep(entry, intent) && JSON.stringify(entry.replaced) === real);
    return onLease ? this.planned.find((entry) => sameStep(entry, intent)) : undefined;
  }

  /**
   * Before the write, alongside what it waits for (`waitFor`): its intent recorded, or for a write on the lease's
   * intent (`leased`), the confirmation signed in the first round trip. A write whose record release could never trust
   * is not made (fail closed when the ledger key is unavailable). Throws when the write must not go out.
   */
  async beforeWrite(intent: AppliedStep, leased: AppliedStep | undefined, waitFor: Promise<unknown>): Promise<void> {
    const [, recorded, signable] = await Promise.all([
      waitFor,
      leased
        ? undefined
        : settle(this.noteRecord(intent, this.ledger.recordIntent(this.incidentId, intent, this.owner))),
      leased ? settle(this.intents.presigned.get(presignKey(leased)) ?? Promise.resolve()) : undefined,
    ]);
    if (recorded && !recorded.ok) throw recorded.error;
    if (signable && !signable.ok)
      throw new LedgerUnavailableError(
        `the ledger record of this write could not be signed, so nothing was written: ${errorSummary(signable.error).message}`,
        { cause: signable.error },
      );
  }

  /**
   * Its confirmation's MAC is made while the write is in flight, unless the lease's intent (`leased`), signed in the
   * first round trip, already is that confirmation: a write on the lease whose real plan says more than the one made
   * before reading (the role read from IAM) is signed now.
   */
  presignConfirmation(confirmation: AppliedStep, leased: AppliedStep | undefined): void {
    const content = (entry: AppliedStep) =>
      JSON.stringify([entry.summary, entry.write ?? null, entry.replaced ?? null]);
    if (leased && content(leased) === content(confirmation)) return;
    this.ledger.presignApplied?.(this.incidentId, confirmation)?.catch(() => undefined);
  }

  /**
   * A write on the lease's intent failed, yet may have taken (a timeout after it did): its intent is recorded step by
   * step, as a slow write's would have been; if that fails too, the lease (which carries the intent) is kept.
   */
  async writeFailed(intent: AppliedStep): Promise<void> {
    await this.noteRecord(intent, this.ledger.recordIntent(this.incidentId, intent, this.owner)).catch(
      () => (this.unrecorded = true),
    );
  }

  /** The write took: its confirmation, with what was written and when it went out. */
  confirm(confirmation: AppliedStep): Promise<Settled<void>> {
    return settle(this.noteRecord(confirmation, this.ledger.recordApplied(this.incidentId, confirmation, this.owner)));
  }

  /**
   * The confirmation failed, but the write took, so the ledger must say so: once more, then as an intent that names
   * this write (`named`). Throws `error` (the first failure's) unless the second confirmation lands.
   */
  async confirmAgain(confirmation: AppliedStep, named: AppliedStep, leased: boolean, error: unknown): Promise<void> {
    const again = await this.confirm(confirmation);
    if (again.ok) return;
    const intent = await settle(this.noteRecord(named, this.ledger.recordIntent(this.incidentId, named, this.owner)));
    if (!intent.ok && leased) this.unrecorded = true;
    throw error;
  }

  /** The step has a record of its own once `writing` lands. */
  private async noteRecord(entry: AppliedStep, writing: Promise<void>): Promise<void> {
    await writing;
    this.onRecord.add(presignKey(entry));
  }
}
