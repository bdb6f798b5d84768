import type { Outcome, OutcomeStatus, StepStatus } from '../model/outcome';

/** The CloudWatch namespace of every Firebreak metric, and the Powertools service (a dimension of every metric). */
export const METRICS_NAMESPACE = 'Firebreak';
export const METRICS_SERVICE = 'firebreak';

/** Metric names: the dashboard reads the same constants. */
export const METRIC = {
  timeToContainFromFirstSeen: 'TimeToContainFromFirstSeen',
  timeToContainFromLastSeen: 'TimeToContainFromLastSeen',
  timeToContainFromReceipt: 'TimeToContainFromReceipt',
  timeToNotifyFromReceipt: 'TimeToNotifyFromReceipt',
  timeToNotifyFromFirstSeen: 'TimeToNotifyFromFirstSeen',
  handlerDuration: 'HandlerDuration',
  plannedWrites: 'DryRunPlannedWrites',
  breakerHeld: 'BreakerHeld',
  breakerOpened: 'BreakerOpened',
  step: 'StepOutcome',
  rejected: 'EventsRejected',
  /** 1 when the incident's resource had another incident within 30 days, else 0 (first delivery of an incident only). */
  recurrence: 'Recurrence',
  /** Published by `firebreak ack`: from receipt to acknowledgement. */
  timeToAcknowledge: 'TimeToAcknowledge',
} as const;

export const OUTCOME_STATUSES: readonly OutcomeStatus[] = [
  'contained',
  'already-contained',
  'partially-contained',
  'not-contained',
  'dry-run',
  'skipped',
  'manual-action-required',
  'duplicate',
  'awaiting-approval',
];

/** `partially-contained` -> `OutcomePartiallyContained`: one count metric per outcome status. */
export function outcomeMetricName(status: OutcomeStatus): string {
  return `Outcome${status.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}`;
}

export type MetricUnitName = 'Milliseconds' | 'Count';

/**
 * One value of one metric. Dimensions are low-cardinality only (playbook, and for steps the action and its status,
 * a bounded set); the account, finding and incident ids are metadata (`invocationMetadata`), never dimensions.
 */
export interface MetricPoint {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** What one invocation of a responder ended as, with the facts the metrics need. */
export type InvocationResult =
  | { readonly kind: 'handled'; readonly outcome: Outcome; readonly notifiedAt?: string }
  /** A Security Hub event: one outcome per finding it handled. */
  | {
      readonly kind: 'several';
      readonly outcomes: readonly { readonly outcome: Outcome; readonly notifiedAt?: string }[];
    }
  | { readonly kind: 'rejected' }
  /** Not a finding for this playbook, a Config resolution, or an unexpected error: only the handler time. */
  | { readonly kind: 'other' };

/** Milliseconds from `from` to `to`; undefined when either is missing or unparseable, or the interval is negative (clock skew). */
export function elapsedMs(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * The metric points of one handled finding: times to contain and to notify (only when this delivery contained or
 * notified), one count per outcome status (1 for this delivery's, 0 for the others, so sums and rates need no gap
 * filling), one count per step (action, status), the writes a dry run planned, and the breaker.
 */
export function outcomeMetrics(outcome: Outcome, notifiedAt?: string): MetricPoint[] {
  const playbook = { playbook: outcome.playbook.id };
  const { finding, timings } = outcome;
  const points: MetricPoint[] = [];
  const duration = (name: string, from: string | undefined, to: string | undefined) => {
    const ms = elapsedMs(from, to);
    if (ms !== undefined) points.push({ name, unit: 'Milliseconds', value: ms, dimensions: playbook });
  };
  const count = (name: string, value: number, dimensions: Readonly<Record<string, string>> = playbook) =>
    points.push({ name, unit: 'Count', value, dimensions });

  duration(METRIC.timeToContainFromFirstSeen, finding.firstSeen, timings.containedAt);
  duration(METRIC.timeToContainFromLastSeen, finding.lastSeen, timings.containedAt);
  duration(METRIC.timeToContainFromReceipt, timings.receivedAt, timings.containedAt);
  duration(METRIC.timeToNotifyFromReceipt, timings.receivedAt, notifiedAt);
  duration(METRIC.timeToNotifyFromFirstSeen, finding.firstSeen, notifiedAt);
  for (const status of OUTCOME_STATUSES) count(outcomeMetricName(status), status === outcome.status ? 1 : 0);
  if (outcome.recurrenceChecked) count(METRIC.recurrence, outcome.recurrence ? 1 : 0);
  if (outcome.status === 'dry-run')
    count(METRIC.plannedWrites, outcome.steps.filter((step) => step.status === 'planned').length);
  count(METRIC.breakerHeld, outcome.breaker ? 1 : 0);
  count(METRIC.breakerOpened, outcome.breaker?.opened ? 1 : 0);
  for (const step of outcome.steps)
    count(METRIC.step, 1, stepDimensions(outcome.playbook.id, step.action, step.status));
  return points;
}

function stepDimensions(playbook: string, action: string, status: StepStatus): Record<string, string> {
  return { playbook, action, status };
}

/** Every point of one invocation: the outcome's, a rejection count, and the handler time. */
export function invocationMetrics(playbook: string, result: InvocationResult, handlerMs: number): MetricPoint[] {
  const points =
    result.kind === 'handled'
      ? outcomeMetrics(result.outcome, result.notifiedAt)
      : result.kind === 'several'
        ? result.outcomes.flatMap((entry) => outcomeMetrics(entry.outcome, entry.notifiedAt))
        : [];
  if (result.kind === 'rejected')
    points.push({ name: METRIC.rejected, unit: 'Count', value: 1, dimensions: { playbook } });
  points.push({
    name: METRIC.handlerDuration,
    unit: 'Milliseconds',
    value: Math.max(0, handlerMs),
    dimensions: { playbook },
  });
  return points;
}

/** High-cardinality context kept next to the metrics in the log (searchable), never as dimensions. */
export function invocationMetadata(result: InvocationResult): Record<string, string> {
  if (result.kind === 'several')
    return {
      findingIds: result.outcomes
        .map((entry) => entry.outcome.finding.id)
        .join(' ')
        .slice(0, 1000),
    };
  if (result.kind !== 'handled') return {};
  const { outcome } = result;
  return {
    findingId: outcome.finding.id,
    findingType: outcome.finding.type,
    accountId: outcome.finding.accountId,
    region: outcome.finding.region,
    outcome: outcome.status,
    ...(outcome.incidentId ? { incidentId: outcome.incidentId } : {}),
  };
}
