import { withTargetClients, type AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import { describeSubject, type Finding } from '../model/finding';
import { configEvaluationKey, incidentIdOf } from '../ledger/incident-id';
import { withReadCache } from '../aws/read-cache';
import type { AppliedStep, Incident, IncidentRecord, Ledger } from '../ledger/ledger';
import { recordName } from '../ledger/verified-ledger';
import type { AnyAction, Plan, Target } from '../model/action';
import { BreakerSlots } from './breaker';
import { ACTIONS } from '../actions/registry';
import { confirmFinding, type FindingSources } from '../findings/confirm-finding';
import type { Confirmation } from '../findings/confirmation';
import { gateFinding, gateResolved } from './gate';
import { actedOnFinding, sourceRefusal } from './source-gate';
import { matchProtected } from '../kinds/protected-principals';
import { followUpSteps } from '../kinds/manual-steps';
import { overallStatus, type Outcome, type OutcomeStatus, type StepOutcome } from '../model/outcome';
import type { PlaybookMode } from '../model/playbook';
import type { Resource } from '../model/resource';
import { assumeResource, resolveResource } from '../kinds/resolve-resource';
import type { ResponderSettings } from './responder-settings';

export interface RunOptions {
  readonly settings: ResponderSettings;
  /** Absent for `simulate`: state is assumed from the finding, nothing is read or written. */
  readonly clients?: AwsClients;
  /**
   * Where an enforcing run re-reads the finding before its first write (GuardDuty, Security Hub). The deployed
   * responder always has them; absent (unit tests of other behaviour): the payload is taken as it is.
   */
  readonly findingSources?: FindingSources;
  /** Clients for the finding's account and Region (assuming the member role); absent: `clients` act as they are. */
  readonly clientFactory?: ClientFactory;
  /** The incident ledger: exactly-once claims, pre-state, release exemptions, the breaker. Absent: none of those. */
  readonly ledger?: Ledger;
  /** Who holds the claims this run takes (the Lambda request id). */
  readonly invocationId?: string;
  /**
   * Keep the incident lease when the steps are done: the caller (the handler) ends it after the message is sent and
   * the incident recorded, so a concurrent delivery cannot report the same incident a second time.
   */
  readonly holdLease?: boolean;
  /** How long the incident lease keeps other deliveries out; a crashed run's lease expires after it. */
  readonly claimLeaseMs?: number;
  readonly receivedAt: Date;
  readonly now?: () => Date;
}

const URGENT: ReadonlySet<OutcomeStatus> = new Set([
  'partially-contained',
  'not-contained',
  'manual-action-required',
  'awaiting-approval',
]);
const DEFAULT_LEASE_MS = 120_000;
/** How far apart the clocks of two invocations may be when comparing a lease's end with a read's start. */
const LEASE_CLOCK_SKEW_MS = 5_000;

interface StepContext {
  readonly target: Target;
  readonly mode: PlaybookMode;
  readonly clients: AwsClients | undefined;
  /** `clients` with reads shared by input: the reads started before resolving are not made twice. Describe only. */
  readonly reader: AwsClients | undefined;
  readonly ledger: Ledger | undefined;
  readonly incidentId: string;
  readonly owner: string;
  /** One time for every plan of the run, so a plan made on assumed state and one made on real state can compare. */
  readonly planTime: Date;
  /** Step records of earlier deliveries (applied, released, unconfirmed) and a crashed holder's planned intents. */
  readonly earlier: readonly AppliedStep[];
  /** The intents this run put on its incident lease, before reading. */
  readonly planned: readonly AppliedStep[];
  readonly now: () => Date;
  /** Set when a write may have taken and is not recorded step by step: the lease, which carries its intent, is kept. */
  unrecorded: boolean;
  /** A write to any of these principals (a plan's `principals`) is refused, as the finding's own subject would be. */
  readonly protectedPrincipals: readonly string[];
  /** The planned writes' confirmations, signed in the first round trip, by `<index>#<action>`. */
  readonly presigned: ReadonlyMap<string, Promise<void>>;
}

interface PreparedStep {
  readonly index: number;
  readonly action: AnyAction;
  readonly params: unknown;
  readonly after: readonly string[];
}

/**
 * Gate, resolve, then for each step: describe (read) -> plan (pure) -> apply (write; not in dry-run) -> verify.
 *
 * Round trips are the time to contain, so: the reads of every step start with the resolve, the incident read and the
 * lease, in one round trip; the steps then write concurrently, each after the reads of the steps before it (so a
 * recording step sees the state before any write) and after the steps it names in `after`. The pre-state of every
 * write is in the ledger before the write: the lease carries each step's intent as planned on the finding's own
 * view of the resource; a step whose real pre-state is that one writes at once, any other records its intent first.
 * The incident lease makes one delivery at a time act. A failing step is recorded and the others still run: a partial
 * containment beats none. Never throws for an AWS error; the outcome says what happened, step by step.
 *
 * The blast-radius breaker's slots are taken in the first round trip and given back unless the run may have
 * written (lambdas/engine/breaker.ts); a run that ends early gives them back here, after it.
 */
export async function runPlaybook(finding: Finding, options: RunOptions): Promise<Outcome> {
  const slots = new BreakerSlots(options.ledger);
  const outcome = await runHoldingSlots(finding, options, slots);
  const problem = await slots.settle(outcome.steps);
  return problem ? { ...outcome, problems: [...(outcome.problems ?? []), problem] } : outcome;
}

async function runHoldingSlots(finding: Finding, options: RunOptions, slots: BreakerSlots): Promise<Outcome> {
  const { settings, ledger } = options;
  let clients = options.clients;
  const now = options.now ?? (() => new Date());
  const incidentId = incidentIdOf(finding);
  let base: FinishBase = {
    finding,
    playbook: { id: settings.playbook.id, mode: settings.playbook.mode },
    simulated: clients === undefined,
    receivedAt: options.receivedAt,
    now,
    ...(ledger ? { incidentId } : {}),
  };

  const gateReason = gateFinding(finding, settings);
  if (gateReason) return finish(base, { status: 'skipped', reason: gateReason, steps: [] });

  if (clients && options.clientFactory) {
    try {
      clients = withTargetClients(
        clients,
        await options.clientFactory.forTarget(finding.accountId, finding.region, finding.id),
      );
    } catch (error) {
      const failure = failedRead(
        'assume-member-role',
        `Reach account ${finding.accountId} in ${finding.region}`,
        error,
      );
      return finish(base, {
        status: 'not-contained',
        steps: [failure],
        manualSteps: [failure.error!.message, ...followUpSteps(finding)],
      });
    }
  }

  // Everything that can be read or claimed before acting goes out in one round trip: the resource, the incident,
  // the breaker slots and the incident lease (both given back if the finding turns out to be gated).
  const owner = options.invocationId ?? `run-${options.receivedAt.getTime()}`;
  const leaseMs = options.claimLeaseMs ?? DEFAULT_LEASE_MS;
  const useLedger = ledger !== undefined && clients !== undefined;
  const enforcing = settings.playbook.mode === 'enforce';
  // Approval mode plans like a dry run, holding the incident like enforce: one delivery at a time records the request.
  const leasing = enforcing || settings.playbook.mode === 'approve';
  const prepared = prepareSteps(settings);
  const planTime = now();
  const assumed: Target = { finding, resource: assumeResource(finding) };
  const speculate = assumed.resource.kind !== 'unresolved';
  const reader = clients ? withReadCache(clients) : undefined;
  // Reads on the finding's own view of the resource, before it is resolved: the steps reuse those that still apply.
  if (reader && speculate) {
    for (const step of prepared)
      if (step.action.appliesTo(finding.subject))
        void settle(Promise.resolve().then(() => step.action.describe(assumed, step.params, reader)));
  }
  const planned =
    useLedger && enforcing && speculate ? prepared.flatMap((step) => plannedIntent(step, assumed, planTime)) : [];
  // The confirmations of the planned writes are signed in the first round trip: a write on the lease's intent then
  // needs no KMS call of its own, and does not go out when records cannot be signed.
  const presigned = new Map<string, Promise<void>>();
  for (const entry of planned) {
    const signing = ledger?.presignApplied?.(incidentId, entry);
    if (signing) {
      signing.catch(() => undefined);
      presigned.set(`${entry.index}#${entry.action}`, signing);
    }
  }
  const readStartedAt = now();
  // Before any enforcing write, the finding as its source returns it (in this same round trip): see source-gate.ts.
  const confirming =
    enforcing && clients && options.findingSources
      ? settle(confirmFinding(finding, options.findingSources))
      : undefined;
  const [resolution, incidentRead, breakerRead, leaseRead, configRead, confirmRead] = await Promise.all([
    clients
      ? settle(resolveResource(finding, clients))
      : Promise.resolve({ ok: true as const, value: { kind: 'resolved' as const, resource: assumed.resource } }),
    useLedger ? settle(ledger.readIncident(incidentId)) : undefined,
    useLedger && enforcing ? settle(slots.take(settings, finding, now())) : undefined,
    useLedger && leasing ? settle(ledger.leaseIncident(incidentId, owner, leaseMs, now(), planned)) : undefined,
    // Config: every evaluation is its own incident, so a release is found through the rule and resource's latest one.
    useLedger && finding.config ? settle(latestConfigIncident(ledger, finding)) : undefined,
    confirming,
  ]);
  let leased = leaseRead?.ok === true && leaseRead.value.kind === 'claimed';
  const giveBackLease = async () => {
    if (leased) await ledger!.endLease(incidentId, owner, now()).catch(() => undefined);
    leased = false;
  };

  const confirmation: Confirmation | undefined = confirmRead
    ? confirmRead.ok
      ? confirmRead.value
      : {
          kind: 'unreadable',
          error: confirmRead.error instanceof Error ? confirmRead.error : new Error(String(confirmRead.error)),
          readFrom: 'the finding source',
          reason: String(confirmRead.error),
        }
    : undefined;
  base = { ...base, finding: actedOnFinding(finding, confirmation) };
  // Another delivery holds the incident: it makes the same reads and reports what it finds, failures included, so
  // this one stays quiet whatever its own reads said (one failed lookup must not page once per delivery).
  if (leaseRead?.ok && leaseRead.value.kind !== 'claimed') {
    const lease = leaseRead.value;
    const reason = `another delivery of this finding holds the incident${lease.kind === 'busy' ? ` until ${lease.claimedUntil}` : ''}: it contains and reports`;
    const arn =
      resolution.ok && resolution.value.kind === 'resolved' && resolution.value.resource.kind !== 'unresolved'
        ? resolution.value.resource.arn
        : undefined;
    const earlierStatus =
      incidentRead?.ok && incidentRead.value.incident ? { previousStatus: incidentRead.value.incident.status } : {};
    return finish(base, { status: 'duplicate', reason, steps: [], resourceArn: arn, ...earlierStatus });
  }
  const refusal = confirmation ? sourceRefusal(confirmation, settings) : undefined;
  if (refusal) {
    await giveBackLease();
    return finish(base, {
      ...refusal,
      ...(refusal.status === 'not-contained' ? { manualSteps: followUpSteps(finding) } : {}),
    });
  }

  if (!resolution.ok) {
    await giveBackLease();
    return finish(base, {
      status: 'not-contained',
      steps: [failedRead('resolve-resource', 'Read the resource the finding names', resolution.error)],
      manualSteps: followUpSteps(finding),
    });
  }
  if (resolution.value.kind === 'mismatch') {
    await giveBackLease();
    return finish(base, {
      status: 'skipped',
      reason: resolution.value.reason,
      steps: [],
      manualSteps: followUpSteps(finding),
    });
  }
  const resource: Resource = resolution.value.resource;
  const resolvedArn = resource.kind === 'unresolved' ? undefined : resource.arn;
  const resolvedReason = gateResolved(resolvedArn, resource.kind === 'unresolved' ? {} : resource.tags, settings);
  if (resolvedReason) {
    await giveBackLease();
    return finish(base, { status: 'skipped', reason: resolvedReason, steps: [], resourceArn: resolvedArn });
  }

  const ledgerFailure = [incidentRead, breakerRead, leaseRead, configRead].find(
    (read) => read !== undefined && !read.ok,
  );
  if (ledgerFailure && !ledgerFailure.ok) {
    await giveBackLease();
    return finish(base, {
      status: 'not-contained',
      steps: [failedRead('read-ledger', 'Read the incident ledger', ledgerFailure.error)],
      resourceArn: resolvedArn,
    });
  }
  let record: IncidentRecord | undefined = incidentRead?.ok ? incidentRead.value : undefined;
  // The previous holder ended its lease after this run's incident read went out (a retried lease write can arrive
  // that late): what it did is not in that read, so read again before acting on it. Re-deliveries minutes apart never pay.
  const previousEndedAt =
    leaseRead?.ok && leaseRead.value.kind === 'claimed' ? leaseRead.value.previousEndedAt : undefined;
  if (record && previousEndedAt && Date.parse(previousEndedAt) >= readStartedAt.getTime() - LEASE_CLOCK_SKEW_MS) {
    try {
      record = await ledger!.readIncident(incidentId);
    } catch (error) {
      await giveBackLease();
      return finish(base, {
        status: 'not-contained',
        steps: [failedRead('read-ledger', 'Read the incident ledger', error)],
        resourceArn: resolvedArn,
      });
    }
  }
  const incident: Incident | undefined = record?.incident;
  const previous = incident ? { previousStatus: incident.status } : {};
  // Records someone other than Firebreak wrote or changed (their MAC does not verify) are never acted on: a step is
  // not skipped as applied, nor an intent confirmed, nor an exemption honoured, on their word. Each is reported.
  const integrity = integrityProblems(incidentId, record?.steps ?? [], [
    incident,
    configRead?.ok ? configRead.value : undefined,
  ]);
  const trusted = (record?.steps ?? []).filter((step) => step.integrity !== 'failed' && step.integrity !== 'missing');
  // An exemption counts only for the resource that was released (its signed marker names account, Region and
  // subject): a Config link rewritten to point at another incident's genuine release exempts nothing.
  const sameResource = (candidate: Incident) =>
    candidate.accountId === finding.accountId &&
    candidate.region === finding.region &&
    candidate.subject === describeSubject(finding.subject);
  const released = [incident, configRead?.ok ? configRead.value : undefined].find(
    (candidate) =>
      candidate?.exemptUntil &&
      candidate.exemptUntil > now().toISOString() &&
      candidate.releaseIntegrity !== 'failed' &&
      candidate.releaseIntegrity !== 'missing' &&
      sameResource(candidate),
  );
  if (released) {
    await giveBackLease();
    const reason = `released by ${released.releasedBy ?? 'a human'} at ${released.releasedAt}; not contained again before ${released.exemptUntil}`;
    return finish(base, { status: 'skipped', reason, steps: [], resourceArn: resolvedArn, ...previous });
  }
  let mode: PlaybookMode = settings.playbook.mode;
  let breaker: Outcome['breaker'];
  if (breakerRead?.ok) {
    try {
      breaker = await slots.trip(now());
    } catch (error) {
      await giveBackLease();
      return finish(base, {
        status: 'not-contained',
        steps: [failedRead('read-ledger', 'Open the blast-radius breaker', error)],
        resourceArn: resolvedArn,
      });
    }
    if (breaker) {
      mode = 'dry-run';
      await giveBackLease();
    }
  }

  const takenOver = leaseRead?.ok && leaseRead.value.kind === 'claimed' ? (leaseRead.value.planned ?? []) : [];
  const context: StepContext = {
    target: { finding, resource },
    mode,
    clients,
    reader,
    ledger,
    incidentId,
    owner,
    planTime,
    earlier: earlierSteps(trusted, takenOver, owner),
    planned: mode === 'enforce' ? planned : [],
    now,
    unrecorded: false,
    protectedPrincipals: settings.protectedPrincipals,
    presigned,
  };
  let containedAt: Date | undefined;
  const reads = prepared.map((step) => readState(step, context));
  // `after` waits for the named steps' writes, not for their confirmation and read-back.
  const written = prepared.map(() => deferred());
  const running = prepared.map((step) => {
    const waitFor = [
      ...reads.slice(0, step.index),
      ...step.after.map((id) => written[prepared.findIndex((candidate) => candidate.action.id === id)]!.promise),
    ];
    return runStep(step, reads[step.index]!, waitFor, written[step.index]!.resolve, context).then((outcome) => {
      written[step.index]!.resolve();
      if (outcome.status === 'done' && step.action.containment) containedAt = now();
      return outcome;
    });
  });
  const steps = [...integrity, ...(await Promise.all(running))];

  const problems: string[] = [];
  // A write that may have taken and is not recorded step by step keeps the lease, whose planned intent records it.
  if (context.unrecorded) leased = false;
  const leaseHeld = leased && options.holdLease === true;
  // In one round trip: drop the planned intents (every step is recorded on its own now, and they would only make a
  // later crash, a failed message, look like unconfirmed writes) or give the lease back; keep or give back the breaker slots.
  await Promise.all([
    leaseHeld && context.planned.length > 0
      ? ledger!.clearPlanned(incidentId, owner).catch(() => undefined)
      : undefined,
    leaseHeld ? undefined : giveBackLease(), // the lease expires anyway
    slots.settle(steps).then((problem) => problem && problems.push(problem)),
  ]);

  const plannedStatus = overallStatus(steps);
  const status = mode === 'approve' && plannedStatus === 'dry-run' ? 'awaiting-approval' : plannedStatus;
  return finish(
    { ...base, playbook: { id: settings.playbook.id, mode } },
    {
      status,
      steps,
      resourceArn: resolvedArn,
      ...(status === 'manual-action-required' ? { reason: manualReason(finding) } : {}),
      ...(breaker
        ? {
            breaker,
            reason: `blast-radius breaker for ${breaker.scope} is open (${breaker.count} enforced containments this hour (UTC), limit ${breaker.limit}): this finding was only planned`,
          }
        : {}),
      manualSteps: [...steps.flatMap((step) => step.manualSteps ?? []), ...followUpSteps(finding)],
      ...(containedAt ? { containedAt } : {}),
      ...(incident ? { previousStatus: incident.status } : {}),
      ...(incident?.notifyFailedAt && !incident.notifiedAt ? { untoldSince: incident.notifyFailedAt } : {}),
      problems,
      ...(leaseHeld ? { leaseOwner: owner } : {}),
    },
  );
}

async function latestConfigIncident(ledger: Ledger, finding: Finding): Promise<Incident | undefined> {
  const id = await ledger.latestConfigIncident(configEvaluationKey(finding));
  return id ? ledger.getIncident(id) : undefined;
}

function prepareSteps(settings: ResponderSettings): PreparedStep[] {
  return settings.playbook.steps.map((step, index) => {
    const action = ACTIONS.get(step.action);
    if (!action)
      throw new Error(
        `Playbook ${settings.playbook.id} names unknown action ${step.action}; validation should have caught it`,
      );
    return { index, action, params: action.params.parse(step.with ?? {}), after: step.after ?? [] };
  });
}

function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * What earlier deliveries left: the incident's step records, and a crashed holder's planned intents (from the lease
 * this run took over). The incident read went out with this run's own lease write and may already show this run's
 * own planned intents: those are not an earlier delivery's.
 */
function earlierSteps(
  recorded: readonly AppliedStep[],
  takenOver: readonly AppliedStep[],
  owner: string,
): AppliedStep[] {
  const others = recorded.filter((step) => step.plannedBy !== owner);
  return [...others, ...takenOver.filter((entry) => !others.some((step) => sameStep(step, entry)))];
}

const sameStep = (a: { index: number; action: string }, b: { index: number; action: string }) =>
  a.index === b.index && a.action === b.action;

/** The step's write as planned on the finding's own view of the resource, nothing contained yet; none if it has none. */
function plannedIntent(step: PreparedStep, assumed: Target, planTime: Date): AppliedStep[] {
  try {
    if (!step.action.appliesTo(assumed.finding.subject)) return [];
    const plan = step.action.plan(
      assumed,
      step.action.assume(assumed, step.params),
      step.params,
      planTime,
    ) as Plan<unknown>;
    if (plan.kind !== 'write') return [];
    return [
      {
        index: step.index,
        action: step.action.id,
        summary: plan.summary,
        write: plan.write,
        replaced: plan.replaced,
        appliedAt: planTime.toISOString(),
      },
    ];
  } catch {
    return [];
  }
}

/** The step's describe on the resolved resource (reusing the early reads), or simulate's assumption. */
function readState(step: PreparedStep, context: StepContext) {
  const { target, reader } = context;
  if (!step.action.appliesTo(target.finding.subject)) return Promise.resolve(undefined);
  return settle(
    Promise.resolve().then(() =>
      reader ? step.action.describe(target, step.params, reader) : (step.action.assume(target, step.params) as unknown),
    ),
  );
}

async function runStep(
  step: PreparedStep,
  stateRead: ReturnType<typeof readState>,
  waitFor: readonly Promise<unknown>[],
  wrote: () => void,
  context: StepContext,
): Promise<StepOutcome> {
  const { action, index, params } = step;
  const { target, clients, ledger, now } = context;
  const started = Date.now();
  const head = { action: action.id, title: action.title, containment: action.containment };
  const elapsed = () => Date.now() - started;
  if (!action.appliesTo(target.finding.subject)) {
    return {
      ...head,
      status: 'not-applicable',
      summary: `${action.title}: not applicable to ${describeSubject(target.finding.subject)}`,
      durationMs: 0,
    };
  }
  const enforcing = clients !== undefined && context.mode === 'enforce';
  const recording = enforcing && ledger !== undefined;
  const earlier = recording ? context.earlier.filter((entry) => sameStep(entry, { index, action: action.id })) : [];
  const applied = earlier.find((entry) => !entry.unconfirmed && !entry.releasedAt);
  if (applied) {
    return {
      ...head,
      status: 'no-op',
      summary: `Already applied by an earlier delivery at ${applied.appliedAt}: ${applied.summary}`,
      replaced: applied.replaced,
      durationMs: elapsed(),
    };
  }
  // An earlier invocation recorded this write and never confirmed it: its pre-state is the state before Firebreak's
  // first attempt, even when that attempt half-succeeded, so it is kept.
  const pending = earlier.find((entry) => entry.unconfirmed && !entry.tentative);
  // Only planned on a crashed holder's lease: it may never have been written, and its pre-state is a guess.
  const tentative = pending ? undefined : earlier.find((entry) => entry.tentative);
  let plan: Plan<unknown> | undefined;
  try {
    const read = await stateRead;
    if (!read!.ok) throw read!.error;
    plan = action.plan(target, read!.value, params, context.planTime) as Plan<unknown>;
    const manual = plan.manualSteps && plan.manualSteps.length > 0 ? { manualSteps: plan.manualSteps } : {};
    if (plan.kind === 'record') {
      if (recording)
        await ledger!.recordApplied(
          context.incidentId,
          {
            index,
            action: action.id,
            summary: plan.summary,
            write: null,
            replaced: plan.recorded,
            appliedAt: now().toISOString(),
          },
          context.owner,
        );
      return {
        ...head,
        status: 'recorded',
        summary: plan.summary,
        replaced: plan.recorded,
        ...manual,
        durationMs: elapsed(),
      };
    }
    if (plan.kind === 'no-op' && pending) {
      // An earlier invocation wrote this and failed before confirming: confirm it now, with its original pre-state.
      await ledger!.recordApplied(context.incidentId, pending, context.owner);
      return {
        ...head,
        status: 'no-op',
        summary: `Applied by an earlier delivery, confirmed now: ${pending.summary}`,
        replaced: pending.replaced,
        ...manual,
        durationMs: elapsed(),
      };
    }
    if (plan.kind === 'no-op' && tentative) {
      // Done, but by whom? The crashed holder may have written it, or a human: kept as unconfirmed, never confirmed
      // as Firebreak's, so release leaves it to a human instead of undoing someone else's work.
      await ledger!.recordIntent(context.incidentId, tentative, context.owner);
      return {
        ...head,
        status: 'no-op',
        summary: `${plan.summary}. An earlier delivery planned this write and never confirmed it: release leaves it to a human`,
        ...manual,
        durationMs: elapsed(),
      };
    }
    if (plan.kind !== 'write') {
      return {
        ...head,
        status: plan.kind === 'no-op' ? 'no-op' : 'skipped',
        summary: plan.summary,
        ...manual,
        durationMs: elapsed(),
      };
    }
    // Every principal the write changes passes the same gate as the finding's subject, not only the subject.
    const protectedOne = matchProtected(plan.principals ?? [], context.protectedPrincipals);
    if (protectedOne) {
      const reason = `${protectedOne.arn} is a protected principal (pattern ${protectedOne.pattern}): Firebreak does not write to it`;
      return {
        ...head,
        status: 'skipped',
        summary: `${plan.summary}: not done, ${reason}`,
        manualSteps: [
          ...(plan.manualSteps ?? []),
          `${action.title}: ${reason}; decide by hand whether to cut this access`,
        ],
        durationMs: elapsed(),
      };
    }
    const replaced = pending ? pending.replaced : plan.replaced;
    const record = { replaced, release: plan.release, ...manual };
    if (!enforcing) return { ...head, status: 'planned', summary: plan.summary, ...record, durationMs: elapsed() };
    const intent: AppliedStep = {
      index,
      action: action.id,
      summary: plan.summary,
      write: plan.write,
      replaced,
      appliedAt: now().toISOString(),
    };
    // The lease already holds this intent when the real pre-state is the one planned before reading: write at once.
    const realPreState = JSON.stringify(plan.replaced);
    const onLease =
      recording &&
      !pending &&
      !tentative &&
      context.planned.some((entry) => sameStep(entry, intent) && JSON.stringify(entry.replaced) === realPreState);
    // A write on the lease's intent alone goes out only once its confirmation can be signed (made in the first round
    // trip): a write whose record release could never trust is not made (fail closed when the ledger key is unavailable).
    const plannedEntry = onLease ? context.planned.find((entry) => sameStep(entry, intent)) : undefined;
    const [, recorded, signable] = await Promise.all([
      Promise.all(waitFor),
      recording && !onLease ? settle(ledger!.recordIntent(context.incidentId, intent, context.owner)) : undefined,
      plannedEntry
        ? settle(context.presigned.get(`${plannedEntry.index}#${plannedEntry.action}`) ?? Promise.resolve())
        : undefined,
    ]);
    if (recorded && !recorded.ok) throw recorded.error;
    if (signable && !signable.ok)
      throw new LedgerUnavailableError(
        `the ledger record of this write could not be signed, so nothing was written: ${errorSummary(signable.error).message}`,
        { cause: signable.error },
      );
    let written: unknown;
    // The confirmation's time is when the write went out: its record (and MAC) can be made while the write is in flight.
    const appliedAt = plannedEntry?.appliedAt ?? now().toISOString();
    if (recording && !plannedEntry)
      ledger!.presignApplied?.(context.incidentId, { ...intent, appliedAt })?.catch(() => undefined);
    try {
      written = (await action.apply(plan.write, clients)) ?? plan.write;
      wrote();
    } catch (error) {
      wrote();
      // The write may have taken (a timeout after it did): record its intent step by step, as a slow write would have.
      if (onLease)
        await ledger!.recordIntent(context.incidentId, intent, context.owner).catch(() => (context.unrecorded = true));
      throw error;
    }
    // Confirming in the ledger and reading back are independent: one round trip for both.
    const confirm = () =>
      ledger!.recordApplied(context.incidentId, { ...intent, write: written, appliedAt }, context.owner);
    const [confirmed, verification] = await Promise.all([
      recording ? settle(confirm()) : undefined,
      action.verify(written, clients).catch((error: unknown) => ({
        confirmed: false,
        detail: `could not read back: ${errorSummary(error).message}`,
      })),
    ]);
    if (confirmed && !confirmed.ok) {
      // The write took, so the ledger must say so: try once more, then as an intent that names this write.
      const again = await settle(confirm());
      if (!again.ok) {
        const named = await settle(
          ledger!.recordIntent(context.incidentId, { ...intent, write: written }, context.owner),
        );
        if (!named.ok && onLease) context.unrecorded = true;
        throw confirmed.error;
      }
    }
    return { ...head, status: 'done', summary: plan.summary, ...record, verification, durationMs: elapsed() };
  } catch (error) {
    return {
      ...head,
      status: 'failed',
      summary: plan?.summary ?? action.title,
      error: errorSummary(error),
      // A failed write may or may not have taken: keep what it would have replaced, so a human can check and undo.
      ...(plan?.kind === 'write'
        ? { replaced: pending ? pending.replaced : plan.replaced, release: plan.release }
        : {}),
      durationMs: elapsed(),
    };
  }
}

/** One failed, non-containment step per ledger record that is not Firebreak's: urgent, and named in the message. */
function integrityProblems(
  incidentId: string,
  steps: readonly AppliedStep[],
  incidents: readonly (Incident | undefined)[],
): StepOutcome[] {
  const head = {
    action: 'verify-ledger-record',
    title: 'Check the ledger records of this incident',
    containment: false,
    status: 'failed' as const,
    durationMs: 0,
  };
  const records = steps
    .filter((step) => step.integrity === 'failed' || step.integrity === 'missing')
    .map((step) => ({
      name: recordName(incidentId, step),
      what:
        step.integrity === 'failed'
          ? 'its MAC does not verify: it was changed after Firebreak wrote it'
          : 'it has no MAC: Firebreak did not write it',
    }));
  const markers = incidents
    .filter(
      (candidate): candidate is Incident =>
        candidate !== undefined &&
        (candidate.releaseIntegrity === 'failed' || candidate.releaseIntegrity === 'missing'),
    )
    .map((candidate) => ({
      name: `the release marker of incident ${candidate.incidentId}`,
      what: `${candidate.releaseIntegrity === 'failed' ? 'its MAC does not verify' : 'it has no MAC'}: its exemption until ${candidate.exemptUntil ?? '(none)'} is not honoured`,
    }));
  return [...records, ...markers].map(({ name, what }) => ({
    ...head,
    summary: `Ledger record ${name} ignored: ${what}. Someone other than Firebreak may have written to the ledger table: check its CloudTrail data events`,
    error: { name: 'LedgerRecordIntegrityError', message: `${name}: ${what}` },
  }));
}

function failedRead(action: string, title: string, error: unknown): StepOutcome {
  return {
    action,
    title,
    containment: true,
    status: 'failed',
    summary: `${title} failed, so nothing was changed`,
    error: errorSummary(error),
    durationMs: 0,
  };
}

function manualReason(finding: Finding): string {
  const { subject } = finding;
  if (subject.kind === 'root')
    return 'the root user cannot be restricted by IAM policies: Firebreak does not act on it';
  if (subject.kind === 'federated-user')
    return 'a federated user session is contained through the IAM user that issued it, which the finding does not name';
  if (finding.config)
    return `Firebreak has no automatic fix for Config rule ${finding.config.ruleName} on ${finding.config.resourceType} ${finding.config.resourceId}: a human must fix it`;
  if (subject.kind === 'unsupported') return subject.reason;
  return 'no step of this playbook could contain it';
}

function errorSummary(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

interface FinishBase {
  readonly finding: Finding;
  readonly playbook: Outcome['playbook'];
  readonly simulated: boolean;
  readonly receivedAt: Date;
  readonly now: () => Date;
  readonly incidentId?: string;
}

interface Finish {
  readonly status: OutcomeStatus;
  readonly steps: readonly StepOutcome[];
  readonly reason?: string;
  readonly resourceArn?: string | undefined;
  readonly manualSteps?: readonly string[];
  readonly containedAt?: Date;
  readonly previousStatus?: OutcomeStatus;
  readonly untoldSince?: string;
  readonly breaker?: Outcome['breaker'];
  readonly problems?: readonly string[];
  readonly leaseOwner?: string;
}

function finish(base: FinishBase, result: Finish): Outcome {
  const urgent =
    !base.finding.sample &&
    (URGENT.has(result.status) ||
      result.steps.some((step) => step.status === 'failed') ||
      base.finding.subject.kind === 'root' ||
      result.breaker?.opened === true);
  return {
    status: result.status,
    urgent,
    finding: base.finding,
    playbook: base.playbook,
    simulated: base.simulated,
    ...(result.resourceArn ? { resourceArn: result.resourceArn } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
    steps: result.steps,
    manualSteps: [...new Set(result.manualSteps ?? [])],
    // Undo in reverse order of the writes; for a dry run, what would undo the planned writes.
    release: [...result.steps]
      .reverse()
      .flatMap((step) => (step.status === 'done' || step.status === 'planned' ? (step.release ?? []) : [])),
    ...(base.incidentId ? { incidentId: base.incidentId } : {}),
    ...(result.previousStatus ? { previousStatus: result.previousStatus } : {}),
    ...(result.untoldSince ? { untoldSince: result.untoldSince } : {}),
    ...(result.breaker ? { breaker: result.breaker } : {}),
    ...(result.problems && result.problems.length > 0 ? { problems: result.problems } : {}),
    ...(result.leaseOwner ? { leaseOwner: result.leaseOwner } : {}),
    timings: {
      receivedAt: base.receivedAt.toISOString(),
      ...(result.containedAt ? { containedAt: result.containedAt.toISOString() } : {}),
      finishedAt: base.now().toISOString(),
    },
  };
}

/** The ledger cannot record a write as Firebreak's (its key is unavailable): the write is not made. */
class LedgerUnavailableError extends Error {
  override readonly name = 'LedgerUnavailableError';
}
