import type { ReleaseReport } from '../../lambdas/pipeline/release-incident';
import { functionErrorText } from './caller-proof';
import type { DrillInvoke } from './drill-inject';
import type { PhaseResult } from './drill-report';

/**
 * Releases the drill's incident through the release function, as `firebreak release` does (a caller proof, the
 * release function's own role and record checks). Complete means every step was restored or kept as evidence.
 */
export async function releaseDrill(
  invoke: DrillInvoke,
  functionName: string,
  incidentId: string,
  label?: string,
): Promise<PhaseResult<{ readonly released: boolean }>> {
  const answer = await invoke('release', functionName, { incidentId, ...(label ? { label } : {}) });
  const none = { released: false };
  if (answer.functionError) return { ok: false, detail: `not released: ${functionErrorText(answer)}`, value: none };
  // The release function's answer (lambdas/handlers/release.ts): its report, who released, kind 'released'.
  const result = answer.result as { kind?: string } | null;
  if (result?.kind !== 'released')
    return { ok: false, detail: `unexpected answer from ${functionName}: ${answer.body.slice(0, 500)}`, value: none };
  const report = result as ReleaseReport & { readonly releasedBy: string };
  const steps = report.steps.map((step) => `${step.action} ${step.status}`).join(', ');
  return {
    ok: report.complete,
    detail: `${report.complete ? 'released' : 'released in part'} by ${report.releasedBy}: ${steps}`,
    value: { released: true },
  };
}
