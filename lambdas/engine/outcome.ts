import type { Finding } from '../findings/finding';
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
  readonly durationMs: number;
}

export type OutcomeStatus =
  | 'contained'
  | 'already-contained'
  | 'partially-contained'
  | 'not-contained'
  | 'dry-run'
  | 'skipped'
  | 'manual-action-required';

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
  readonly timings: {
    readonly receivedAt: string;
    /** When the last containment write was confirmed in place (absent if nothing was contained). */
    readonly containedAt?: string;
    readonly finishedAt: string;
  };
}

/** True when the outcome is not final: a retry or a human must finish the work. */
export function hasFailures(outcome: Outcome): boolean {
  return outcome.steps.some((step) => step.status === 'failed');
}

/** Decided by the containment steps only: bookkeeping steps (tags) never make a finding look contained. */
export function overallStatus(steps: readonly StepOutcome[]): OutcomeStatus {
  const containment = steps.filter((step) => step.containment && step.status !== 'not-applicable');
  const count = (status: StepStatus) => containment.filter((step) => step.status === status).length;
  if (count('planned') > 0) return 'dry-run';
  const done = count('done');
  const failed = count('failed');
  const noop = count('no-op');
  if (done + failed + noop === 0) return 'manual-action-required';
  if (failed > 0) return done + noop > 0 ? 'partially-contained' : 'not-contained';
  if (done === 0) return 'already-contained';
  return 'contained';
}
