import { ListAccessKeysCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { createReadOnlyClients } from '../../lambdas/aws/read-only-clients';
import { parseConfig } from '../../lib/config';
import { livePlanEvent } from '../../lib/cli/live-plan';
import { loadPlaybooks } from '../../lib/playbooks';
import { loadEvent } from '../support/fixtures';
import { destroyClients, motoClients, type MotoClients } from './support/moto-clients';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { withIds } from './support/read-back';
import { isRead, startRecordingProxy, type RecordingProxy } from './support/recording-proxy';
import { seedEc2, seedIam, type Ec2World, type IamWorld } from './support/seed';

// `firebreak plan --live`: the responders' own dry run against the current state, with read-only clients. Here the
// state is moto's, and every request it sends is recorded on the wire: each one must be a read, and moto's state
// must be as it was.

describeOnMoto('plan --live against moto', (moto) => {
  let clients: MotoClients;
  let iam: IamWorld;
  let ec2: Ec2World;
  let proxy: RecordingProxy;
  const endpointBefore = process.env.AWS_ENDPOINT_URL;
  const playbooks = loadPlaybooks();
  const config = parseConfig(
    {
      notificationEmails: ['oncall@example.com'],
      playbooks: {
        'compromised-iam-credentials': { mode: 'enforce' },
        'compromised-ec2-instance': { mode: 'enforce' },
      },
    },
    'contract config',
    playbooks.map((playbook) => playbook.id),
  );

  beforeAll(async () => {
    clients = motoClients(moto().endpoint);
    iam = await seedIam(clients);
    ec2 = await seedEc2(clients, iam);
    proxy = await startRecordingProxy(moto().endpoint);
    // The CLI builds its clients with the SDK's own configuration: the endpoint comes from the environment.
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  }, 120_000);

  afterAll(async () => {
    if (endpointBefore === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = endpointBefore;
    await proxy?.close();
    destroyClients(clients);
  });

  const plan = (event: unknown) =>
    livePlanEvent(event, {
      config,
      playbooks,
      account: MOTO_ACCOUNT,
      connect: async () => createReadOnlyClients({ region: MOTO_REGION, credentials: MOTO_CREDENTIALS }),
    });

  it('an IAM key finding: the plan deactivates that key and denies older sessions; every request is a read', async () => {
    const event = withIds(loadEvent('guardduty/iam-user-long-term-key'), {
      '111122223333': MOTO_ACCOUNT,
      AKIAI44QH8DHBEXAMPLE: iam.accessKeyIds[0],
      AIDAJQABLZS4A3QDU576Q: iam.userId,
    });
    const result = await plan(event);
    if (result.kind !== 'planned') throw new Error(`expected a plan, got ${JSON.stringify(result)}`);
    const steps = result.runs[0]!.outcome.steps;
    expect(steps.find((step) => step.action === 'iam-deactivate-access-key')?.summary).toContain(iam.accessKeyIds[0]);
    expect(steps.find((step) => step.action === 'iam-revoke-user-sessions')?.status).toBe('planned');
    const sent = proxy.take();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((operation) => !isRead(operation))).toEqual([]);
    expect(result.reads.length).toBe(sent.length);
    const keys = await clients.iam.send(new ListAccessKeysCommand({ UserName: iam.userName }));
    expect(keys.AccessKeyMetadata!.map((key) => key.Status)).toEqual(['Active', 'Active']);
    expect((await clients.iam.send(new ListUserPoliciesCommand({ UserName: iam.userName }))).PolicyNames).toEqual([]);
  }, 60_000);

  it('an EC2 finding: the plan isolates both interfaces and snapshots three volumes; every request is a read', async () => {
    const event = withIds(loadEvent('guardduty/ec2-instance'), {
      '111122223333': MOTO_ACCOUNT,
      'i-0abc123def4567890': ec2.instanceId,
      'eni-0f1e2d3c4b5a69788': ec2.networkInterfaceIds[0]!,
      'app-server-profile': iam.instanceProfileName,
    });
    const result = await plan(event);
    if (result.kind !== 'planned') throw new Error(`expected a plan, got ${JSON.stringify(result)}`);
    const steps = result.runs[0]!.outcome.steps;
    const isolate = steps.find((step) => step.action === 'ec2-isolate-network')!.summary;
    for (const id of ec2.networkInterfaceIds) expect(isolate).toContain(id);
    const snapshot = steps.find((step) => step.action === 'ec2-snapshot-volumes')!.summary;
    for (const id of ec2.volumeIds) expect(snapshot).toContain(id);
    const sent = proxy.take();
    expect(sent.filter((operation) => !isRead(operation))).toEqual([]);
    expect(sent).toEqual(expect.arrayContaining(['ec2:DescribeInstances', 'autoscaling:DescribeAutoScalingInstances']));
  }, 60_000);
});
