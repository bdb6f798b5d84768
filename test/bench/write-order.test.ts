import type { RecordedCall } from '../../bench/simulated-aws';
import { checkWriteOrder } from '../../bench/write-order';

const call = (tag: string, operation: string, sentAt: number, answeredAt: number, error?: string): RecordedCall => ({
  service: operation === 'PutRolePolicy' ? 'iam' : 'ec2',
  operation,
  input: {},
  tag,
  depth: 1,
  sentAt,
  answeredAt,
  attempts: 1,
  throttled: 0,
  ...(error ? { error } : {}),
});

describe('checkWriteOrder', () => {
  it('counts evidence and tag writes sent before the incident was contained, per incident', () => {
    const check = checkWriteOrder([
      call('a', 'ModifyNetworkInterfaceAttribute', 0, 50),
      call('a', 'PutRolePolicy', 50, 100),
      call('a', 'CreateSnapshots', 60, 110), // before the credential deny was answered
      call('a', 'CreateTags', 100, 150),
      call('b', 'ModifyNetworkInterfaceAttribute', 0, 50),
      call('b', 'ModifyInstanceAttribute', 50, 100),
      call('b', 'DescribeInstances', 0, 50),
    ]);
    expect(check).toEqual({ violations: 1, incidentsWithViolations: 1, incidentsChecked: 2 });
  });

  it('uses the last containment write that succeeded', () => {
    const check = checkWriteOrder([
      call('a', 'ModifyNetworkInterfaceAttribute', 0, 50),
      call('a', 'PutRolePolicy', 50, 3000, 'Throttling'),
      call('a', 'CreateTags', 60, 110),
    ]);
    expect(check.violations).toBe(0);
  });
});
