import { shellQuote } from '../actions/support/shell-quote';
import type { Approval, Approvals, PlannedStepSummary } from '../ledger/approvals';
import type { ApprovalNote, Outcome, StepOutcome } from '../model/outcome';
import type { ApprovalSettings } from '../model/playbook';

/** Where the approve and deny commands of a message point: the responder function and the ledger table. */
export interface ApprovalCommandTargets {
  readonly functionName: string;
  readonly tableName: string;
  readonly region: string;
}

const PLACEHOLDERS: ApprovalCommandTargets = {
  functionName: '<ResponderFunctionName>',
  tableName: '<LedgerTableName>',
  region: '<region>',
};

/** The plan as the approver sees it: every step's status and summary. */
export function planOf(steps: readonly StepOutcome[]): PlannedStepSummary[] {
  return steps.map((step) => ({ action: step.action, status: step.status, summary: step.summary }));
}

export function approvalCommands(
  incidentId: string,
  targets: ApprovalCommandTargets = PLACEHOLDERS,
): { approveCommand: string; denyCommand: string } {
  const id = shellQuote(incidentId);
  const region = shellQuote(targets.region);
  return {
    approveCommand: `npm run firebreak -- approve ${id} --function ${shellQuote(targets.functionName)} --region ${region} --by "$USER"`,
    denyCommand: `npm run firebreak -- deny ${id} --function ${shellQuote(targets.functionName)} --region ${region} --by "$USER"`,
  };
}

export type RecordedRequest =
  | { readonly kind: 'requested'; readonly outcome: Outcome }
  /** A concurrent or earlier delivery holds a request or a decision for this incident: this one stays quiet. */
  | { readonly kind: 'exists'; readonly outcome: Outcome; readonly reason: string }
  | { readonly kind: 'failed'; readonly outcome: Outcome; readonly problem: string };

/**
 * Records an approval-mode plan as awaiting approval (with the event, to re-run it on approval) and puts the approve
 * and deny commands on the outcome. A plan already pending or decided for the incident is never replaced.
 */
export async function recordApprovalRequest(
  outcome: Outcome,
  event: unknown,
  approval: ApprovalSettings,
  approvals: Approvals,
  targets: ApprovalCommandTargets | undefined,
  now: Date,
): Promise<RecordedRequest> {
  const incidentId = outcome.incidentId!;
  const requestedAt = outcome.timings.receivedAt;
  const expiresAt = new Date(Date.parse(requestedAt) + approval.timeoutMinutes * 60_000).toISOString();
  try {
    if (event === undefined)
      throw new Error('the event of the finding is not known to this run, so the plan cannot be re-run on approval');
    const result = await approvals.requestApproval(
      {
        incidentId,
        playbook: outcome.playbook.id,
        requestedAt,
        approvalExpiresAt: expiresAt,
        onTimeout: approval.onTimeout,
        event,
        plan: planOf(outcome.steps),
      },
      now,
    );
    if (result.kind === 'exists') return { kind: 'exists', outcome, reason: existingReason(result.approval) };
  } catch (error) {
    return {
      kind: 'failed',
      outcome,
      problem: `the approval request was not recorded, so it cannot be approved: ${(error as Error).message}; contain by hand, or re-drive the event`,
    };
  }
  const note: ApprovalNote = {
    kind: 'requested',
    expiresAt,
    onTimeout: approval.onTimeout,
    ...approvalCommands(incidentId, targets),
  };
  return { kind: 'requested', outcome: { ...outcome, approval: note } };
}

/** A run an approval (or its timeout) started: the outcome says who approved the plan, and what differs from it now. */
export function withApprovedNote(outcome: Outcome, approved: Approval, now: () => Date): Outcome {
  const changes =
    outcome.steps.length === 0
      ? [`nothing was applied: ${outcome.reason ?? outcome.status}`]
      : approvalChanges(approved.plan, outcome.steps);
  return {
    ...outcome,
    approval: {
      kind: 'approved',
      by: approved.decidedBy ?? 'a human',
      at: approved.decidedAt ?? now().toISOString(),
      requestedAt: approved.requestedAt,
      changes,
    },
  };
}

/** Why a re-delivery stays quiet: the incident's approval is pending or was decided. */
export function existingReason(approval: Approval): string {
  switch (approval.status) {
    case 'awaiting':
      return `an approval request for this incident is pending since ${approval.requestedAt} (until ${approval.approvalExpiresAt}); it is not asked again`;
    case 'denied':
      return `the plan for this incident was denied by ${approval.decidedBy ?? 'a human'} at ${approval.decidedAt ?? '?'}; it is not contained or asked again`;
    case 'expired':
      return `the approval for this incident expired at ${approval.approvalExpiresAt} and was dropped; it is not contained or asked again`;
    case 'approved':
      return `the plan for this incident was approved by ${approval.decidedBy ?? 'a human'} at ${approval.decidedAt ?? '?'} and is being applied`;
  }
}

const WRITES: ReadonlySet<string> = new Set(['planned', 'done', 'failed']);

/**
 * After approval: the steps whose result differs from the plan the approver saw, because the state changed since (a
 * planned write that is now a no-op or skipped, or the reverse). Summaries are not compared: they carry the plan time.
 */
export function approvalChanges(plan: readonly PlannedStepSummary[], steps: readonly StepOutcome[]): string[] {
  const changes: string[] = [];
  steps.forEach((step, index) => {
    const planned =
      plan.find((candidate, position) => candidate.action === step.action && position === index) ??
      plan.find((candidate) => candidate.action === step.action);
    if (!planned) {
      changes.push(`${step.action}: not in the approved plan; now ${step.status}: ${step.summary}`);
      return;
    }
    const wasWrite = WRITES.has(planned.status);
    const isWrite = WRITES.has(step.status);
    if (wasWrite && !isWrite)
      changes.push(`${step.action}: planned "${planned.summary}", now ${step.status.toUpperCase()}: ${step.summary}`);
    else if (!wasWrite && isWrite)
      changes.push(`${step.action}: planned as ${planned.status} ("${planned.summary}"), now a write: ${step.summary}`);
  });
  return changes;
}
