import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Outcome } from '../lambdas/engine/outcome';
import { renderText } from '../lambdas/notify/render-text';

export interface ApproveOptions {
  readonly lambda: LambdaClient;
  /** The responder of the incident's playbook (stack output ResponderFunctionName-<playbook>). */
  readonly functionName: string;
  readonly incidentId: string;
  readonly approvedBy: string;
}

export interface ApproveAnswer {
  /** What to print. */
  readonly text: string;
  /** True when this approval won and the playbook ran to a final outcome without a failed step. */
  readonly ok: boolean;
}

/**
 * Approves one pending plan: invokes the responder synchronously with `{"firebreak":"approve",...}`. The responder
 * re-reads the state and applies the plan through every gate, exactly once, and sends the outcome message; this
 * returns the same outcome (or why the approval was refused: unknown, another playbook's, already decided).
 */
export async function approveIncident(options: ApproveOptions): Promise<ApproveAnswer> {
  const request = { firebreak: 'approve', incidentId: options.incidentId, approvedBy: options.approvedBy };
  const response = await options.lambda.send(
    new InvokeCommand({ FunctionName: options.functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(request)) }),
  );
  const body = response.Payload ? new TextDecoder().decode(response.Payload) : 'null';
  let result: unknown;
  try {
    result = JSON.parse(body) as unknown;
  } catch {
    result = body;
  }
  if (response.FunctionError) {
    const { errorType, errorMessage } = (result ?? {}) as { errorType?: string; errorMessage?: string };
    return { ok: false, text: `The responder failed (${errorType ?? response.FunctionError}): ${errorMessage ?? body}\nIf the plan was approved, its outcome message was sent; see the responder's logs.` };
  }
  const answer = result as { kind?: string; result?: string; reason?: string; outcome?: Outcome };
  if (answer.kind === 'approval') return { ok: false, text: `Not approved (${answer.result}): ${answer.reason}` };
  if (answer.kind === 'handled' && answer.outcome) {
    const failed = answer.outcome.steps.some((step) => step.status === 'failed');
    return { ok: !failed, text: renderText(answer.outcome) };
  }
  return { ok: false, text: `Unexpected answer from ${options.functionName}: ${body.slice(0, 2000)}` };
}
