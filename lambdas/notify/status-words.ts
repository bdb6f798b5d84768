import type { Outcome, OutcomeStatus, StepStatus } from '../model/outcome';

export const OUTCOME_WORDS: Readonly<Record<OutcomeStatus, string>> = {
  contained: 'CONTAINED',
  'already-contained': 'ALREADY CONTAINED',
  'partially-contained': 'PARTIALLY CONTAINED',
  'not-contained': 'NOT CONTAINED',
  'dry-run': 'DRY RUN',
  skipped: 'NO ACTION',
  'manual-action-required': 'ACTION REQUIRED',
  duplicate: 'IN PROGRESS ELSEWHERE',
  'awaiting-approval': 'APPROVE?',
};

export const STEP_WORDS: Readonly<Record<StepStatus, string>> = {
  done: 'DONE',
  'no-op': 'NO-OP',
  recorded: 'RECORDED',
  planned: 'WOULD DO',
  skipped: 'SKIPPED',
  failed: 'FAILED',
  'not-applicable': 'N/A',
};

/** A simulation of an enforcing playbook shows what enforcement would do, not "dry run". */
export function outcomeWord(outcome: Outcome): string {
  if (outcome.simulated && outcome.status === 'dry-run') {
    return outcome.playbook.mode === 'enforce' ? 'SIMULATED: WOULD CONTAIN' : 'SIMULATED: DRY RUN';
  }
  return `${outcome.simulated ? 'SIMULATED: ' : ''}${OUTCOME_WORDS[outcome.status]}`;
}
