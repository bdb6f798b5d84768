import {
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { loadEvent } from '../support/fixtures';
import { deployedFunctions, functionNamed, invokeBundle, type DeployedFunction } from './support/deployed-functions';
import { ledgerItems, releaseRequest } from './support/ledger-read-back';
import { destroyClients, motoClients, type MotoClients } from './support/moto-clients';
import { MOTO_ACCOUNT } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { drainMessages, stackReferences, withIds } from './support/read-back';
import { startRecordingProxy, writesOf, type RecordingProxy } from './support/recording-proxy';
import {
  openDefaultGroup,
  seedEc2,
  seedIam,
  seedSnapshots,
  seedStackResources,
  type Ec2World,
  type IamWorld,
  type SnapshotWorld,
  type StackResources,
} from './support/seed';
import { synthesizeStack } from './support/synthesized-stack';

// The native AWS Config paths, end to end: the bundles `cdk synth` writes, with their template environment, on
// moto. A native Config compliance change is not re-read from its source (Config keeps evaluations, not findings), so
// these responders run exactly as deployed. Every AWS request goes through a recording proxy, so that a test can say
// which writes a delivery made.

describeOnMoto('the Config responders as cdk synth bundles them, on moto', (moto) => {
  let clients: MotoClients;
  let functions: DeployedFunction[];
  let seeded: StackResources;
  let iam: IamWorld;
  let ec2: Ec2World;
  let snapshots: SnapshotWorld;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    const stack = synthesizeStack({
      name: 'config-responders',
      bundle: true,
      playbooks: { 'compromised-iam-credentials': { enabled: false }, 'compromised-ec2-instance': { enabled: false } },
    });
    clients = motoClients(moto().endpoint);
    seeded = await seedStackResources(clients, stack.template);
    functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
    iam = await seedIam(clients);
    ec2 = await seedEc2(clients, iam);
    snapshots = await seedSnapshots(clients);
    proxy = await startRecordingProxy(moto().endpoint);
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    destroyClients(clients);
  });

  afterEach(async () => {
    await drainMessages(clients, seeded.queueUrl);
    proxy.take();
  });

  const ingressOf = async (groupId: string) =>
    (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!
      .IpPermissions ?? [];
  const opensSsh = (rules: readonly IpPermission[]) =>
    rules.some((rule) => rule.FromPort === 22 && rule.IpRanges?.some((range) => range.CidrIp === '0.0.0.0/0'));

  function restrictedSshEvent(groupId: string, eventId: string) {
    return withIds(loadEvent('config/restricted-ssh-non-compliant'), {
      '111122223333': MOTO_ACCOUNT,
      'sg-0123456789abcdef0': groupId,
      '7d3f1a92-4c6e-b8d0-2e5a-91c4f07b3d68': eventId,
    });
  }

  // Revokes exactly the world-open SSH rule, sends one message and records the incident; a re-delivery writes nothing;
  // release puts the rule back and keeps the record.
  it('restricted-ssh: contain, re-deliver, release', async () => {
    const responder = functionNamed(functions, 'config-restricted-ssh');
    const groupId = ec2.groupIds[0];
    const event = restrictedSshEvent(groupId, '7d3f1a92-0000-4000-8000-000000000001');

    const first = await invokeBundle(responder, proxy.endpoint, [event]);
    expect(first.outcomes[0]).toMatchObject({ result: { kind: 'handled', outcome: { status: 'contained' } } });
    expect(writesOf(proxy.take())).toEqual(['ec2:RevokeSecurityGroupIngress']);
    const rules = await ingressOf(groupId);
    expect(opensSsh(rules)).toBe(false);
    expect(rules.map((rule) => rule.FromPort)).toEqual([443]);
    const messages = await drainMessages(clients, seeded.queueUrl);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!)).toMatchObject({ kind: 'firebreak.outcome', status: 'contained' });

    const incidentId = (first.outcomes[0]!.result as { outcome: { incidentId: string } }).outcome.incidentId;
    const items = await ledgerItems(clients, seeded.tableName, incidentId);
    expect(items.incident).toMatchObject({ status: { S: 'contained' }, playbook: { S: 'config-restricted-ssh' } });
    expect(items.steps).toHaveLength(1);
    expect(items.steps[0]).toMatchObject({ action: { S: 'ec2-revoke-open-ingress' }, state: { S: 'applied' } });
    expect(items.steps[0]!.mac?.S).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(items.steps[0]!.replaced!.S!)).toEqual({
      rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
    });

    // EventBridge delivers at least once: the same event again, in a new process (a cold start).
    const again = await invokeBundle(responder, proxy.endpoint, [event]);
    expect(again.outcomes[0]?.error).toBeUndefined();
    expect(writesOf(proxy.take())).toEqual([]);
    expect((await ledgerItems(clients, seeded.tableName, incidentId)).steps).toHaveLength(1);

    const release = functionNamed(functions, 'Release');
    const released = await invokeBundle(release, proxy.endpoint, [await releaseRequest(clients, release, incidentId)]);
    expect(released.outcomes[0]).toMatchObject({ result: { kind: 'released' } });
    expect(writesOf(proxy.take())).toEqual(['ec2:AuthorizeSecurityGroupIngress']);
    expect(opensSsh(await ingressOf(groupId))).toBe(true);
    const kept = await ledgerItems(clients, seeded.tableName, incidentId);
    expect(kept.incident?.releasedBy?.S).toMatch(/^arn:aws:(sts|iam)::123456789012:/);
    expect(kept.steps).toHaveLength(1);
    expect(kept.steps[0]!.releasedAt?.S).toBeDefined();
  }, 60_000);

  it('restricted-ssh: three concurrent deliveries of one event revoke once and notify once', async () => {
    const responder = functionNamed(functions, 'config-restricted-ssh');
    const groupId = ec2.groupIds[1];
    const event = restrictedSshEvent(groupId, '7d3f1a92-0000-4000-8000-000000000002');
    const run = await invokeBundle(responder, proxy.endpoint, [event, event, event], { concurrent: true });
    expect(run.outcomes.filter((outcome) => outcome.error)).toEqual([]);
    expect(writesOf(proxy.take())).toEqual(['ec2:RevokeSecurityGroupIngress']);
    expect(opensSsh(await ingressOf(groupId))).toBe(false);
    const statuses = (await drainMessages(clients, seeded.queueUrl)).map(
      (message) => (JSON.parse(message) as { status: string }).status,
    );
    expect(statuses.filter((status) => status === 'contained')).toHaveLength(1);
  }, 60_000);

  it('vpc-default-security-group-closed: removes every rule of the default group', async () => {
    const groupId = await openDefaultGroup(clients, ec2.vpcIds[0]);
    const event = withIds(loadEvent('config/vpc-default-security-group-closed-non-compliant'), {
      '111122223333': MOTO_ACCOUNT,
      'sg-0d0d0d0d0d0d0d0d0': groupId,
    });
    const run = await invokeBundle(
      functionNamed(functions, 'config-vpc-default-security-group-closed'),
      proxy.endpoint,
      [event],
    );
    expect(run.outcomes[0]).toMatchObject({ result: { outcome: { status: 'contained' } } });
    const group = (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
      .SecurityGroups![0]!;
    expect(group.IpPermissions ?? []).toEqual([]);
    expect(group.IpPermissionsEgress ?? []).toEqual([]);
    expect(writesOf(proxy.take()).sort()).toEqual(['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress']);
    expect(await drainMessages(clients, seeded.queueUrl)).toHaveLength(1);
  }, 60_000);

  it('ebs-snapshot-public-restorable-check: makes the public snapshots private and leaves a share with a named account', async () => {
    const event = withIds(loadEvent('config/ebs-snapshot-public-restorable-check-non-compliant'), {
      '111122223333': MOTO_ACCOUNT,
    });
    const run = await invokeBundle(functionNamed(functions, 'config-ebs-snapshot-public'), proxy.endpoint, [event]);
    expect(run.outcomes[0]).toMatchObject({ result: { outcome: { status: 'contained' } } });
    const permissions = async (snapshotId: string) =>
      (
        await clients.ec2.send(
          new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }),
        )
      ).CreateVolumePermissions ?? [];
    for (const id of snapshots.publicSnapshotIds) expect(await permissions(id)).toEqual([]);
    expect(await permissions(snapshots.sharedSnapshotId)).toEqual([{ UserId: '444455556666' }]);
    // moto 5.2.5 ignores DescribeSnapshots' OwnerIds and RestorableByUserIds (AWS filters on both), so the responder
    // is shown every snapshot of the account and removes "all" from each, which is a no-op on the private ones.
    const listed = (await clients.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
    expect(writesOf(proxy.take())).toEqual(listed.map(() => 'ec2:ModifySnapshotAttribute'));
    expect(await drainMessages(clients, seeded.queueUrl)).toHaveLength(1);
  }, 60_000);

  it("iam-user-unused-credentials-check: moto's user ids are not AWS-shaped, so the responder refuses (no write, one message)", async () => {
    // AWS user ids are AIDA + upper-case letters and digits; moto 5.2.5 makes 20 lower-case ones (iam/utils.py
    // random_resource_id). The Config subject parser takes only AWS-shaped ids, so on moto this path ends as a
    // manual action, fail-closed; the deactivation itself is covered by the fakes (test/actions) only.
    expect(iam.userId).toMatch(/^[a-z0-9]{20}$/);
    const event = withIds(loadEvent('config/iam-user-unused-credentials-check-non-compliant'), {
      '111122223333': MOTO_ACCOUNT,
      AIDAW3EXAMPLEQH7ZK2LN: iam.userId,
    });
    const run = await invokeBundle(functionNamed(functions, 'config-iam-user-unused-credentials'), proxy.endpoint, [
      event,
    ]);
    expect(run.outcomes[0]).toMatchObject({
      result: { outcome: { status: 'manual-action-required', steps: [{ status: 'not-applicable' }] } },
    });
    expect(writesOf(proxy.take())).toEqual([]);
    const keys = await clients.iam.send(new ListAccessKeysCommand({ UserName: iam.userName }));
    expect(keys.AccessKeyMetadata!.map((key) => key.Status)).toEqual(['Active', 'Active']);
    expect(await drainMessages(clients, seeded.queueUrl)).toHaveLength(1);
  }, 60_000);
});
