import type { Outcome, StepOutcome } from '../../lambdas/model/outcome';
import {
  elapsedMs,
  invocationMetadata,
  invocationMetrics,
  METRIC,
  outcomeMetricName,
  outcomeMetrics,
  type MetricPoint,
} from '../../lambdas/metrics/outcome-metrics';
import { loadFinding } from '../support/fixtures';

// The fixture's finding: first seen 2026-11-20T08:03:17Z, last seen 2026-11-20T08:09:52Z.
const finding = loadFinding('guardduty/iam-user-long-term-key');
const PLAYBOOK = 'compromised-iam-credentials';
const RECEIVED = '2026-11-20T08:10:00.000Z';

function step(action: string, status: StepOutcome['status']): StepOutcome {
  return { action, title: action, containment: true, status, summary: action, durationMs: 1 };
}

function outcome(overrides: Partial<Outcome> = {}): Outcome {
  return {
    status: 'contained',
    urgent: false,
    finding,
    playbook: { id: PLAYBOOK, mode: 'enforce' },
    simulated: false,
    steps: [step('iam-deactivate-access-key', 'done'), step('iam-tag-principal', 'done')],
    manualSteps: [],
    release: [],
    incidentId: 'incident-1',
    timings: { receivedAt: RECEIVED, containedAt: '2026-11-20T08:10:00.250Z', finishedAt: '2026-11-20T08:10:00.900Z' },
    ...overrides,
  };
}

const byName = (points: readonly MetricPoint[]) =>
  Object.fromEntries(points.filter((point) => point.name !== METRIC.step).map((point) => [point.name, point.value]));
const PB = { playbook: PLAYBOOK };

/** Every outcome and breaker count at 0, then `published`: an invocation publishes all of them. */
const counts = (published: Record<string, number>): Record<string, number> => ({
  OutcomeContained: 0,
  OutcomeAlreadyContained: 0,
  OutcomePartiallyContained: 0,
  OutcomeNotContained: 0,
  OutcomeDryRun: 0,
  OutcomeSkipped: 0,
  OutcomeManualActionRequired: 0,
  OutcomeDuplicate: 0,
  OutcomeAwaitingApproval: 0,
  BreakerHeld: 0,
  BreakerOpened: 0,
  ...published,
});

describe('outcomeMetricName', () => {
  it.each([
    ['contained', 'OutcomeContained'],
    ['already-contained', 'OutcomeAlreadyContained'],
    ['partially-contained', 'OutcomePartiallyContained'],
    ['manual-action-required', 'OutcomeManualActionRequired'],
    ['dry-run', 'OutcomeDryRun'],
  ] as const)('%s -> %s', (status, name) => expect(outcomeMetricName(status)).toBe(name));
});

describe('elapsedMs', () => {
  it.each([
    ['2026-11-20T08:00:00.000Z', '2026-11-20T08:00:01.500Z', 1500],
    ['2026-11-20T08:00:00.000Z', '2026-11-20T08:00:00.000Z', 0],
    ['2026-11-20T08:00:01.000Z', '2026-11-20T08:00:00.000Z', undefined], // negative: clock skew, not a time
    [undefined, '2026-11-20T08:00:00.000Z', undefined],
    ['not a date', '2026-11-20T08:00:00.000Z', undefined],
  ])('%s -> %s = %s', (from, to, expected) => expect(elapsedMs(from, to)).toBe(expected));
});

describe('outcomeMetrics', () => {
  const notifiedAt = '2026-11-20T08:10:00.800Z';
  // firstSeen 08:03:17.000 -> contained 08:10:00.250 = 6 min 43.25 s = 403250 ms; lastSeen 08:09:52 -> 8250 ms.
  it.each<[string, Outcome, string | undefined, Record<string, number>]>([
    [
      'contained and notified',
      outcome(),
      notifiedAt,
      counts({
        TimeToContainFromFirstSeen: 403_250,
        TimeToContainFromLastSeen: 8_250,
        TimeToContainFromReceipt: 250,
        TimeToNotifyFromReceipt: 800,
        TimeToNotifyFromFirstSeen: 403_800,
        OutcomeContained: 1,
      }),
    ],
    [
      'a re-delivery that changed nothing and was not notified: no times',
      outcome({
        status: 'already-contained',
        steps: [step('iam-deactivate-access-key', 'no-op')],
        timings: { receivedAt: RECEIVED, finishedAt: RECEIVED },
      }),
      undefined,
      counts({ OutcomeAlreadyContained: 1 }),
    ],
    [
      'the breaker opened: a dry run that planned two writes, notified',
      outcome({
        status: 'dry-run',
        steps: [
          step('iam-deactivate-access-key', 'planned'),
          step('iam-revoke-user-sessions', 'planned'),
          step('iam-revoke-role-sessions', 'not-applicable'),
        ],
        breaker: { scope: 'account 111122223333', count: 10, limit: 10, opened: true },
        timings: { receivedAt: RECEIVED, finishedAt: RECEIVED },
      }),
      '2026-11-20T08:10:01.000Z',
      counts({
        TimeToNotifyFromReceipt: 1000,
        TimeToNotifyFromFirstSeen: 404_000,
        DryRunPlannedWrites: 2,
        OutcomeDryRun: 1,
        BreakerHeld: 1,
        BreakerOpened: 1,
      }),
    ],
    [
      'a finding without first and last seen: only the times from receipt',
      outcome({ finding: { ...finding, firstSeen: undefined, lastSeen: undefined } as typeof finding }),
      notifiedAt,
      counts({ TimeToContainFromReceipt: 250, TimeToNotifyFromReceipt: 800, OutcomeContained: 1 }),
    ],
  ])('%s', (_name, given, notified, expected) => {
    const points = outcomeMetrics(given, notified);
    expect(byName(points)).toEqual(expected);
    for (const point of points.filter((candidate) => candidate.name !== METRIC.step)) {
      expect(point.dimensions).toEqual(PB);
      expect(point.unit).toBe(point.name.startsWith('Time') ? 'Milliseconds' : 'Count');
    }
  });

  it('counts each step by action and status, with the playbook', () => {
    const points = outcomeMetrics(
      outcome({
        status: 'partially-contained',
        steps: [
          step('iam-deactivate-access-key', 'done'),
          step('iam-revoke-user-sessions', 'failed'),
          step('iam-revoke-role-sessions', 'not-applicable'),
        ],
      }),
    );
    expect(points.filter((point) => point.name === METRIC.step)).toEqual([
      {
        name: 'StepOutcome',
        unit: 'Count',
        value: 1,
        dimensions: { playbook: PLAYBOOK, action: 'iam-deactivate-access-key', status: 'done' },
      },
      {
        name: 'StepOutcome',
        unit: 'Count',
        value: 1,
        dimensions: { playbook: PLAYBOOK, action: 'iam-revoke-user-sessions', status: 'failed' },
      },
      {
        name: 'StepOutcome',
        unit: 'Count',
        value: 1,
        dimensions: { playbook: PLAYBOOK, action: 'iam-revoke-role-sessions', status: 'not-applicable' },
      },
    ]);
  });

  it('recurrence: 1 or 0 only when this delivery checked it (the first delivery of an incident)', () => {
    expect(
      byName(
        outcomeMetrics(
          outcome({ recurrenceChecked: true, recurrence: { previousIncidentId: 'earlier', previousAt: RECEIVED } }),
        ),
      )[METRIC.recurrence],
    ).toBe(1);
    expect(byName(outcomeMetrics(outcome({ recurrenceChecked: true })))[METRIC.recurrence]).toBe(0);
    expect(byName(outcomeMetrics(outcome()))[METRIC.recurrence]).toBeUndefined();
  });

  it('never makes the account, finding or incident a dimension', () => {
    const points = outcomeMetrics(outcome(), notifiedAt);
    const dimensionValues = points.flatMap((point) => Object.values(point.dimensions));
    expect(dimensionValues).not.toContain(finding.accountId);
    expect(dimensionValues).not.toContain(finding.id);
    expect(dimensionValues).not.toContain('incident-1');
    expect(new Set(points.flatMap((point) => Object.keys(point.dimensions)))).toEqual(
      new Set(['playbook', 'action', 'status']),
    );
  });
});

describe('invocationMetrics and invocationMetadata', () => {
  it('a rejected event counts as rejected, with the handler time', () => {
    expect(invocationMetrics(PLAYBOOK, { kind: 'rejected' }, 42)).toEqual([
      { name: 'EventsRejected', unit: 'Count', value: 1, dimensions: PB },
      { name: 'HandlerDuration', unit: 'Milliseconds', value: 42, dimensions: PB },
    ]);
    expect(invocationMetadata({ kind: 'rejected' })).toEqual({});
  });

  it('an ignored event has only the handler time', () => {
    expect(invocationMetrics(PLAYBOOK, { kind: 'other' }, 7)).toEqual([
      { name: 'HandlerDuration', unit: 'Milliseconds', value: 7, dimensions: PB },
    ]);
  });

  it('a handled finding: its points, then the handler time; the ids are metadata', () => {
    const points = invocationMetrics(PLAYBOOK, { kind: 'handled', outcome: outcome() }, 900);
    expect(points.at(-1)).toEqual({ name: 'HandlerDuration', unit: 'Milliseconds', value: 900, dimensions: PB });
    expect(byName(points).OutcomeContained).toBe(1);
    expect(invocationMetadata({ kind: 'handled', outcome: outcome() })).toEqual({
      findingId: finding.id,
      findingType: finding.type,
      accountId: finding.accountId,
      region: finding.region,
      outcome: 'contained',
      incidentId: 'incident-1',
    });
  });
});
