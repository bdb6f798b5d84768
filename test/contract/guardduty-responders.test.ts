import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateDetectorCommand } from '@aws-sdk/client-guardduty';
import { loadEvent } from '../support/fixtures';
import { deployedFunctions, functionNamed, invokeBundle, type DeployedFunction } from './support/deployed-functions';
import { destroyClients, motoClients, type MotoClients } from './support/moto-clients';
import { MOTO_ACCOUNT } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { drainMessages, stackReferences, withIds } from './support/read-back';
import { startRecordingProxy, writesOf, type RecordingProxy } from './support/recording-proxy';
import {
  seedEc2,
  seedIam,
  seedStackResources,
  type Ec2World,
  type IamWorld,
  type StackResources,
} from './support/seed';
import { onlyPlaybooks, synthesizeStack } from './support/synthesized-stack';

describeOnMoto('the GuardDuty responders as cdk synth bundles them, on moto', (moto) => {
  let clients: MotoClients;
  let functions: DeployedFunction[];
  let seeded: StackResources;
  let iam: IamWorld;
  let ec2: Ec2World;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    const disabled = onlyPlaybooks('compromised-iam-credentials', 'compromised-ec2-instance');
    const stack = synthesizeStack({
      name: 'guardduty-responders',
      bundle: true,
      playbooks: {
        ...disabled,
        'compromised-iam-credentials': { mode: 'enforce' },
        'compromised-ec2-instance': { mode: 'dry-run' },
      },
    });
    clients = motoClients(moto().endpoint);
    seeded = await seedStackResources(clients, stack.template);
    functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
    iam = await seedIam(clients);
    ec2 = await seedEc2(clients, iam);
    await clients.guardDuty.send(new CreateDetectorCommand({ Enable: true }));
    proxy = await startRecordingProxy(moto().endpoint);
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    destroyClients(clients);
  });

  const iamEvent = () =>
    withIds(loadEvent('guardduty/iam-user-long-term-key'), {
      '111122223333': MOTO_ACCOUNT,
      AKIAI44QH8DHBEXAMPLE: iam.accessKeyIds[0],
      'ci-deploy': iam.userName,
    });

  // moto 5.2.5 has no guardduty:GetFindings (it answers with its 404 page), and an enforcing GuardDuty responder
  // re-reads every finding from GuardDuty before its first write. So on moto the deployed IAM and EC2 responders
  // refuse, fail-closed: that is what this asserts. Their containment writes run on moto in
  // containment-on-moto.test.ts (the engine in process, without the re-read) and, as deployed, on the fakes only.
  it('compromised-iam-credentials (enforce): GetFindings is missing, so nothing is written and one urgent message says why', async () => {
    const run = await invokeBundle(functionNamed(functions, 'compromised-iam-credentials'), proxy.endpoint, [
      iamEvent(),
    ]);
    expect(run.outcomes[0]?.error).toMatchObject({ name: 'ContainmentIncompleteError' });
    expect(run.outcomes[0]?.error?.message).toContain('guardduty:GetFindings');
    expect(run.outcomes[0]?.error?.message).toContain('Nothing was written');
    const operations = proxy.take();
    expect(operations).toContain('guardduty:GetFindings');
    expect(writesOf(operations)).toEqual([]);
    const keys = await clients.iam.send(new ListAccessKeysCommand({ UserName: iam.userName }));
    expect(keys.AccessKeyMetadata!.map((key) => key.Status)).toEqual(['Active', 'Active']);
    const messages = (await drainMessages(clients, seeded.queueUrl)).map(
      (message) => JSON.parse(message) as Record<string, unknown>,
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ status: 'not-contained', urgent: true });
    expect(JSON.stringify(messages[0])).toContain('guardduty:GetFindings');
  }, 60_000);

  it('compromised-ec2-instance (dry-run): reads instance, interfaces, volumes and group from moto; writes nothing; notifies the plan', async () => {
    const event = withIds(loadEvent('guardduty/ec2-instance'), {
      '111122223333': MOTO_ACCOUNT,
      'i-0abc123def4567890': ec2.instanceId,
      'eni-0f1e2d3c4b5a69788': ec2.networkInterfaceIds[0]!,
      'sg-0a1b2c3d4e5f67890': ec2.groupIds[0],
      'vpc-0fedcba9876543210': ec2.vpcIds[0],
      'subnet-0123456789abcdef0': ec2.subnetIds[0],
      'app-server-profile': iam.instanceProfileName,
    });
    const run = await invokeBundle(functionNamed(functions, 'compromised-ec2-instance'), proxy.endpoint, [event]);
    expect(run.outcomes[0]).toMatchObject({ result: { kind: 'handled', outcome: { status: 'dry-run' } } });
    const operations = proxy.take();
    expect(writesOf(operations)).toEqual([]);
    expect(operations).toEqual(
      expect.arrayContaining([
        'ec2:DescribeInstances',
        'ec2:DescribeIamInstanceProfileAssociations',
        'autoscaling:DescribeAutoScalingInstances',
        'iam:GetInstanceProfile',
      ]),
    );
    const [message] = await drainMessages(clients, seeded.queueUrl);
    const recorded = JSON.stringify((JSON.parse(message!) as { steps: unknown[] }).steps[0]);
    for (const id of [...ec2.networkInterfaceIds, ...ec2.volumeIds, ec2.autoScalingGroupName])
      expect(recorded).toContain(id);
  }, 60_000);
});
