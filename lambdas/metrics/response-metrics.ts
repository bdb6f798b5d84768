import type { Metrics } from '@aws-lambda-powertools/metrics';
import { ContainmentIncompleteError, type HandleResult, type Log } from '../pipeline/handle-event';
import { findingOutcomesOf } from '../pipeline/handle-securityhub-event';
import { FindingRejectedError } from '../findings/finding-rejected-error';
import { invocationMetadata, invocationMetrics, type InvocationResult } from './outcome-metrics';
import { publishMetrics } from './publish-metrics';

/**
 * Runs one invocation and publishes its response metrics once, at its end, whether it returned or threw (a failed
 * step throws after notifying; its outcome travels on the error). Publishing never fails the invocation.
 */
export async function withResponseMetrics(
  metrics: Metrics,
  playbook: string,
  log: Log,
  run: () => Promise<HandleResult>,
): Promise<HandleResult> {
  const started = Date.now();
  let result: InvocationResult = { kind: 'other' };
  try {
    const handled = await run();
    if (handled.kind === 'handled')
      result = {
        kind: 'handled',
        outcome: handled.outcome,
        ...(handled.notifiedAt ? { notifiedAt: handled.notifiedAt } : {}),
      };
    if (handled.kind === 'securityhub') result = { kind: 'several', outcomes: findingOutcomesOf(handled.findings) };
    return handled;
  } catch (error) {
    if (error instanceof ContainmentIncompleteError && error.findingOutcomes) {
      result = { kind: 'several', outcomes: error.findingOutcomes };
    } else if (error instanceof ContainmentIncompleteError && error.outcome) {
      result = {
        kind: 'handled',
        outcome: error.outcome,
        ...(error.notifiedAt ? { notifiedAt: error.notifiedAt } : {}),
      };
    } else if (error instanceof FindingRejectedError) {
      result = { kind: 'rejected' };
    }
    throw error;
  } finally {
    try {
      publishMetrics(metrics, invocationMetrics(playbook, result, Date.now() - started), invocationMetadata(result));
    } catch (error) {
      log.warn('Response metrics not published', { playbook, error: (error as Error).message });
    }
  }
}
