import type { Finding } from '../model/finding';
import type { BreakerScope, BreakerSlot, BreakerTake, Ledger } from '../ledger/ledger';
import type { Outcome, StepOutcome } from '../model/outcome';
import { ledgerReadFailed, type Verdict } from './assemble-outcome';
import type { ResponderSettings } from './responder-settings';
import type { Settled } from './settle';

/** The scopes an enforcing run counts against: the finding's account and the playbook. */
export function breakerScopes(finding: Finding, settings: ResponderSettings): BreakerScope[] {
  return [
    { kind: 'account', accountId: finding.accountId },
    { kind: 'playbook', playbook: settings.playbook.id },
  ];
}

export function scopeName(scope: BreakerScope): string {
  return scope.kind === 'account' ? `account ${scope.accountId}` : `playbook ${scope.playbook}`;
}

/**
 * Whether a run keeps its slots: it may have changed the account. A step that is `done` made a write; a step that
 * `failed` on a planned write may have made it (a timeout after the write took), so it counts too. Every other run
 * gives its slots back: gated once the resource was read (protected, exempt, mismatch), released, a duplicate
 * delivery, the ledger unreadable, a dry run, or only no-op, recorded, skipped, not-applicable steps and failed reads.
 */
export function keepsBreakerSlots(steps: readonly StepOutcome[]): boolean {
  return steps.some((step) => step.status === 'done' || (step.status === 'failed' && step.release !== undefined));
}

/**
 * The blast-radius breaker slots of one run, one per scope (see Ledger.takeBreakerSlot).
 *
 * - `take`, in the run's first round trip (with the resource and incident reads): one atomic conditional ADD per
 *   scope, in parallel, before any enforcing write. A counter at its limit is not touched. If the account's counter is
 *   full (or a take failed), the run will not enforce: its playbook slot goes back as soon as the takes land, not
 *   after the run's other reads, so a flood in one account holds the playbook's slots only for a moment.
 * - `trip`, once the gates passed: if only the playbook's counter was full, it is asked once more (the moment the
 *   flood's runs held may be over); if a counter is still full, the run is a dry run, the first full scope pages (a
 *   conditional write on its hour's counter, so once per scope and hour) and the other slot goes back. Only this
 *   path costs a round trip more.
 * - `settle`, in the run's last round trip: gives the slots back unless `keepsBreakerSlots`. Idempotent; runPlaybook
 *   calls it again after the run, so a run that returns early (gated, duplicate, released) gives its slots back too.
 *   A run that throws keeps them (it may have written).
 *
 * A slot not given back (the give-back failed, or the run died) only counts against the limit: the safe side.
 */
export class BreakerSlots {
  private takes: readonly BreakerTake[] = [];
  private settled = false;
  /** The give-back started when the breaker held this run; its problem, if any, is reported once by `settle`. */
  private early: Promise<string | undefined> | undefined;
  private limits = { account: 0, playbook: 0 };

  constructor(private readonly ledger: Ledger | undefined) {}

  async take(settings: ResponderSettings, finding: Finding, now: Date): Promise<readonly BreakerTake[]> {
    const ledger = this.required();
    this.limits = { account: settings.breaker.maxPerAccountPerHour, playbook: settings.breaker.maxPerPlaybookPerHour };
    const results = await Promise.allSettled(
      breakerScopes(finding, settings).map((scope) => ledger.takeBreakerSlot(scope, this.limits[scope.kind], now)),
    );
    this.takes = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed || this.takes.some((take) => take.kind === 'full' && take.scope.kind !== 'playbook')) this.release();
    if (failed) throw failed.reason;
    return this.takes;
  }

  /** Undefined: every scope had room, enforce. Otherwise the run is a dry run, for the scope this says. */
  async trip(now: Date): Promise<Outcome['breaker']> {
    let full = this.takes.find((take) => take.kind === 'full');
    if (!full || full.kind !== 'full') return undefined;
    if (!this.settled) {
      // Only the playbook was full, and this run holds its account's slot: ask once more.
      const again = await this.required()
        .takeBreakerSlot(full.scope, this.limits[full.scope.kind], now)
        .catch(() => undefined);
      if (again?.kind === 'taken') {
        this.takes = this.takes.map((take) => (take === full ? again : take));
        return undefined;
      }
      full = again ?? full;
      this.release();
    }
    const opened = full.paged ? false : await this.required().pageBreaker(full, now);
    return { scope: scopeName(full.scope), count: full.count, limit: full.limit, opened };
  }

  /** Gives the slots back unless the run kept them; a problem to report if that failed. Never throws. */
  async settle(steps: readonly StepOutcome[]): Promise<string | undefined> {
    if (this.settled) {
      const early = this.early;
      this.early = undefined;
      return early;
    }
    this.settled = true;
    if (keepsBreakerSlots(steps)) return undefined;
    return this.giveBack();
  }

  /** This run will not enforce: its slots go back now, in the background of what it still does. */
  private release(): void {
    this.settled = true;
    this.early = this.giveBack();
  }

  /** Never throws: a slot that is not given back only counts until its hour ends. */
  private async giveBack(): Promise<string | undefined> {
    const slots = this.takes.flatMap((take): BreakerSlot[] => (take.kind === 'taken' ? [take.slot] : []));
    if (slots.length === 0) return undefined;
    const ledger = this.required();
    const results = await Promise.allSettled(slots.map((slot) => ledger.giveBackBreakerSlot(slot)));
    const errors = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as Error).message] : [],
    );
    return errors.length > 0
      ? `a blast-radius breaker slot was not given back (it counts until the hour ends): ${errors.join('; ')}`
      : undefined;
  }

  private required(): Ledger {
    if (!this.ledger) throw new Error('The blast-radius breaker needs the incident ledger');
    return this.ledger;
  }
}

/**
 * Once the gates passed: whether the breaker holds this run (it is then a dry run, for the scope this names), or
 * undefined when the run enforces (or took no slots). A trip that fails stops the run: not contained.
 */
export async function tripBreaker(
  slots: BreakerSlots,
  taken: Settled<readonly BreakerTake[]> | undefined,
  now: () => Date,
  resourceArn: string | undefined,
): Promise<Verdict<Outcome['breaker']>> {
  if (!taken?.ok) return { go: undefined };
  try {
    return { go: await slots.trip(now()) };
  } catch (error) {
    return { stop: ledgerReadFailed('Open the blast-radius breaker', error, resourceArn) };
  }
}
