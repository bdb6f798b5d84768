import type { Finding } from '../model/finding';
import { followUpSteps } from '../kinds/manual-steps';
import type { Incident } from '../ledger/ledger';
import { overallStatus, type Outcome, type OutcomeStatus, type StepOutcome } from '../model/outcome';
import type { PlaybookMode } from '../model/playbook';
import { errorSummary } from './settle';

/** What every outcome of one run shares, known before anything is read. */
export interface OutcomeBase {
  readonly finding: Finding;
  readonly playbook: Outcome['playbook'];
  readonly simulated: boolean;
  readonly receivedAt: Date;
  readonly now: () => Date;
  readonly incidentId?: string;
}

/** How one run ended: what a phase that stops the run, or the step runner, found. */
export interface OutcomeParts {
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

/** A phase's answer: go on with what it found, or stop the run with this outcome. */
export type Verdict<T> = { readonly go: T } | { readonly stop: OutcomeParts };

const URGENT: ReadonlySet<OutcomeStatus> = new Set([
  'partially-contained',
  'not-contained',
  'manual-action-required',
  'awaiting-approval',
]);

export function assembleOutcome(base: OutcomeBase, result: OutcomeParts): Outcome {
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

/** What a run that got as far as its steps found. */
export interface StepsRun {
  readonly steps: readonly StepOutcome[];
  readonly mode: PlaybookMode;
  readonly resourceArn: string | undefined;
  readonly breaker: Outcome['breaker'];
  readonly containedAt: Date | undefined;
  /** The incident as the ledger had it before this delivery. */
  readonly incident: Incident | undefined;
  readonly problems: readonly string[];
  readonly leaseOwner?: string;
}

export function stepsOutcome(finding: Finding, run: StepsRun): OutcomeParts {
  const { steps, breaker, incident } = run;
  const plannedStatus = overallStatus(steps);
  const status = run.mode === 'approve' && plannedStatus === 'dry-run' ? 'awaiting-approval' : plannedStatus;
  return {
    status,
    steps,
    resourceArn: run.resourceArn,
    ...(status === 'manual-action-required' ? { reason: manualReason(finding) } : {}),
    ...(breaker
      ? {
          breaker,
          reason:
            `blast-radius breaker for ${breaker.scope} is open (${breaker.count} enforced containments this hour (UTC), ` +
            `limit ${breaker.limit}): this finding was only planned`,
        }
      : {}),
    manualSteps: [...steps.flatMap((step) => step.manualSteps ?? []), ...followUpSteps(finding)],
    ...(run.containedAt ? { containedAt: run.containedAt } : {}),
    ...(incident ? { previousStatus: incident.status } : {}),
    ...(incident?.notifyFailedAt && !incident.notifiedAt ? { untoldSince: incident.notifyFailedAt } : {}),
    problems: run.problems,
    ...(run.leaseOwner ? { leaseOwner: run.leaseOwner } : {}),
  };
}

/** A read before acting failed, so nothing was changed. */
export function failedRead(action: string, title: string, error: unknown): StepOutcome {
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

/** The ledger could not be read (or the breaker opened): not contained, nothing written. */
export function ledgerReadFailed(title: string, error: unknown, resourceArn: string | undefined): OutcomeParts {
  return { status: 'not-contained', steps: [failedRead('read-ledger', title, error)], resourceArn };
}

function manualReason(finding: Finding): string {
  const { subject } = finding;
  if (subject.kind === 'root')
    return 'the root user cannot be restricted by IAM policies: Firebreak does not act on it';
  if (subject.kind === 'federated-user')
    return 'a federated user session is contained through the IAM user that issued it, which the finding does not name';
  if (finding.config)
    return (
      `Firebreak has no automatic fix for Config rule ${finding.config.ruleName} on ` +
      `${finding.config.resourceType} ${finding.config.resourceId}: a human must fix it`
    );
  if (subject.kind === 'unsupported') return subject.reason;
  return 'no step of this playbook could contain it';
}
