import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricPoint } from './outcome-metrics';

/**
 * Writes the points as CloudWatch embedded-metric-format documents on stdout (no API call). An EMF document holds one
 * value per dimension, so the points go out as one document per dimension set: the playbook's (with the metadata),
 * then one per (action, status) of the steps.
 */
export function publishMetrics(
  metrics: Metrics,
  points: readonly MetricPoint[],
  metadata: Readonly<Record<string, string>>,
): void {
  const groups = new Map<string, MetricPoint[]>();
  for (const point of points) {
    const key = JSON.stringify(Object.entries(point.dimensions).sort(([a], [b]) => a.localeCompare(b)));
    groups.set(key, [...(groups.get(key) ?? []), point]);
  }
  let first = true;
  for (const group of groups.values()) {
    for (const [name, value] of Object.entries(group[0]!.dimensions)) metrics.addDimension(name, value);
    for (const point of group) metrics.addMetric(point.name, point.unit, point.value);
    if (first) for (const [key, value] of Object.entries(metadata)) metrics.addMetadata(key, value);
    first = false;
    metrics.publishStoredMetrics();
  }
}
