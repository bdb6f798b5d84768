import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../lambdas/aws/aws-clients';
import { withThrottleRetry } from '../../lambdas/pipeline/throttle-retry';
import { testClients } from '../support/settings';

function mocked() {
  const ec2Client = new EC2Client({ region: 'us-east-1' });
  const iamClient = new IAMClient({ region: 'us-east-1' });
  const clients: AwsClients = { ...testClients().clients, ec2: ec2Client, iam: iamClient };
  return { clients, ec2: mockClient(ec2Client), iam: mockClient(iamClient) };
}

/** A throttling error as the SDK throws it once its standard retry gave up: the attempts it made are on it. */
const throttledAfter = (attempts: number, name = 'RequestLimitExceeded') =>
  Object.assign(new Error('Request limit exceeded.'), { name, $fault: 'client', $metadata: { attempts } });

describe('withThrottleRetry: a throttled call waits and goes again, within the run', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-03T10:00:00.000Z') }));
  afterEach(() => jest.useRealTimers());

  it('a call throttled after the SDK retries is sent again after a wait, and answers', async () => {
    const { clients, ec2 } = mocked();
    ec2.on(DescribeInstancesCommand).rejectsOnce(throttledAfter(3)).rejectsOnce(throttledAfter(3)).resolves({});
    const retrying = withThrottleRetry(clients, Date.now() + 30_000);
    const answer = retrying.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-1'] }));
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(answer).resolves.toEqual({});
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });

  it('IAM and Auto Scaling throttle with Throttling: the same', async () => {
    const { clients, iam } = mocked();
    iam.on(GetUserCommand).rejectsOnce(throttledAfter(3, 'Throttling')).resolves({});
    const retrying = withThrottleRetry(clients, Date.now() + 30_000);
    const answer = retrying.iam.send(new GetUserCommand({ UserName: 'u' }));
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(answer).resolves.toEqual({});
  });

  it('gives up when the next wait would end after the run deadline: the error is the throttling one', async () => {
    const { clients, ec2 } = mocked();
    ec2.on(DescribeInstancesCommand).rejects(throttledAfter(3));
    const retrying = withThrottleRetry(clients, Date.now() + 5_000);
    const answer = retrying.ec2.send(new DescribeInstancesCommand({}));
    const settled = expect(answer).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    await jest.advanceTimersByTimeAsync(10_000);
    await settled;
    const calls = ec2.commandCalls(DescribeInstancesCommand).length;
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(10);
  });

  it('never sends again a call that failed otherwise, or one the SDK has not retried (no attempts on it)', async () => {
    const { clients, ec2 } = mocked();
    const denied = Object.assign(new Error('denied'), { name: 'UnauthorizedOperation', $metadata: { attempts: 1 } });
    const unretried = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} });
    ec2.on(DescribeInstancesCommand).rejectsOnce(denied).rejectsOnce(unretried);
    const retrying = withThrottleRetry(clients, Date.now() + 30_000);
    await expect(retrying.ec2.send(new DescribeInstancesCommand({}))).rejects.toBe(denied);
    await expect(retrying.ec2.send(new DescribeInstancesCommand({}))).rejects.toBe(unretried);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('leaves the other clients as they are', () => {
    const { clients } = testClients();
    const retrying = withThrottleRetry(clients, Date.now() + 30_000);
    expect(retrying.sns).toBe(clients.sns);
    expect(retrying.dynamodb).toBe(clients.dynamodb);
    expect(retrying.ec2).toBe(retrying.ec2);
  });
});
