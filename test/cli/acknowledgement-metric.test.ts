import { acknowledgementMetric } from '../../lib/cli/acknowledgement-metric';

describe('acknowledgementMetric', () => {
  it("is the time from receipt to acknowledgement, with the dimensions of the responders' metrics", () => {
    expect(
      acknowledgementMetric(
        { playbook: 'compromised-iam-credentials', receivedAt: '2026-11-21T08:00:00.000Z' },
        '2026-11-21T08:07:30.000Z',
      ),
    ).toEqual({
      MetricName: 'TimeToAcknowledge',
      Unit: 'Milliseconds',
      Value: 450_000,
      Timestamp: new Date('2026-11-21T08:07:30.000Z'),
      Dimensions: [
        { Name: 'service', Value: 'firebreak' },
        { Name: 'playbook', Value: 'compromised-iam-credentials' },
      ],
    });
  });

  it('publishes nothing for a missing or later receipt time', () => {
    expect(acknowledgementMetric({ playbook: 'p', receivedAt: '' }, '2026-11-21T08:07:30.000Z')).toBeUndefined();
    expect(
      acknowledgementMetric({ playbook: 'p', receivedAt: '2026-11-21T09:00:00.000Z' }, '2026-11-21T08:07:30.000Z'),
    ).toBeUndefined();
  });
});
