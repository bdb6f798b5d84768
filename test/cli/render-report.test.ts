import { buildReport } from '../../lib/cli/incident-report';
import { formatDuration, renderReport } from '../../lib/cli/render-report';

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [42_000, '42 s'],
    [185_000, '3 min 5 s'],
    [180_000, '3 min'],
    [7_800_000, '2 h 10 min'],
    [273_600_000, '3 d 4 h'],
  ])('%d -> %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('renderReport', () => {
  it('prints the figures, and n/a or no data where there is nothing to measure', () => {
    const text = renderReport(
      buildReport(
        [
          {
            incidentId: 'a',
            findingId: 'a',
            findingType: 'T',
            playbook: 'compromised-iam-credentials',
            accountId: '111122223333',
            region: 'us-east-1',
            subject: 'IAM user u',
            status: 'contained',
            receivedAt: '2026-11-01T10:00:00.000Z',
            firstSeen: '2026-11-01T09:57:00.000Z',
            containedAt: '2026-11-01T10:00:01.000Z',
          },
        ],
        { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-02T00:00:00Z') },
      ),
    );
    expect(text).toContain('from 2026-11-01T00:00:00.000Z to 2026-11-02T00:00:00.000Z (end excluded): 1');
    expect(text).toContain('MTTA, received -> acknowledged: no data');
    expect(text).toContain(
      'MTTR, first seen -> contained: median 3 min 1 s, p90 3 min 1 s, mean 3 min 1 s (1 incidents)',
    );
    expect(text).toContain('Automated success rate: 100.0 % (contained 1, partially contained 0, not contained 0)');
    expect(text).toContain('Recurrence (same resource again within 30 days): 0 (0.0 %)');
    expect(text).toMatch(/compromised-iam-credentials\s+1/);
    expect(text).toContain('2026-11-01     1');
  });
});
