import type { IncidentRecord } from '../../lambdas/ledger/incidents-received';
import { buildReport, distribution, incidentStatus, lookbackStart } from '../../lib/cli/incident-report';

const R1 = 'arn:aws:iam::111122223333:user/ci-deploy';
const R2 = 'arn:aws:ec2:us-east-1:111122223333:instance/i-0abc';
const R4 = 'arn:aws:iam::111122223333:user/build';

function incident(
  incidentId: string,
  fields: Partial<IncidentRecord> & Pick<IncidentRecord, 'receivedAt' | 'status' | 'playbook'>,
): IncidentRecord {
  return {
    incidentId,
    findingId: incidentId,
    findingType: 'T',
    accountId: '111122223333',
    region: 'us-east-1',
    subject: `subject ${incidentId}`,
    ...fields,
  };
}

// Hand-computed figures are in the comments; the range is [2026-11-01, 2026-11-04).
const RECORDS: IncidentRecord[] = [
  incident('history-r1', {
    resourceArn: R1,
    playbook: 'iam',
    status: 'contained',
    receivedAt: '2026-10-20T00:00:00.000Z',
  }), // 12 days before a
  incident('history-r4', {
    resourceArn: R4,
    playbook: 'iam',
    status: 'contained',
    receivedAt: '2026-09-01T00:00:00.000Z',
  }), // 63 days before d
  // a: first seen -> contained 10 min 3 s = 603000; receipt -> contained 2000; acknowledged after 300000. Recurs (history-r1).
  incident('a', {
    resourceArn: R1,
    playbook: 'iam',
    status: 'contained',
    firstSeen: '2026-11-01T09:49:59.000Z',
    receivedAt: '2026-11-01T10:00:00.000Z',
    containedAt: '2026-11-01T10:00:02.000Z',
    acknowledgedAt: '2026-11-01T10:05:00.000Z',
  }),
  // b: 1 h 9 s = 3609000; 9000; acknowledged after 1200000.
  incident('b', {
    resourceArn: R2,
    playbook: 'ec2',
    status: 'partially-contained',
    firstSeen: '2026-11-01T11:00:00.000Z',
    receivedAt: '2026-11-01T12:00:00.000Z',
    containedAt: '2026-11-01T12:00:09.000Z',
    acknowledgedAt: '2026-11-01T12:20:00.000Z',
  }),
  // c: a re-delivery's already-contained after Firebreak contained it: counts as contained. 63000; 4000.
  incident('c', {
    playbook: 'iam',
    status: 'already-contained',
    firstSeen: '2026-11-02T07:59:01.000Z',
    receivedAt: '2026-11-02T08:00:00.000Z',
    containedAt: '2026-11-02T08:00:04.000Z',
  }),
  // d: acknowledged after 3600000; its resource's earlier incident is older than 30 days.
  incident('d', {
    resourceArn: R4,
    playbook: 'iam',
    status: 'not-contained',
    receivedAt: '2026-11-03T00:00:00.000Z',
    acknowledgedAt: '2026-11-03T01:00:00.000Z',
  }),
  // e: the same instance as b, 42 h later: recurs.
  incident('e', { resourceArn: R2, playbook: 'ec2', status: 'dry-run', receivedAt: '2026-11-03T06:00:00.000Z' }),
  // f: already contained by someone else: stays already-contained.
  incident('f', { playbook: 'config', status: 'already-contained', receivedAt: '2026-11-03T23:00:00.000Z' }),
  // g: received at the (exclusive) end of the range.
  incident('g', { resourceArn: R1, playbook: 'iam', status: 'contained', receivedAt: '2026-11-04T00:00:00.000Z' }),
];

const RANGE = { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-04T00:00:00Z') };

describe('distribution', () => {
  it.each([
    [[], { count: 0 }],
    [[10], { count: 1, mean: 10, median: 10, p90: 10 }],
    [[4, 1, 3, 2], { count: 4, mean: 2.5, median: 2.5, p90: 4 }],
    [[10, 9, 8, 7, 6, 5, 4, 3, 2, 1], { count: 10, mean: 5.5, median: 5.5, p90: 9 }],
    [[300_000, 3_600_000, 1_200_000], { count: 3, mean: 1_700_000, median: 1_200_000, p90: 3_600_000 }],
  ])('%j', (values, expected) => expect(distribution(values)).toEqual(expected));
});

describe('incidentStatus', () => {
  it.each([
    [{ status: 'already-contained', containedAt: '2026-11-01T00:00:00Z' }, 'contained'],
    [{ status: 'already-contained' }, 'already-contained'],
    [{ status: 'partially-contained', containedAt: '2026-11-01T00:00:00Z' }, 'partially-contained'],
  ] as const)('%j -> %s', (fields, expected) =>
    expect(incidentStatus(incident('x', { playbook: 'p', receivedAt: '2026-11-01T00:00:00Z', ...fields }))).toBe(
      expected,
    ),
  );
});

describe('buildReport', () => {
  const report = buildReport(RECORDS, RANGE);

  it('counts the incidents in the range by status and playbook', () => {
    expect(report.incidents).toBe(6);
    expect(report.byStatus).toEqual({
      contained: 2,
      'partially-contained': 1,
      'not-contained': 1,
      'dry-run': 1,
      'already-contained': 1,
    });
    expect(report.byPlaybook).toEqual({ iam: 3, ec2: 2, config: 1 });
  });

  it('counts per UTC day, days without incidents included', () => {
    expect(report.perDay).toEqual([
      { day: '2026-11-01', incidents: 2 },
      { day: '2026-11-02', incidents: 1 },
      { day: '2026-11-03', incidents: 3 },
    ]);
  });

  it('MTTA from receipt to the first acknowledgement', () => {
    expect(report.timeToAcknowledge).toEqual({ count: 3, mean: 1_700_000, median: 1_200_000, p90: 3_600_000 });
    expect(report.unacknowledged).toBe(3);
  });

  it('MTTR from first seen and from receipt to containment', () => {
    expect(report.timeToContainFromFirstSeen).toEqual({ count: 3, mean: 1_425_000, median: 603_000, p90: 3_609_000 });
    expect(report.timeToContainFromReceipt).toEqual({ count: 3, mean: 5_000, median: 4_000, p90: 9_000 });
  });

  it('recurrence: the same resource again within 30 days, earlier incidents before the range included', () => {
    expect(report.recurrence).toEqual({ windowDays: 30, incidents: 2, rate: 2 / 6 });
  });

  it('automated success: contained / (contained + partially + not contained)', () => {
    expect(report.automatedSuccess).toEqual({ contained: 2, partiallyContained: 1, notContained: 1, rate: 0.5 });
  });

  it('a shorter recurrence window', () => {
    // e follows b by 42 h; a follows its history by 12 days.
    expect(buildReport(RECORDS, { ...RANGE, recurrenceDays: 2 }).recurrence).toEqual({
      windowDays: 2,
      incidents: 1,
      rate: 1 / 6,
    });
  });

  it('no incidents: zeros, and no rates or times rather than invented ones', () => {
    const empty = buildReport([], { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-03T00:00:00Z') });
    expect(empty).toEqual({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-03T00:00:00.000Z',
      incidents: 0,
      byStatus: {},
      byPlaybook: {},
      perDay: [
        { day: '2026-11-01', incidents: 0 },
        { day: '2026-11-02', incidents: 0 },
      ],
      timeToAcknowledge: { count: 0 },
      unacknowledged: 0,
      timeToContainFromFirstSeen: { count: 0 },
      timeToContainFromReceipt: { count: 0 },
      recurrence: { windowDays: 30, incidents: 0 },
      automatedSuccess: { contained: 0, partiallyContained: 0, notContained: 0 },
    });
  });

  it('reads back far enough for recurrence', () => {
    expect(lookbackStart(RANGE).toISOString()).toBe('2026-10-02T00:00:00.000Z');
  });
});
