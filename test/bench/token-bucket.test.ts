import { TokenBucket, minimumMsFor } from '../../bench/token-bucket';
import { ec2Limit, limitFor } from '../../bench/throttle-limits';

describe('TokenBucket', () => {
  it('lets a full bucket through at once, then refuses, and a refused request takes nothing', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true]);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.available(0)).toBe(0);
    expect({ granted: bucket.granted, refused: bucket.refused }).toEqual({ granted: 3, refused: 2 });
  });

  it('refills at its rate, by fractions, and never beyond its capacity', () => {
    const bucket = new TokenBucket(3, 2, 0);
    for (let n = 0; n < 3; n += 1) bucket.take(0);
    expect(bucket.take(499)).toBe(false); // 0.998 of a token
    expect(bucket.take(500)).toBe(true); // one token after half a second at 2 per second
    expect(bucket.take(500)).toBe(false);
    expect(bucket.available(60_000)).toBe(3);
  });

  it('gives the least time a bucket needs for a number of requests', () => {
    expect(minimumMsFor(50, 100, 5)).toBe(0);
    expect(minimumMsFor(400, 100, 5)).toBe(60_000);
  });
});

describe('throttle limits', () => {
  it("uses the EC2 documentation's per-API buckets: uncategorized rows, resource-intensive, mutating, non-mutating", () => {
    expect(ec2Limit('ModifyNetworkInterfaceAttribute')).toEqual({
      bucket: 'ec2:ModifyNetworkInterfaceAttribute',
      capacity: 100,
      refillPerSecond: 5,
    });
    expect(ec2Limit('CreateTags')).toMatchObject({ capacity: 100, refillPerSecond: 10 });
    expect(ec2Limit('RevokeSecurityGroupIngress')).toMatchObject({ capacity: 50, refillPerSecond: 5 });
    expect(ec2Limit('ModifyInstanceAttribute')).toMatchObject({ capacity: 50, refillPerSecond: 5 });
    expect(ec2Limit('DescribeInstanceAttribute')).toMatchObject({ capacity: 100, refillPerSecond: 20 });
  });

  it('draws an unfiltered, unpaginated DescribeInstances from the smaller bucket, a filtered one from the larger', () => {
    expect(ec2Limit('DescribeInstances', { InstanceIds: ['i-1'] })).toMatchObject({
      capacity: 50,
      refillPerSecond: 10,
    });
    expect(ec2Limit('DescribeInstances', { Filters: [] })).toMatchObject({ capacity: 100, refillPerSecond: 20 });
  });

  it('gives each IAM API its own bucket and EC2 Auto Scaling one shared bucket', () => {
    expect(limitFor('iam', 'UpdateAccessKey').bucket).not.toBe(limitFor('iam', 'PutUserPolicy').bucket);
    expect(limitFor('autoScaling', 'EnterStandby').bucket).toBe(
      limitFor('autoScaling', 'DescribeAutoScalingInstances').bucket,
    );
  });
});
