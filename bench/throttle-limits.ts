/**
 * The request token buckets the burst throttles with, per service and operation, for one account and Region.
 *
 * EC2, as documented in "Request throttling for the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html (read 2026-12): buckets are per API ("each
 * API is evaluated individually ... Limits are applied to individual API actions, not API action categories"), with
 * the sizes and refill rates of the action's category or of its own row in "Uncategorized actions". An over-limit
 * request fails with RequestLimitExceeded.
 *
 * IAM publishes no numbers: "IAM and AWS STS independently implement a token bucket algorithm for throttling ... The
 * number of tokens that a bucket holds and the refill rate depends on the API" (AWS Security Blog, "How to monitor and
 * query IAM resources at scale - Part 2", https://aws.amazon.com/blogs/security/how-to-monitor-and-query-iam-resources-at-scale-part-2/),
 * and an over-limit request fails with "Throttling: Rate exceeded, status code: 400"
 * (https://repost.aws/knowledge-center/iam-sts-throttling-error). The sizes below are this bench's assumption: a
 * bucket per API, 20 tokens refilled at 10 per second for writes, 50 at 20 per second for reads.
 *
 * EC2 Auto Scaling publishes no numbers either: "all Amazon EC2 Auto Scaling API calls have a single, shared API limit"
 * (https://repost.aws/knowledge-center/autoscaling-api-calls-throttled), an over-limit request fails with Throttling
 * ("Rate exceeded", 400). Assumed here: one bucket for the whole service, 20 tokens refilled at 10 per second.
 *
 * DynamoDB (on demand), SNS, KMS and GuardDuty are not throttled in the bench: their quotas (thousands of requests per
 * second for SNS Publish and KMS cryptographic operations, on-demand tables) are far above what five concurrent
 * responders send.
 */
export interface BucketLimit {
  /** The bucket's name: the operation, or the service for a shared bucket. */
  readonly bucket: string;
  readonly capacity: number;
  readonly refillPerSecond: number;
}

export type ThrottledService = 'ec2' | 'iam' | 'autoScaling';

const EC2_NON_MUTATING = { capacity: 100, refillPerSecond: 20 };
const EC2_UNFILTERED_NON_MUTATING = { capacity: 50, refillPerSecond: 10 };
const EC2_MUTATING = { capacity: 50, refillPerSecond: 5 };
const EC2_RESOURCE_INTENSIVE = { capacity: 50, refillPerSecond: 5 };

/** "Unfiltered and unpaginated non-mutating actions": the smaller bucket when called without a filter or paging. */
const EC2_UNFILTERED_WHEN_BARE = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);

const EC2_RESOURCE_INTENSIVE_ACTIONS = new Set([
  'AcceptVpcPeeringConnection',
  'AuthorizeSecurityGroupIngress',
  'CancelSpotInstanceRequests',
  'CreateKeyPair',
  'CreateVpcPeeringConnection',
  'DeleteVpcPeeringConnection',
  'RejectVpcPeeringConnection',
  'RevokeSecurityGroupIngress',
  'RequestSpotInstances',
]);

/** The rows of "Uncategorized actions" for the operations Firebreak (and its release) calls. */
const EC2_UNCATEGORIZED: Readonly<Record<string, { capacity: number; refillPerSecond: number }>> = {
  AssociateIamInstanceProfile: { capacity: 100, refillPerSecond: 5 },
  CreateSnapshot: { capacity: 100, refillPerSecond: 5 },
  CreateSnapshots: { capacity: 100, refillPerSecond: 5 },
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteSnapshot: { capacity: 100, refillPerSecond: 5 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  DisassociateIamInstanceProfile: { capacity: 100, refillPerSecond: 5 },
  ModifyNetworkInterfaceAttribute: { capacity: 100, refillPerSecond: 5 },
  ModifySnapshotAttribute: { capacity: 100, refillPerSecond: 5 },
};

const IAM_WRITE = { capacity: 20, refillPerSecond: 10 };
const IAM_READ = { capacity: 50, refillPerSecond: 20 };
const AUTO_SCALING = { bucket: 'autoscaling:*', capacity: 20, refillPerSecond: 10 };

const READ = /^(Describe|List|Get|Search)/;

/** The bucket an EC2 request draws from, by its operation and (for the unfiltered Describe calls) its input. */
export function ec2Limit(operation: string, input: Readonly<Record<string, unknown>> = {}): BucketLimit {
  const bucket = `ec2:${operation}`;
  const uncategorized = EC2_UNCATEGORIZED[operation];
  if (uncategorized) return { bucket, ...uncategorized };
  if (EC2_RESOURCE_INTENSIVE_ACTIONS.has(operation)) return { bucket, ...EC2_RESOURCE_INTENSIVE };
  if (READ.test(operation)) {
    // Instance ids are neither a filter nor paging: a DescribeInstances by id draws from the smaller bucket.
    const bare = input.Filters === undefined && input.MaxResults === undefined && input.NextToken === undefined;
    return {
      bucket,
      ...(EC2_UNFILTERED_WHEN_BARE.has(operation) && bare ? EC2_UNFILTERED_NON_MUTATING : EC2_NON_MUTATING),
    };
  }
  return { bucket, ...EC2_MUTATING };
}

export function limitFor(
  service: ThrottledService,
  operation: string,
  input: Readonly<Record<string, unknown>> = {},
): BucketLimit {
  if (service === 'ec2') return ec2Limit(operation, input);
  if (service === 'autoScaling') return AUTO_SCALING;
  return { bucket: `iam:${operation}`, ...(READ.test(operation) ? IAM_READ : IAM_WRITE) };
}
