import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import {
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUserTagsCommand,
} from '@aws-sdk/client-iam';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { KmsRecordMac } from '../../lambdas/ledger/record-mac';
import { withRecordMacs } from '../../lambdas/ledger/verified-ledger';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import { parseResponderSettings, type ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { loadEvent } from '../support/fixtures';
import { deployedFunctions, functionNamed } from './support/deployed-functions';
import { ledgerItems } from './support/ledger-read-back';
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
import { synthesizeStack } from './support/synthesized-stack';

// The GuardDuty containment writes, on moto. The deployed GuardDuty responders re-read each finding with
// guardduty:GetFindings before their first write, which moto 5.2.5 does not implement (guardduty-responders.test.ts
// shows them refusing). So here the engine runs in process, wired as lambdas/handlers/respond.ts wires it (settings
// from the synthesized template, the real ledger with KMS MACs, SNS), with moto's SDK clients and without only the
// finding re-read (`findingSources`). Nothing in AWS is faked: every call goes to moto, through a recording proxy.

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describeOnMoto('the GuardDuty containment writes, on moto (the engine in process, without the re-read)', (moto) => {
  let clients: MotoClients;
  let seeded: StackResources;
  let settingsOf: (playbook: string) => ResponderSettings;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    const stack = synthesizeStack({
      name: 'containment-settings',
      playbooks: {
        'compromised-iam-credentials': { mode: 'enforce' },
        'compromised-ec2-instance': { mode: 'enforce' },
      },
    });
    const direct = motoClients(moto().endpoint);
    seeded = await seedStackResources(direct, stack.template);
    destroyClients(direct);
    const functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
    settingsOf = (playbook) =>
      parseResponderSettings(functionNamed(functions, playbook).environment.FIREBREAK_SETTINGS, `${playbook} settings`);
    proxy = await startRecordingProxy(moto().endpoint);
    clients = motoClients(proxy.endpoint);
  }, 120_000);

  afterAll(async () => {
    destroyClients(clients);
    await proxy?.close();
  });

  afterEach(async () => {
    await drainMessages(clients, seeded.queueUrl);
    proxy.take();
  });

  function respond(playbook: string, event: unknown, invocationId: string): Promise<HandleResult> {
    const settings = settingsOf(playbook);
    const ledger = withRecordMacs(
      new DynamoDbLedger(clients.dynamodb, seeded.tableName, settings.ledgerRetentionDays),
      new KmsRecordMac(clients.kms, seeded.macKeyArn),
    );
    return handleEvent(event, { settings, clients, topicArn: seeded.topicArn, log: silent, ledger, invocationId });
  }

  const incidentOf = (result: HandleResult) => {
    if (result.kind !== 'handled') throw new Error(`expected a handled finding, got ${JSON.stringify(result)}`);
    return result.outcome;
  };

  function iamEvent(world: IamWorld, eventId: string) {
    return withIds(loadEvent('guardduty/iam-user-long-term-key'), {
      '111122223333': MOTO_ACCOUNT,
      AKIAI44QH8DHBEXAMPLE: world.accessKeyIds[0],
      'ci-deploy': world.userName,
      // GuardDuty names the user's id too; the responder checks it is still that user (not one re-created since).
      AIDAJQABLZS4A3QDU576Q: world.userId,
      '3f6c1a2b-8d4e-4f7a-9b0c-5e2d1a7c8f31': eventId,
    });
  }

  it('compromised IAM key: that key inactive (the other stays active), a deny on older sessions, the user tagged; once', async () => {
    const world = await seedIam(clients, 'ci-deploy');
    proxy.take();
    const outcome = incidentOf(await respond('compromised-iam-credentials', iamEvent(world, 'e-1'), 'request-1'));
    expect(outcome.status).toBe('contained');
    expect(writesOf(proxy.take()).sort()).toEqual(['iam:PutUserPolicy', 'iam:TagUser', 'iam:UpdateAccessKey']);

    const keys = (await clients.iam.send(new ListAccessKeysCommand({ UserName: world.userName }))).AccessKeyMetadata!;
    expect(Object.fromEntries(keys.map((key) => [key.AccessKeyId, key.Status]))).toEqual({
      [world.accessKeyIds[0]]: 'Inactive',
      [world.accessKeyIds[1]]: 'Active',
    });
    const policies = (await clients.iam.send(new ListUserPoliciesCommand({ UserName: world.userName }))).PolicyNames!;
    expect(policies).toHaveLength(1);
    const policy = await clients.iam.send(
      new GetUserPolicyCommand({ UserName: world.userName, PolicyName: policies[0] }),
    );
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument!)) as {
      Statement: {
        Effect: string;
        Action: string;
        Resource: string;
        Condition: Record<string, Record<string, string>>;
      }[];
    };
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    const issuedBefore = document.Statement[0]!.Condition.DateLessThan?.['aws:TokenIssueTime'];
    expect(Date.parse(issuedBefore!)).toBeGreaterThan(Date.now() - 60_000);
    const tags = (await clients.iam.send(new ListUserTagsCommand({ UserName: world.userName }))).Tags!;
    expect(tags.map((tag) => tag.Key)).toEqual(expect.arrayContaining(['team', expect.stringMatching(/^firebreak:/)]));

    const messages = await drainMessages(clients, seeded.queueUrl);
    expect(messages.map((message) => (JSON.parse(message) as { status: string }).status)).toEqual(['contained']);
    const items = await ledgerItems(clients, seeded.tableName, outcome.incidentId!);
    expect(items.incident?.status?.S).toBe('contained');
    expect(items.steps.map((step) => step.action?.S).sort()).toEqual([
      'iam-deactivate-access-key',
      'iam-revoke-user-sessions',
      'iam-tag-principal',
    ]);
    expect(items.steps.every((step) => step.mac?.S && step.state?.S === 'applied')).toBe(true);

    // GuardDuty sends the same finding again (every 15 minutes to 6 hours): nothing is written a second time.
    const again = incidentOf(await respond('compromised-iam-credentials', iamEvent(world, 'e-2'), 'request-2'));
    expect(again.status).toBe('already-contained');
    expect(writesOf(proxy.take())).toEqual([]);
    expect((await ledgerItems(clients, seeded.tableName, outcome.incidentId!)).steps).toHaveLength(3);
  }, 60_000);

  it('compromised IAM key, three concurrent deliveries: one of each write, one contained message', async () => {
    const world = await seedIam(clients, 'build-bot');
    proxy.take();
    const results = await Promise.all(
      ['r-1', 'r-2', 'r-3'].map((id) => respond('compromised-iam-credentials', iamEvent(world, `e-${id}`), id)),
    );
    expect(results.every((result) => result.kind === 'handled')).toBe(true);
    expect(writesOf(proxy.take()).sort()).toEqual(['iam:PutUserPolicy', 'iam:TagUser', 'iam:UpdateAccessKey']);
    const statuses = (await drainMessages(clients, seeded.queueUrl)).map(
      (message) => (JSON.parse(message) as { status: string }).status,
    );
    expect(statuses.filter((status) => status === 'contained')).toHaveLength(1);
  }, 60_000);

  describe('a compromised EC2 instance with interfaces in two VPCs, three volumes, a profile and an Auto Scaling group', () => {
    let iam: IamWorld;
    let ec2: Ec2World;
    let result: HandleResult;
    let writes: string[];

    beforeAll(async () => {
      iam = await seedIam(clients, 'web');
      ec2 = await seedEc2(clients, iam);
      proxy.take();
      const event = withIds(loadEvent('guardduty/ec2-instance'), {
        '111122223333': MOTO_ACCOUNT,
        'i-0abc123def4567890': ec2.instanceId,
        'eni-0f1e2d3c4b5a69788': ec2.networkInterfaceIds[0]!,
        'sg-0a1b2c3d4e5f67890': ec2.groupIds[0],
        'vpc-0fedcba9876543210': ec2.vpcIds[0],
        'subnet-0123456789abcdef0': ec2.subnetIds[0],
        'app-server-profile': iam.instanceProfileName,
      });
      result = await respond('compromised-ec2-instance', event, 'ec2-request-1');
      writes = writesOf(proxy.take());
    }, 60_000);

    it('is contained, and says so in one message', async () => {
      expect(incidentOf(result).steps.filter((step) => step.status === 'failed')).toEqual([]);
      expect(incidentOf(result).status).toBe('contained');
      expect(await drainMessages(clients, seeded.queueUrl)).toHaveLength(1);
    });

    it('every interface is on the quarantine group of its own VPC, and that group has no rules', async () => {
      const interfaces = (
        await clients.ec2.send(
          new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [...ec2.networkInterfaceIds] }),
        )
      ).NetworkInterfaces!;
      for (const networkInterface of interfaces) {
        // moto 5.2.5 reports an attached interface's groups as its own plus the groups the instance was launched with
        // (ec2/models/elastic_network_interfaces.py, group_set), so the launch group shows on both interfaces whatever
        // ModifyNetworkInterfaceAttribute set; on AWS an interface has only its own. Every other group must be gone.
        const groupIds = networkInterface.Groups!.map((group) => group.GroupId!);
        const own = groupIds.filter((id) => id !== ec2.groupIds[0]);
        expect(own).toHaveLength(1);
        const group = (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: own })))
          .SecurityGroups![0]!;
        expect(group.GroupName).toBe(`firebreak-quarantine-${networkInterface.VpcId}`);
        expect(group.VpcId).toBe(networkInterface.VpcId);
        expect(group.IpPermissions ?? []).toEqual([]);
        expect(group.IpPermissionsEgress ?? []).toEqual([]);
      }
      expect(new Set(interfaces.map((networkInterface) => networkInterface.VpcId))).toEqual(new Set(ec2.vpcIds));
    });

    it('is protected: no termination, no stop, shutdown stops, volumes kept on termination; never stopped', async () => {
      const attribute = async (
        Attribute: 'disableApiTermination' | 'disableApiStop' | 'instanceInitiatedShutdownBehavior',
      ) => clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: ec2.instanceId, Attribute }));
      expect((await attribute('disableApiTermination')).DisableApiTermination?.Value).toBe(true);
      expect((await attribute('disableApiStop')).DisableApiStop?.Value).toBe(true);
      expect((await attribute('instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior?.Value).toBe(
        'stop',
      );
      const instance = (await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [ec2.instanceId] })))
        .Reservations![0]!.Instances![0]!;
      expect(instance.State?.Name).toBe('running');
      expect(instance.BlockDeviceMappings!.map((mapping) => mapping.Ebs?.DeleteOnTermination)).toEqual([
        false,
        false,
        false,
      ]);
      expect(instance.Tags?.some((tag) => tag.Key?.startsWith('firebreak:'))).toBe(true);
    });

    it('its instance profile is removed, and it is in Standby in its Auto Scaling group', async () => {
      const associations = await clients.ec2.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [{ Name: 'instance-id', Values: [ec2.instanceId] }],
        }),
      );
      expect((associations.IamInstanceProfileAssociations ?? []).filter((a) => a.State === 'associated')).toEqual([]);
      const membership = await clients.autoScaling.send(
        new DescribeAutoScalingInstancesCommand({ InstanceIds: [ec2.instanceId] }),
      );
      expect(membership.AutoScalingInstances![0]!.LifecycleState).toBe('Standby');
    });

    it('every volume has one snapshot, tagged with the finding', async () => {
      const snapshots = (
        await clients.ec2.send(
          new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: [...ec2.volumeIds] }] }),
        )
      ).Snapshots!;
      expect(snapshots.map((snapshot) => snapshot.VolumeId).sort()).toEqual([...ec2.volumeIds]);
      for (const snapshot of snapshots)
        expect(snapshot.Tags?.map((tag) => tag.Value)).toEqual(
          expect.arrayContaining([expect.stringContaining('e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46')]),
        );
      expect(writes.filter((write) => write === 'ec2:CreateSnapshots')).toHaveLength(1);
    });
  });
});
