import type { AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import type { FindingSources } from '../findings/confirm-finding';
import { incidentIdOf } from '../ledger/incident-id';
import type { AppliedStep, Incident, Ledger } from '../ledger/ledger';
import type { Finding } from '../model/finding';
import type { Outcome, StepOutcome } from '../model/outcome';
import type { PlaybookMode } from '../model/playbook';
import { assembleOutcome, stepsOutcome, type OutcomeBase, type Verdict } from './assemble-outcome';
import { BreakerSlots, tripBreaker } from './breaker';
import { heldElsewhere, IncidentLease } from './claim';
import { gateFinding, gateResolution, type Resolved } from './gate';
import { Journal } from './journal';
import { checkRecords, readRecords, releasedExemption } from './prior-records';
import { reachAccount } from './reach-account';
import { readAhead, type ReadAhead, type RunFrame } from './read-ahead';
import { recordOutcome } from './record-outcome';
import type { ResponderSettings } from './responder-settings';
import { actedOnFinding, refuseUnconfirmed } from './source-gate';
import type { StepContext } from './step-context';
import { prepareSteps, runSteps } from './step-runner';
import { THROTTLE_RETRY_MS, withThrottleRetry } from './throttle-retry';

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

const DEFAULT_LEASE_MS = 120_000;

/**
 * Gate, resolve, then for each step: describe (read) -> plan (pure) -> apply (write; not in dry-run) -> verify.
 *
 * Round trips are the time to contain, so: the reads of every step start with the resolve, the incident read and the
 * lease, in one round trip (read-ahead.ts); the steps then write concurrently, each after the reads of the steps
 * before it (so a recording step sees the state before any write) and after the steps it names in `after`
 * (step-runner.ts). The pre-state of every write is in the ledger before the write (journal.ts): the lease carries
 * each step's intent as planned on the finding's own view of the resource; a step whose real pre-state is that one
 * writes at once, any other records its intent first. The incident lease makes one delivery at a time act (claim.ts).
 * A failing step is recorded and the others still run: a partial containment beats none. Never throws for an AWS
 * error; the outcome says what happened, step by step.
 *
 * The blast-radius breaker's slots are taken in the first round trip and given back unless the run may have
 * written (breaker.ts); a run that ends early gives them back here, after it.
 */
export async function runPlaybook(finding: Finding, options: RunOptions): Promise<Outcome> {
  const slots = new BreakerSlots(options.ledger);
  const outcome = await runHoldingSlots(finding, options, slots);
  const problem = await slots.settle(outcome.steps);
  return problem ? { ...outcome, problems: [...(outcome.problems ?? []), problem] } : outcome;
}

/** Gate, reach the account, read ahead, admit: then `contain`. Each phase may end the run with its outcome. */
async function runHoldingSlots(finding: Finding, options: RunOptions, slots: BreakerSlots): Promise<Outcome> {
  const { settings } = options;
  const now = options.now ?? (() => new Date());
  const incidentId = incidentIdOf(finding);
  const base: OutcomeBase = {
    finding,
    playbook: { id: settings.playbook.id, mode: settings.playbook.mode },
    simulated: options.clients === undefined,
    receivedAt: options.receivedAt,
    now,
    ...(options.ledger ? { incidentId } : {}),
  };
  const gated = gateFinding(finding, settings);
  if (gated) return assembleOutcome(base, { status: 'skipped', reason: gated, steps: [] });
  const reached = await reachAccount(finding, options.clients, options.clientFactory);
  if ('stop' in reached) return assembleOutcome(base, reached.stop);

  const clients = reached.go && withThrottleRetry(reached.go, Date.now() + THROTTLE_RETRY_MS);
  const ledger = clients ? options.ledger : undefined;
  const owner = options.invocationId ?? `run-${options.receivedAt.getTime()}`;
  const steps = prepareSteps(settings);
  const frame: RunFrame = { finding, settings, clients, ledger, incidentId, owner, now, steps, planTime: now() };
  const leaseMs = options.claimLeaseMs ?? DEFAULT_LEASE_MS;
  const ahead = await readAhead(frame, slots, { findingSources: options.findingSources, leaseMs });
  const lease = new IncidentLease(ledger, incidentId, owner, now, ahead.leaseRead);
  const reported: OutcomeBase = { ...base, finding: actedOnFinding(finding, ahead.confirmation) };
  const admitted = await admit(frame, ahead, lease, slots);
  if ('stop' in admitted) {
    await lease.giveBack();
    return assembleOutcome(reported, admitted.stop);
  }
  return contain(frame, ahead, admitted.go, { lease, slots, holdLease: options.holdLease === true }, reported);
}

/** The claims a run holds while it acts, and whether its caller ends the lease. */
interface Claims {
  readonly lease: IncidentLease;
  readonly slots: BreakerSlots;
  readonly holdLease: boolean;
}

/** The steps (a dry run when the breaker holds the run), the last round trip, and the outcome. */
async function contain(
  frame: RunFrame,
  ahead: ReadAhead,
  admitted: Admitted,
  { lease, slots, holdLease }: Claims,
  reported: OutcomeBase,
): Promise<Outcome> {
  const { finding, settings, clients, ledger, incidentId, owner } = frame;
  const { resource, resourceArn, incident, breaker } = admitted;
  const mode: PlaybookMode = breaker ? 'dry-run' : settings.playbook.mode;
  const journal =
    clients && ledger && mode === 'enforce'
      ? new Journal(ledger, incidentId, owner, ahead.intents, admitted.trusted, lease.takenOver)
      : undefined;
  const context: StepContext = {
    target: { finding, resource },
    mode,
    clients,
    reader: ahead.reader,
    journal,
    planTime: frame.planTime,
    now: frame.now,
    protectedPrincipals: settings.protectedPrincipals,
  };
  const ran = await runSteps(frame.steps, context);
  const steps = [...admitted.problems, ...ran.steps];
  const recorded = await recordOutcome(steps, lease, journal, slots, holdLease);
  const { containedAt } = ran;
  const parts = stepsOutcome(finding, { steps, mode, resourceArn, breaker, containedAt, incident, ...recorded });
  return assembleOutcome({ ...reported, playbook: { id: settings.playbook.id, mode } }, parts);
}

/** What the checks after the first round trip let through. */
interface Admitted extends Resolved {
  /** The incident as the ledger had it before this delivery. */
  readonly incident: Incident | undefined;
  /** One failed step per ledger record that is not Firebreak's (urgent, named in the message). */
  readonly problems: readonly StepOutcome[];
  /** The step records of earlier deliveries the run may act on. */
  readonly trusted: readonly AppliedStep[];
  /** Set when the blast-radius breaker holds the run: it is then only planned. */
  readonly breaker: Outcome['breaker'];
}

/**
 * Once the first round trip is back, in this order: another delivery holds the incident, the source does not confirm
 * the finding, the resource is not what it names (or protected, or exempt), the ledger cannot be read, a human
 * released it, the breaker holds the run. Each of those but the last stops it.
 */
async function admit(
  frame: RunFrame,
  ahead: ReadAhead,
  lease: IncidentLease,
  slots: BreakerSlots,
): Promise<Verdict<Admitted>> {
  const { finding, settings, ledger, incidentId, now } = frame;
  const held = heldElsewhere(ahead.leaseRead, ahead.resolution, ahead.incidentRead);
  if (held) return { stop: held };
  const refused = refuseUnconfirmed(ahead.confirmation, finding, settings);
  if (refused) return { stop: refused };
  const resolved = gateResolution(ahead.resolution, finding, settings);
  if ('stop' in resolved) return resolved;
  const { resourceArn } = resolved.go;
  const records = await readRecords(ledger, incidentId, ahead, resourceArn);
  if ('stop' in records) return records;
  const incident = records.go?.incident;
  const configIncident = ahead.configRead?.ok ? ahead.configRead.value : undefined;
  const { problems, trusted } = checkRecords(incidentId, records.go?.steps ?? [], [incident, configIncident]);
  const released = releasedExemption(finding, incident, configIncident, now, resourceArn);
  if (released) return { stop: released };
  const tripped = await tripBreaker(slots, ahead.breakerRead, now, resourceArn);
  if ('stop' in tripped) return tripped;
  if (tripped.go) await lease.giveBack();
  return { go: { ...resolved.go, incident, problems, trusted, breaker: tripped.go } };
}
