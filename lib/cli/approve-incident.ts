import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Outcome } from '../../lambdas/model/outcome';
import { renderText } from '../../lambdas/notify/render-text';
import { functionErrorText, invokeWithCallerProof } from './caller-proof';

export interface ApproveOptions {
  /** Its credentials are the approver's: they sign the caller proof and make the invoke. */
  readonly lambda: LambdaClient;
  /** The responder of the incident's playbook (stack output ResponderFunctionName-<playbook>). */
  readonly functionName: string;
  readonly incidentId: string;
  /** The CLI's --by: a label kept beside the ARN STS returns, never instead of it. */
  readonly label?: string;
  readonly now?: () => Date;
}

export interface ApproveAnswer {
  /** What to print. */
  readonly text: string;
  /** True when this approval won and the playbook ran to a final outcome without a failed step. */
  readonly ok: boolean;
}

/**
 * Approves one pending plan: invokes the responder synchronously with `{"firebreak":"approve",...}` and a caller
 * proof (a GetCallerIdentity request signed with the approver's credentials, bound to this approval), from which the
 * responder learns, through STS, who approves. The responder re-reads the state and applies the plan through every
 * gate, exactly once, and sends the outcome message; this returns the same outcome (or why the approval was refused:
 * not authenticated, unknown, another playbook's, already decided).
 */
export async function approveIncident(options: ApproveOptions): Promise<ApproveAnswer> {
  const request = {
    firebreak: 'approve',
    incidentId: options.incidentId,
    ...(options.label ? { label: options.label } : {}),
  };
  const answer = await invokeWithCallerProof(options.lambda, 'approve', options.functionName, request, options.now);
  if (answer.functionError) {
    const { errorType } = (answer.result ?? {}) as { errorType?: string };
    if (errorType === 'CallerNotAuthenticatedError')
      return { ok: false, text: `Not approved: ${functionErrorText(answer)}` };
    return {
      ok: false,
      text: `The responder failed (${functionErrorText(answer)})\nIf the plan was approved, its outcome message was sent; see the responder's logs.`,
    };
  }
  const result = answer.result as { kind?: string; result?: string; reason?: string; outcome?: Outcome };
  if (result.kind === 'approval') return { ok: false, text: `Not approved (${result.result}): ${result.reason}` };
  if (result.kind === 'handled' && result.outcome) {
    const failed = result.outcome.steps.some((step) => step.status === 'failed');
    return { ok: !failed, text: renderText(result.outcome) };
  }
  return { ok: false, text: `Unexpected answer from ${options.functionName}: ${answer.body.slice(0, 2000)}` };
}

/**
 * Denies one pending plan: invokes the responder with `{"firebreak":"deny",...}` and a caller proof, like approve;
 * the plan is never applied and the sweep sends the one DENIED message. Refused when the caller is not
 * authenticated, the incident unknown or another playbook's, or the plan already decided.
 */
export async function denyIncident(options: ApproveOptions): Promise<ApproveAnswer> {
  const request = {
    firebreak: 'deny',
    incidentId: options.incidentId,
    ...(options.label ? { label: options.label } : {}),
  };
  const answer = await invokeWithCallerProof(options.lambda, 'deny', options.functionName, request, options.now);
  if (answer.functionError) return { ok: false, text: `Not denied: ${functionErrorText(answer)}` };
  const result = answer.result as { kind?: string; result?: string; reason?: string };
  if (result.kind === 'approval' && result.result === 'denied')
    return { ok: true, text: `Incident ${options.incidentId}: ${result.reason}.` };
  if (result.kind === 'approval') return { ok: false, text: `Not denied (${result.result}): ${result.reason}` };
  return { ok: false, text: `Unexpected answer from ${options.functionName}: ${answer.body.slice(0, 2000)}` };
}
