import type { Outcome } from '../../lambdas/model/outcome';
import type { ProtectedOperation } from '../../lambdas/identity/request-binding';
import { functionErrorText, type SignedInvokeAnswer } from './caller-proof';
import type { Canary } from './drill-canaries';
import type { PhaseResult } from './drill-report';

/**
 * Invokes a Firebreak function with a request and its caller proof, the same authenticated path as a person's
 * commands: in production `invokeWithCallerProof` (Lambda Invoke, signed with the person's credentials); in the
 * contract suite a call of the synthesized bundle on the emulator.
 */
export type DrillInvoke = (
  operation: Extract<ProtectedOperation, 'drill' | 'release'>,
  functionName: string,
  request: Readonly<Record<string, unknown>>,
) => Promise<SignedInvokeAnswer>;

/** Errors a responder throws before it writes anything. */
const REFUSALS: ReadonlySet<string> = new Set(['DrillRefusedError', 'CallerNotAuthenticatedError']);

/** What the responder answered to the drill request. */
export interface Injected {
  /** The responder refused the request before any write (not authenticated, not a canary): nothing to wait for. */
  readonly refused?: boolean;
  readonly outcome?: Outcome;
  readonly notifiedAt?: string;
  readonly incidentId?: string;
}

/** The drill request, exactly as the responder authenticates it (the canary it names is checked against IAM). */
export function drillRequest(drillId: string, canary: Canary, label?: string): Record<string, unknown> {
  return {
    firebreak: 'drill',
    drillId,
    userName: canary.userName,
    accessKeyId: canary.accessKeyId,
    ...(label ? { label } : {}),
  };
}

/**
 * Sends the responder the drill request and reads its answer: the outcome of the drill finding it ran through its
 * pipeline, or why it refused (not authenticated, not a canary) or failed (a step failed: the outcome is then in the
 * message and the ledger, not in the answer).
 */
export async function injectDrill(
  invoke: DrillInvoke,
  functionName: string,
  request: Readonly<Record<string, unknown>>,
): Promise<PhaseResult<Injected>> {
  const answer = await invoke('drill', functionName, request);
  if (answer.functionError) {
    const { errorType } = (answer.result ?? {}) as { errorType?: string };
    const refused = errorType !== undefined && REFUSALS.has(errorType);
    const what = refused ? 'the responder refused the drill' : 'the responder failed';
    return { ok: false, detail: `${what}: ${functionErrorText(answer)}`, value: { refused } };
  }
  const result = answer.result as { kind?: string; outcome?: Outcome; notifiedAt?: string } | null;
  if (result?.kind !== 'handled' || !result.outcome)
    return { ok: false, detail: `unexpected answer from ${functionName}: ${answer.body.slice(0, 500)}`, value: {} };
  const { outcome } = result;
  const value = {
    outcome,
    ...(result.notifiedAt ? { notifiedAt: result.notifiedAt } : {}),
    ...(outcome.incidentId ? { incidentId: outcome.incidentId } : {}),
  };
  const steps = outcome.steps.map((step) => `${step.action} ${step.status}`).join(', ');
  const ok = outcome.status === 'contained' && !outcome.steps.some((step) => step.status === 'failed');
  return { ok, detail: `the responder answered ${outcome.status.toUpperCase()} (${steps || outcome.reason})`, value };
}
