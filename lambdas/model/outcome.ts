import type { Finding } from './finding';
import type { Verification } from './action';
import type { PlaybookMode } from './playbook';

export type StepStatus = 'done' | 'no-op' | 'recorded' | 'planned' | 'skipped' | 'failed' | 'not-applicable';

export interface StepOutcome {
  readonly action: string;
  readonly title: string;
  readonly containment: boolean;
  readonly status: StepStatus;
  readonly summary: string;
  /** The state the write replaced (done) or would replace (planned): what release restores. */
  readonly replaced?: unknown;
  readonly release?: readonly string[];
  readonly manualSteps?: readonly string[];
  readonly verification?: Verification;
  readonly error?: { readonly name: string; readonly message: string };
  /** Skipped because another live delivery holds this step's claim. */
  readonly concurrent?: boolean;
  readonly durationMs: number;
}

export type OutcomeStatus =
  | 'contained'
  | 'already-contained'
  | 'partially-contained'
  | 'not-contained'
  | 'dry-run'
  | 'skipped'
  | 'manual-action-required'
  /** Approval mode: the plan is recorded and waits for a human to approve or deny it (or for its timeout). */
  | 'awaiting-approval'
  /** Another delivery of the same finding holds every step: it will notify, this one stays quiet. */
  | 'duplicate';

export interface Outcome {
  readonly status: OutcomeStatus;
  /** A human must act now. */
  readonly urgent: boolean;
  readonly finding: Finding;
  readonly playbook: { readonly id: string; readonly mode: PlaybookMode };
  /** True when run by `simulate`: AWS state was assumed, not read, and nothing was written. */
  readonly simulated: boolean;
  readonly resourceArn?: string;
  /** Why nothing was done, for skipped and manual outcomes. */
  readonly reason?: string;
  readonly steps: readonly StepOutcome[];
  readonly manualSteps: readonly string[];
  readonly release: readonly string[];
  /** Set when a ledger is used: the id release takes. */
  readonly incidentId?: string;
  /** The status the ledger had for this incident before this delivery. */
  readonly previousStatus?: OutcomeStatus;
  /**
   * An earlier delivery acted on this incident but its message could not be published (SNS failed at this time) and
   * no message has gone out since: this delivery's message is the first a person sees, and says so.
   */
  readonly untoldSince?: string;
  /** The blast-radius breaker tripped: this delivery ran as a dry run. `opened` is true only for the delivery that opened it. */
  readonly breaker?: {
    readonly scope: string;
    readonly count: number;
    readonly limit: number;
    readonly opened: boolean;
  };
  /** Approval mode: the request (how to approve or deny, until when), or who approved this run and what changed since the plan. */
  readonly approval?: ApprovalNote;
  /** Set when the incident lease is still held for the caller to end (RunOptions.holdLease). */
  readonly leaseOwner?: string;
  /** Bookkeeping that failed (the ledger): the outcome is true, but not fully recorded. */
  readonly problems?: readonly string[];
  /** The resource's previous incident, when there was one within the last 30 days (set after the message is sent). */
  readonly recurrence?: { readonly previousIncidentId: string; readonly previousAt: string };
  /** True when this delivery was the incident's first and its resource was checked for a recent earlier incident. */
  readonly recurrenceChecked?: boolean;
  readonly timings: {
    readonly receivedAt: string;
    /** When the last containment write was confirmed in place (absent if nothing was contained). */
    readonly containedAt?: string;
    readonly finishedAt: string;
  };
}

export type ApprovalNote =
  | {
      readonly kind: 'requested';
      readonly expiresAt: string;
      readonly onTimeout: 'contain' | 'drop';
      readonly approveCommand: string;
      readonly denyCommand: string;
    }
  | {
      readonly kind: 'approved';
      readonly by: string;
      readonly at: string;
      readonly requestedAt: string;
      /** Steps whose result differs from the plan the approver saw (the state changed since): one line each. */
      readonly changes: readonly string[];
    };

/** True when the outcome is not final: a retry or a human must finish the work. */
export function hasFailures(outcome: Outcome): boolean {
  return outcome.steps.some((step) => step.status === 'failed') || (outcome.problems?.length ?? 0) > 0;
}

/** Decided by the containment steps only: bookkeeping steps (tags) never make a finding look contained. */
export function overallStatus(steps: readonly StepOutcome[]): OutcomeStatus {
  const containment = steps.filter((step) => step.containment && step.status !== 'not-applicable');
  const count = (status: StepStatus) => containment.filter((step) => step.status === status).length;
  if (containment.length > 0 && containment.every((step) => step.concurrent)) return 'duplicate';
  if (count('planned') > 0) return 'dry-run';
  const done = count('done');
  const failed = count('failed');
  const noop = count('no-op');
  if (done + failed + noop === 0) return 'manual-action-required';
  if (failed > 0) return done + noop > 0 ? 'partially-contained' : 'not-contained';
  if (done === 0) return 'already-contained';
  return 'contained';
}
