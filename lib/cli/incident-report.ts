import type { OutcomeStatus } from '../../lambdas/model/outcome';
import { daysBetween, receivedDay, type IncidentRecord } from '../../lambdas/ledger/incidents-received';
import { elapsedMs } from '../../lambdas/metrics/outcome-metrics';

const DAY_MS = 86_400_000;

/** Durations in milliseconds; absent figures when there is nothing to measure. */
export interface Distribution {
  readonly count: number;
  readonly mean?: number;
  /** The middle value (the mean of the two middle values for an even count). */
  readonly median?: number;
  /** Nearest rank: the smallest value with at least 90 % of the values at or below it. */
  readonly p90?: number;
}

export interface IncidentReport {
  readonly since: string;
  readonly until: string;
  readonly incidents: number;
  /** By the incident's status, where a re-delivery's `already-contained` after Firebreak's own containment counts as `contained`. */
  readonly byStatus: Readonly<Partial<Record<OutcomeStatus, number>>>;
  readonly byPlaybook: Readonly<Record<string, number>>;
  readonly perDay: readonly { readonly day: string; readonly incidents: number }[];
  /** MTTA: first receipt -> first acknowledgement (`firebreak ack`). */
  readonly timeToAcknowledge: Distribution;
  readonly unacknowledged: number;
  /** MTTR: the service's first observation -> containment effective. */
  readonly timeToContainFromFirstSeen: Distribution;
  /** First receipt by Firebreak -> containment effective. */
  readonly timeToContainFromReceipt: Distribution;
  /** Incidents whose resource had an earlier incident within `windowDays` before. */
  readonly recurrence: { readonly windowDays: number; readonly incidents: number; readonly rate?: number };
  /** contained / (contained + partially-contained + not-contained). */
  readonly automatedSuccess: {
    readonly contained: number;
    readonly partiallyContained: number;
    readonly notContained: number;
    readonly rate?: number;
  };
}

export interface ReportOptions {
  readonly since: Date;
  /** Exclusive. */
  readonly until: Date;
  readonly recurrenceDays?: number;
}

/** How far before `since` the records must reach for the recurrence figure. */
export function lookbackStart(options: ReportOptions): Date {
  return new Date(options.since.getTime() - (options.recurrenceDays ?? 30) * DAY_MS);
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    count: sorted.length,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    median,
    p90: sorted[Math.ceil(0.9 * sorted.length) - 1]!,
  };
}

/** The status that describes the incident: a re-delivery that found Firebreak's own containment in place says `already-contained`. */
export function incidentStatus(record: IncidentRecord): OutcomeStatus {
  return record.status === 'already-contained' && record.containedAt ? 'contained' : record.status;
}

function resourceOf(record: IncidentRecord): string {
  return record.resourceArn ?? `${record.accountId} ${record.subject}`;
}

function count(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/**
 * The figures of the incidents first received in [since, until). `records` may reach back further (see
 * `lookbackStart`): earlier incidents count only for recurrence.
 */
export function buildReport(records: readonly IncidentRecord[], options: ReportOptions): IncidentReport {
  const since = options.since.toISOString();
  const until = options.until.toISOString();
  const windowDays = options.recurrenceDays ?? 30;
  const inRange = records.filter((record) => record.receivedAt >= since && record.receivedAt < until);
  const statuses = inRange.map(incidentStatus);
  const perDayCounts = count(inRange.map((record) => receivedDay(record.receivedAt)));
  const durations = (
    from: (record: IncidentRecord) => string | undefined,
    to: (record: IncidentRecord) => string | undefined,
  ) => distribution(inRange.flatMap((record) => elapsedMs(from(record), to(record)) ?? []));
  const recurring = inRange.filter((record) =>
    records.some(
      (earlier) =>
        earlier.incidentId !== record.incidentId &&
        resourceOf(earlier) === resourceOf(record) &&
        earlier.receivedAt < record.receivedAt &&
        Date.parse(record.receivedAt) - Date.parse(earlier.receivedAt) <= windowDays * DAY_MS,
    ),
  ).length;
  const outcome = (status: OutcomeStatus) => statuses.filter((candidate) => candidate === status).length;
  const contained = outcome('contained');
  const partiallyContained = outcome('partially-contained');
  const notContained = outcome('not-contained');
  const attempted = contained + partiallyContained + notContained;
  return {
    since,
    until,
    incidents: inRange.length,
    byStatus: count(statuses),
    byPlaybook: count(inRange.map((record) => record.playbook)),
    perDay: daysBetween(options.since, new Date(options.until.getTime() - 1)).map((day) => ({
      day,
      incidents: perDayCounts[day] ?? 0,
    })),
    timeToAcknowledge: durations(
      (record) => record.receivedAt,
      (record) => record.acknowledgedAt,
    ),
    unacknowledged: inRange.filter((record) => !record.acknowledgedAt).length,
    timeToContainFromFirstSeen: durations(
      (record) => record.firstSeen,
      (record) => record.containedAt,
    ),
    timeToContainFromReceipt: durations(
      (record) => record.receivedAt,
      (record) => record.containedAt,
    ),
    recurrence: {
      windowDays,
      incidents: recurring,
      ...(inRange.length > 0 ? { rate: recurring / inRange.length } : {}),
    },
    automatedSuccess: {
      contained,
      partiallyContained,
      notContained,
      ...(attempted > 0 ? { rate: contained / attempted } : {}),
    },
  };
}
