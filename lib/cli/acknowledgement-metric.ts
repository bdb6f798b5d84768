import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { Incident } from '../../lambdas/ledger/ledger';
import { METRIC, METRICS_SERVICE } from '../../lambdas/metrics/outcome-metrics';

/**
 * The time to acknowledge of one incident (receipt to acknowledgement), with the same dimensions as the responders'
 * metrics so the dashboard reads it beside them. Undefined when the times cannot be read or are out of order.
 */
export function acknowledgementMetric(
  incident: Pick<Incident, 'playbook' | 'receivedAt'>,
  acknowledgedAt: string,
): MetricDatum | undefined {
  const ms = Date.parse(acknowledgedAt) - Date.parse(incident.receivedAt);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return {
    MetricName: METRIC.timeToAcknowledge,
    Unit: 'Milliseconds',
    Value: ms,
    Timestamp: new Date(acknowledgedAt),
    Dimensions: [
      { Name: 'service', Value: METRICS_SERVICE },
      { Name: 'playbook', Value: incident.playbook },
    ],
  };
}
