import { withTargetClients, type AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import { describeSubject, type Finding } from '../findings/finding';
import { configEvaluationKey, incidentIdOf } from '../ledger/incident-id';
import type { AppliedStep, BreakerScope, BreakerState, Incident, Ledger } from '../ledger/ledger';
import type { AnyAction, Plan, Target } from './action';
import { ACTIONS } from './action-registry';
import { gateFinding, gateResolved } from './gate';
import { followUpSteps } from './manual-steps';
import { overallStatus, type Outcome, type OutcomeStatus, type StepOutcome } from './outcome';
import type { PlaybookMode } from './playbook';
import type { Resource } from './resource';
import { assumeResource, resolveResource } from './resolve-resource';
import type { ResponderSettings } from './responder-settings';

export interface RunOptions {
  readonly settings: ResponderSettings;
  /** Absent for `simulate`: state is assumed from the finding, nothing is read or written. */
  readonly clients?: AwsClients;
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
  /** How long a claim protects a step from a concurrent delivery; a crashed run's claim expires after it. */
  readonly claimLeaseMs?: number;
  readonly receivedAt: Date;
  readonly now?: () => Date;
}

const URGENT: ReadonlySet<OutcomeStatus> = new Set(['partially-contained', 'not-contained', 'manual-action-required']);
const DEFAULT_LEASE_MS = 120_000;

interface StepContext {
  readonly target: Target;
  readonly mode: PlaybookMode;
  readonly clients: AwsClients | undefined;
  readonly ledger: Ledger | undefined;
  readonly incidentId: string;
  readonly owner: string;
  readonly leaseMs: number;
  readonly now: () => Date;
}

/**
 * Gate, resolve, then for each step: describe (read) -> plan (pure) -> apply (write; not in dry-run) -> verify.
 * With a ledger, each write is claimed first, so concurrent or repeated deliveries apply it once. A failing step is
 * recorded and the next steps still run: each step contains on its own, and a partial containment beats none.
 * Never throws for an AWS error; the outcome says what happened, step by step.
 */
export async function runPlaybook(finding: Finding, options: RunOptions): Promise<Outcome> {
  const { settings, ledger } = options;
  let clients = options.clients;
  const now = options.now ?? (() => new Date());
  const incidentId = incidentIdOf(finding);
  const base: FinishBase = {
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
      clients = withTargetClients(clients, await options.clientFactory.forTarget(finding.accountId, finding.region, finding.id));
    } catch (error) {
      const failure = failedRead('assume-member-role', `Reach account ${finding.accountId} in ${finding.region}`, error);
      return finish(base, { status: 'not-contained', steps: [failure], manualSteps: [failure.error!.message, ...followUpSteps(finding)] });
    }
  }

  // Everything that can be read or claimed before acting goes out in one round trip: the resource, the incident,
  // the breaker counts, and the incident lease (given back if the finding turns out to be gated).
  const owner = options.invocationId ?? `run-${options.receivedAt.getTime()}`;
  const leaseMs = options.claimLeaseMs ?? DEFAULT_LEASE_MS;
  const useLedger = ledger !== undefined && clients !== undefined;
  const enforcing = settings.playbook.mode === 'enforce';
  const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  const [resolution, incidentRead, breakerRead, leaseRead, configRead] = await Promise.all([
    clients ? settle(resolveResource(finding, clients)) : Promise.resolve({ ok: true as const, value: { kind: 'resolved' as const, resource: assumeResource(finding) } }),
    useLedger ? settle(ledger.getIncident(incidentId)) : undefined,
    useLedger && enforcing ? settle(readBreakers(ledger, settings, finding, now())) : undefined,
    useLedger && enforcing ? settle(ledger.leaseIncident(incidentId, owner, leaseMs, now())) : undefined,
    // Config: every evaluation is its own incident, so a release is found through the rule and resource's latest one.
    useLedger && finding.config ? settle(latestConfigIncident(ledger, finding)) : undefined,
  ]);
  let leased = leaseRead?.ok === true && leaseRead.value.kind === 'claimed';
  const giveBackLease = async () => {
    if (leased) await ledger!.endLease(incidentId, owner).catch(() => undefined);
    leased = false;
  };

  if (!resolution.ok) {
    await giveBackLease();
    return finish(base, { status: 'not-contained', steps: [failedRead('resolve-resource', 'Read the resource the finding names', resolution.error)], manualSteps: followUpSteps(finding) });
  }
  if (resolution.value.kind === 'mismatch') {
    await giveBackLease();
    return finish(base, { status: 'skipped', reason: resolution.value.reason, steps: [], manualSteps: followUpSteps(finding) });
  }
  const resource: Resource = resolution.value.resource;
  const resolvedArn = resource.kind === 'unresolved' ? undefined : resource.arn;
  const resolvedReason = gateResolved(resolvedArn, resource.kind === 'unresolved' ? {} : resource.tags, settings);
  if (resolvedReason) {
    await giveBackLease();
    return finish(base, { status: 'skipped', reason: resolvedReason, steps: [], resourceArn: resolvedArn });
  }

  const ledgerFailure = [incidentRead, breakerRead, leaseRead, configRead].find((read) => read !== undefined && !read.ok);
  if (ledgerFailure && !ledgerFailure.ok) {
    await giveBackLease();
    return finish(base, { status: 'not-contained', steps: [failedRead('read-ledger', 'Read the incident ledger', ledgerFailure.error)], resourceArn: resolvedArn });
  }
  const incident: Incident | undefined = incidentRead?.ok ? incidentRead.value : undefined;
  const previous = incident ? { previousStatus: incident.status } : {};
  const released = [incident, configRead?.ok ? configRead.value : undefined].find((candidate) => candidate?.exemptUntil && candidate.exemptUntil > now().toISOString());
  if (released) {
    await giveBackLease();
    const reason = `released by ${released.releasedBy ?? 'a human'} at ${released.releasedAt}; not contained again before ${released.exemptUntil}`;
    return finish(base, { status: 'skipped', reason, steps: [], resourceArn: resolvedArn, ...previous });
  }
  if (leaseRead?.ok && leaseRead.value.kind !== 'claimed') {
    const lease = leaseRead.value;
    const reason = `another delivery of this finding holds the incident${lease.kind === 'busy' ? ` until ${lease.claimedUntil}` : ''}: it contains and reports`;
    return finish(base, { status: 'duplicate', reason, steps: [], resourceArn: resolvedArn, ...previous });
  }
  let mode: PlaybookMode = settings.playbook.mode;
  let breaker: Outcome['breaker'];
  if (breakerRead?.ok) {
    try {
      breaker = await tripBreaker(ledger!, breakerRead.value, now());
    } catch (error) {
      await giveBackLease();
      return finish(base, { status: 'not-contained', steps: [failedRead('read-ledger', 'Open the blast-radius breaker', error)], resourceArn: resolvedArn });
    }
    if (breaker) {
      mode = 'dry-run';
      await giveBackLease();
    }
  }

  const context: StepContext = {
    target: { finding, resource },
    mode,
    clients,
    ledger,
    incidentId,
    owner,
    leaseMs,
    now,
  };
  const steps: StepOutcome[] = [];
  let containedAt: Date | undefined;
  for (const [index, step] of settings.playbook.steps.entries()) {
    const action = ACTIONS.get(step.action);
    if (!action) throw new Error(`Playbook ${settings.playbook.id} names unknown action ${step.action}; validation should have caught it`);
    const outcome = await runStep(action, index, action.params.parse(step.with ?? {}), context);
    if (outcome.status === 'done' && action.containment) containedAt = now();
    steps.push(outcome);
  }

  const problems: string[] = [];
  const leaseHeld = leased && options.holdLease === true;
  if (!leaseHeld) await giveBackLease(); // the lease expires anyway
  if (ledger && containedAt) {
    await ledger
      .countContainment(breakerScopes(finding, settings), incidentId, containedAt)
      .catch((error: unknown) => problems.push(`the breaker count was not recorded: ${(error as Error).message}`));
  }

  const status = overallStatus(steps);
  return finish(
    { ...base, playbook: { id: settings.playbook.id, mode } },
    {
      status,
      steps,
      resourceArn: resolvedArn,
      ...(status === 'manual-action-required' ? { reason: manualReason(finding) } : {}),
      ...(breaker ? { breaker, reason: `blast-radius breaker for ${breaker.scope} is open (${breaker.count} enforced containments in the last hour, limit ${breaker.limit}): this finding was only planned` } : {}),
      manualSteps: [...steps.flatMap((step) => step.manualSteps ?? []), ...followUpSteps(finding)],
      ...(containedAt ? { containedAt } : {}),
      ...(incident ? { previousStatus: incident.status } : {}),
      problems,
      ...(leaseHeld ? { leaseOwner: owner } : {}),
    },
  );
}

function breakerScopes(finding: Finding, settings: ResponderSettings): BreakerScope[] {
  return [
    { kind: 'account', accountId: finding.accountId },
    { kind: 'playbook', playbook: settings.playbook.id },
  ];
}

function scopeName(scope: BreakerScope): string {
  return scope.kind === 'account' ? `account ${scope.accountId}` : `playbook ${scope.playbook}`;
}

async function latestConfigIncident(ledger: Ledger, finding: Finding): Promise<Incident | undefined> {
  const id = await ledger.latestConfigIncident(configEvaluationKey(finding));
  return id ? ledger.getIncident(id) : undefined;
}

/** The breaker state of every scope, read together. */
function readBreakers(ledger: Ledger, settings: ResponderSettings, finding: Finding, now: Date): Promise<{ scope: BreakerScope; state: BreakerState }[]> {
  const limits = { account: settings.breaker.maxPerAccountPerHour, playbook: settings.breaker.maxPerPlaybookPerHour };
  return Promise.all(breakerScopes(finding, settings).map(async (scope) => ({ scope, state: await ledger.breakerState(scope, limits[scope.kind], now) })));
}

/** The first tripped scope, opening its breaker (once) if the count reached the limit. Undefined: enforce. */
async function tripBreaker(ledger: Ledger, states: readonly { scope: BreakerScope; state: BreakerState }[], now: Date): Promise<Outcome['breaker']> {
  for (const { scope, state } of states) {
    if (state.open) return { scope: scopeName(scope), count: state.count, limit: state.limit, opened: false };
    if (state.count >= state.limit) {
      const opened = await ledger.openBreaker(scope, now);
      return { scope: scopeName(scope), count: state.count, limit: state.limit, opened };
    }
  }
  return undefined;
}

async function runStep(action: AnyAction, index: number, params: unknown, context: StepContext): Promise<StepOutcome> {
  const { target, clients, ledger, now } = context;
  const started = Date.now();
  const head = { action: action.id, title: action.title, containment: action.containment };
  const elapsed = () => Date.now() - started;
  if (!action.appliesTo(target.finding.subject)) {
    return { ...head, status: 'not-applicable', summary: `${action.title}: not applicable to ${describeSubject(target.finding.subject)}`, durationMs: 0 };
  }
  const enforcing = clients !== undefined && context.mode === 'enforce';
  const claims = enforcing && ledger !== undefined;
  let claimed = false;
  let pending: AppliedStep | undefined;
  let plan: Plan<unknown> | undefined;
  try {
    // The claim and the read go out together: both are needed before the write, neither needs the other.
    const [claimRead, stateRead] = await Promise.all([
      claims ? ledger.claimStep(context.incidentId, index, action.id, context.owner, context.leaseMs, now()).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })) : undefined,
      (clients ? action.describe(target, params, clients) : Promise.resolve(action.assume(target, params))).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })),
    ]);
    if (claimRead) {
      if (!claimRead.ok) throw claimRead.error;
      const claim = claimRead.value;
      if (claim.kind === 'applied') {
        return { ...head, status: 'no-op', summary: `Already applied by an earlier delivery at ${claim.step.appliedAt}: ${claim.step.summary}`, replaced: claim.step.replaced, durationMs: elapsed() };
      }
      if (claim.kind === 'busy') {
        return { ...head, status: 'skipped', summary: `Another delivery of this finding is applying this step (its claim runs until ${claim.claimedUntil})`, concurrent: true, durationMs: elapsed() };
      }
      claimed = true;
      pending = claim.pending;
      // The claim replaced an earlier invocation's unconfirmed intent: put it back at once under this claim, so that
      // its pre-state survives whatever happens next (an abandon keeps intents, it only drops bare claims).
      if (pending) await ledger!.recordIntent(context.incidentId, pending, context.owner);
    }
    if (!stateRead.ok) throw stateRead.error;
    const state: unknown = stateRead.value;
    plan = action.plan(target, state, params, now()) as Plan<unknown>;
    const manual = plan.manualSteps && plan.manualSteps.length > 0 ? { manualSteps: plan.manualSteps } : {};
    if (plan.kind === 'record') {
      if (claimed) await ledger!.recordApplied(context.incidentId, { index, action: action.id, summary: plan.summary, write: null, replaced: plan.recorded, appliedAt: now().toISOString() }, context.owner);
      return { ...head, status: 'recorded', summary: plan.summary, replaced: plan.recorded, ...manual, durationMs: elapsed() };
    }
    if (plan.kind === 'no-op' && claimed && pending) {
      // An earlier invocation wrote this and failed before confirming: confirm it now, with its original pre-state.
      await ledger!.recordApplied(context.incidentId, pending, context.owner);
      return { ...head, status: 'no-op', summary: `Applied by an earlier delivery, confirmed now: ${pending.summary}`, replaced: pending.replaced, ...manual, durationMs: elapsed() };
    }
    if (plan.kind !== 'write') {
      if (claimed) await ledger!.abandonClaim(context.incidentId, index, action.id, context.owner);
      return { ...head, status: plan.kind === 'no-op' ? 'no-op' : 'skipped', summary: plan.summary, ...manual, durationMs: elapsed() };
    }
    // The pre-state is the state before Firebreak's first attempt, even when that attempt half-succeeded.
    const replaced = pending ? pending.replaced : plan.replaced;
    const record = { replaced, release: plan.release, ...manual };
    if (!enforcing) return { ...head, status: 'planned', summary: plan.summary, ...record, durationMs: elapsed() };
    if (claimed) {
      await ledger!.recordIntent(context.incidentId, { index, action: action.id, summary: plan.summary, write: plan.write, replaced, appliedAt: now().toISOString() }, context.owner);
    }
    const applied = (await action.apply(plan.write, clients)) ?? plan.write;
    // Confirming in the ledger and reading back are independent: one round trip for both.
    const [, verification] = await Promise.all([
      claimed
        ? ledger!.recordApplied(context.incidentId, { index, action: action.id, summary: plan.summary, write: applied, replaced, appliedAt: now().toISOString() }, context.owner).then(() => {
            claimed = false;
          })
        : undefined,
      action.verify(applied, clients).catch((error: unknown) => ({ confirmed: false, detail: `could not read back: ${errorSummary(error).message}` })),
    ]);
    return { ...head, status: 'done', summary: plan.summary, ...record, verification, durationMs: elapsed() };
  } catch (error) {
    if (claimed) await ledger!.abandonClaim(context.incidentId, index, action.id, context.owner).catch(() => undefined);
    return {
      ...head,
      status: 'failed',
      summary: plan?.summary ?? action.title,
      error: errorSummary(error),
      // A failed write may or may not have taken: keep what it would have replaced, so a human can check and undo.
      ...(plan?.kind === 'write' ? { replaced: plan.replaced, release: plan.release } : {}),
      durationMs: elapsed(),
    };
  }
}

function failedRead(action: string, title: string, error: unknown): StepOutcome {
  return { action, title, containment: true, status: 'failed', summary: `${title} failed, so nothing was changed`, error: errorSummary(error), durationMs: 0 };
}

function manualReason(finding: Finding): string {
  const { subject } = finding;
  if (subject.kind === 'root') return 'the root user cannot be restricted by IAM policies: Firebreak does not act on it';
  if (subject.kind === 'federated-user') return 'a federated user session is contained through the IAM user that issued it, which the finding does not name';
  if (finding.config) return `Firebreak has no automatic fix for Config rule ${finding.config.ruleName} on ${finding.config.resourceType} ${finding.config.resourceId}: a human must fix it`;
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
  readonly breaker?: Outcome['breaker'];
  readonly problems?: readonly string[];
  readonly leaseOwner?: string;
}

function finish(base: FinishBase, result: Finish): Outcome {
  const urgent =
    !base.finding.sample &&
    (URGENT.has(result.status) || result.steps.some((step) => step.status === 'failed') || base.finding.subject.kind === 'root' || result.breaker?.opened === true);
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
    release: [...result.steps].reverse().flatMap((step) => (step.status === 'done' || step.status === 'planned' ? (step.release ?? []) : [])),
    ...(base.incidentId ? { incidentId: base.incidentId } : {}),
    ...(result.previousStatus ? { previousStatus: result.previousStatus } : {}),
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
