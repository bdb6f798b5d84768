import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { SimulatedAws, type Answering } from '../../bench/simulated-aws';
import { FakeEc2 } from '../../test/support/fake-ec2';
import { FakeIam } from '../../test/support/fake-iam';

const unused: Answering = { send: async () => Promise.reject(new Error('not in this test')) };

function world(refillPerSecond: number) {
  const iam = new FakeIam('111122223333');
  const ec2 = new FakeEc2('111122223333');
  ec2.addVpc('vpc-0fedcba9876543210');
  const group = ec2.addSecurityGroup({ groupName: 'app', vpcId: 'vpc-0fedcba9876543210' });
  ec2.addInstance({
    instanceId: 'i-0abc123def4567890',
    interfaces: [{ networkInterfaceId: 'eni-0f1e2d3c4b5a69788', vpcId: 'vpc-0fedcba9876543210', groupIds: [group] }],
    volumes: [],
  });
  for (const name of ['alice', 'bob'])
    iam.addUser(name, {
      id: `AIDA${name.toUpperCase()}`,
      keys: [{ id: `AKIA${name.toUpperCase()}0000000`, status: 'Active' }],
    });
  const aws = new SimulatedAws(
    {
      iam: iam.client,
      ec2: ec2.ec2Client,
      autoScaling: ec2.autoScalingClient,
      dynamodb: unused,
      sns: unused,
      kms: unused,
      guardDuty: unused,
    },
    // One token per API: the second request of an API in a row is throttled.
    {
      latencyMs: 0,
      throttle: true,
      limits: (service, operation) => ({ bucket: `${service}:${operation}`, capacity: 1, refillPerSecond }),
    },
  );
  return { iam, aws, clients: aws.environment().clients };
}

const deactivate = (name: string) =>
  new UpdateAccessKeyCommand({ UserName: name, AccessKeyId: `AKIA${name.toUpperCase()}0000000`, Status: 'Inactive' });

describe('SimulatedAws', () => {
  beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(0.5));
  afterEach(() => jest.restoreAllMocks());

  it("answers an over-limit IAM call with Throttling, which the SDK's standard retry retries after its backoff", async () => {
    // Both at once: one takes the token, the other is throttled and retried after the backoff, when a token is back.
    const { iam, aws, clients } = world(10);
    const [first, second] = await Promise.all([
      clients.iam.send(deactivate('alice')),
      clients.iam.send(deactivate('bob')),
    ]);
    expect([first.$metadata.attempts, second.$metadata.attempts].sort()).toEqual([1, 2]);
    expect(Math.max(first.$metadata.totalRetryDelay ?? 0, second.$metadata.totalRetryDelay ?? 0)).toBeGreaterThan(0);
    expect([iam.user('alice').keys![0]!.status, iam.user('bob').keys![0]!.status]).toEqual(['Inactive', 'Inactive']);
    expect(aws.calls.map((call) => [call.attempts, call.throttled]).sort()).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it('fails a call throttled on every attempt with the error AWS sends: IAM Throttling 400, EC2 RequestLimitExceeded 503', async () => {
    const { iam, aws, clients } = world(0.001);
    await clients.iam.send(deactivate('alice'));
    const iamError = await clients.iam.send(deactivate('bob')).catch((error: unknown) => error);
    expect(iamError).toMatchObject({
      name: 'Throttling',
      message: 'Rate exceeded',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    expect(iam.user('bob').keys![0]!.status).toBe('Active');

    await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0abc123def4567890'] }));
    const ec2Error = await clients.ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ['i-0abc123def4567890'] }))
      .catch((error: unknown) => error);
    expect(ec2Error).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503, attempts: 3 } });
    expect(aws.calls.filter((call) => call.error).map((call) => [call.error, call.attempts, call.throttled])).toEqual([
      ['Throttling', 3, 3],
      ['RequestLimitExceeded', 3, 3],
    ]);
  });

  it("passes the fake's own errors through, and counts the round trips each environment's calls make", async () => {
    const { aws } = world(10);
    const environment = aws.environment();
    const missing = await environment.clients.ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000000'] }))
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    await Promise.all([
      environment.clients.iam.send(deactivate('alice')),
      environment.clients.iam.send(deactivate('bob')),
    ]);
    expect(environment.deepest).toBe(2);
    expect(environment.maxInFlight).toBe(2);
  });
});
