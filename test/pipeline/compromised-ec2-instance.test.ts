import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook } from '../../lambdas/model/playbook';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { buildNotification } from '../../lambdas/notify/publish-outcome';
import { loadPlaybooks } from '../../lib/playbooks';
import { APP_SG, ENI, INSTANCE, VPC, instanceWorld } from '../support/action-cases';
import { accessDenied, serverError } from '../support/aws-errors';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import { editedEvent, loadFinding } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, testClients } from '../support/settings';

const ec2Playbook = (): Playbook => loadPlaybooks().find((playbook) => playbook.id === 'compromised-ec2-instance')!;

function world(options: { autoScaling?: boolean } = {}) {
  const iam = new FakeIam(HOME_ACCOUNT);
  const ec2 = new FakeEc2(HOME_ACCOUNT);
  instanceWorld(iam, ec2, options);
  return { iam, ec2 };
}

async function contain(
  fakes: { iam: FakeIam; ec2: FakeEc2 },
  finding = loadFinding('guardduty/ec2-instance'),
  playbook = ec2Playbook(),
): Promise<Outcome> {
  const { clients } = testClients(fakes.iam, fakes.ec2);
  return runPlaybook(finding, {
    settings: responderSettings({ playbook }),
    clients,
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
}

const statuses = (outcome: Outcome) => Object.fromEntries(outcome.steps.map((step) => [step.action, step.status]));
const quarantineOf = (ec2: FakeEc2, vpcId: string) =>
  [...ec2.securityGroups.values()].find(
    (group) => group.vpcId === vpcId && group.tags['firebreak:group-role'] === 'quarantine',
  );

describe('compromised-ec2-instance: end to end on the fakes', () => {
  it('contains the instance completely and reversibly, and never stops it', async () => {
    const fakes = world();
    const outcome = await contain(fakes);
    const { ec2, iam } = fakes;
    expect(outcome.status).toBe('contained');
    expect(statuses(outcome)).toEqual({
      'ec2-record-instance-state': 'recorded',
      'autoscaling-enter-standby': 'done',
      'ec2-protect-evidence': 'done',
      'ec2-isolate-network': 'done',
      'ec2-revoke-instance-credentials': 'done',
      'ec2-snapshot-volumes': 'done',
      'ec2-tag-instance': 'done',
    });
    const instance = ec2.instance(INSTANCE);
    expect(instance.state).toBe('running');
    expect(instance).toMatchObject({
      disableApiTermination: true,
      disableApiStop: true,
      shutdownBehavior: 'stop',
      lifecycleState: 'Standby',
    });
    expect(instance.volumes.every((volume) => !volume.deleteOnTermination)).toBe(true);
    const quarantine = quarantineOf(ec2, VPC)!;
    expect(ec2.groupsOf(ENI)).toEqual([quarantine.groupId]);
    expect(quarantine.ingress).toEqual([]);
    expect(quarantine.egress).toEqual([]);
    expect(instance.instanceProfileArn).toBeUndefined();
    expect(
      JSON.parse(iam.role('app-server-role').policies![`firebreak-deny-session-${INSTANCE}`]!).Statement[0].Condition,
    ).toEqual({
      StringEquals: { 'aws:userid': `AROAINSTANCEROLE0001:${INSTANCE}` },
    });
    const snapshots = [...ec2.snapshots.values()];
    expect(snapshots.map((snapshot) => snapshot.volumeId).sort()).toEqual([
      'vol-0aaaaaaaaaaaaaaa1',
      'vol-0bbbbbbbbbbbbbbb2',
    ]);
    for (const snapshot of snapshots) {
      expect(snapshot.tags).toMatchObject({
        'firebreak:finding-id': 'e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46',
        'firebreak:instance-id': INSTANCE,
        'firebreak:volume-id': snapshot.volumeId,
      });
    }
    expect(instance.tags).toMatchObject({
      'firebreak:status': 'quarantined',
      'firebreak:finding-id': 'e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46',
    });
    // The all-traffic transition group exists but is attached to nothing.
    const transition = [...ec2.securityGroups.values()].find(
      (group) => group.tags['firebreak:group-role'] === 'all-traffic-transition',
    )!;
    expect([...ec2.interfaces.values()].some((eni) => eni.groupIds.includes(transition.groupId))).toBe(false);
    // Never a stop, terminate or delete of any kind.
    const called = ec2.ec2Mock.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(called.filter((name) => /Stop|Terminate|Delete/.test(name))).toEqual([]);
  });

  it('the message lists snapshot ids, the quarantine group, what was not done and how to release', async () => {
    const fakes = world();
    const outcome = await contain(fakes);
    const { text } = buildNotification(outcome);
    const quarantine = quarantineOf(fakes.ec2, VPC)!.groupId;
    for (const snapshot of fakes.ec2.snapshots.values()) expect(text).toContain(snapshot.snapshotId);
    expect(text).toContain(`${ENI} on [${quarantine}] (quarantine, no rules)`);
    expect(text).toContain('network ACL');
    expect(text).toContain(
      `$ aws ec2 modify-network-interface-attribute --network-interface-id ${ENI} --groups ${APP_SG}`,
    );
    expect(text).toContain(
      `$ aws autoscaling exit-standby --auto-scaling-group-name app-asg --instance-ids ${INSTANCE}`,
    );
    expect(text).toContain(
      `$ aws ec2 associate-iam-instance-profile --instance-id ${INSTANCE} ` +
        `--iam-instance-profile Arn=arn:aws:iam::111122223333:instance-profile/app-server-profile`,
    );
    // Undo runs in reverse: the network comes back before the group takes the instance back into service.
    expect(text.indexOf('modify-network-interface-attribute')).toBeLessThan(text.indexOf('exit-standby'));
  });

  it('a re-delivered finding writes nothing, takes no second snapshot, and says already contained', async () => {
    const fakes = world();
    await contain(fakes);
    const snapshots = fakes.ec2.snapshots.size;
    fakes.ec2.ec2Mock.resetHistory();
    fakes.ec2.autoScalingMock.resetHistory();
    fakes.iam.mock.resetHistory();
    const again = await contain(fakes);
    expect(again.status).toBe('already-contained');
    expect(fakes.ec2.writeCalls() + fakes.iam.writeCalls()).toBe(0);
    expect(fakes.ec2.snapshots.size).toBe(snapshots);
    expect(buildNotification(again).subject).toContain('ALREADY CONTAINED');
  });

  it('isolates every interface of a multi-interface, multi-VPC instance on its own VPC quarantine group', async () => {
    const iam = new FakeIam(HOME_ACCOUNT);
    const ec2 = new FakeEc2(HOME_ACCOUNT);
    const sgA = ec2.addSecurityGroup({ groupName: 'web', vpcId: 'vpc-0aaaaaaaaaaaaaaaa' });
    const sgA2 = ec2.addSecurityGroup({ groupName: 'ssh', vpcId: 'vpc-0aaaaaaaaaaaaaaaa' });
    const sgB = ec2.addSecurityGroup({ groupName: 'db', vpcId: 'vpc-0bbbbbbbbbbbbbbbb' });
    ec2.addInstance({
      instanceId: INSTANCE,
      interfaces: [
        { networkInterfaceId: 'eni-0000000000000000a', vpcId: 'vpc-0aaaaaaaaaaaaaaaa', groupIds: [sgA, sgA2] },
        { networkInterfaceId: 'eni-0000000000000000b', vpcId: 'vpc-0aaaaaaaaaaaaaaaa', groupIds: [sgA] },
        { networkInterfaceId: 'eni-0000000000000000c', vpcId: 'vpc-0bbbbbbbbbbbbbbbb', groupIds: [sgB] },
      ],
      volumes: [{ volumeId: 'vol-0aaaaaaaaaaaaaaa1', deviceName: '/dev/xvda', deleteOnTermination: false }],
      rootDeviceName: '/dev/xvda',
    });
    const outcome = await contain({ iam, ec2 });
    expect(statuses(outcome)['ec2-isolate-network']).toBe('done');
    const qa = quarantineOf(ec2, 'vpc-0aaaaaaaaaaaaaaaa')!.groupId;
    const qb = quarantineOf(ec2, 'vpc-0bbbbbbbbbbbbbbbb')!.groupId;
    expect(qa).not.toBe(qb);
    expect(ec2.groupsOf('eni-0000000000000000a')).toEqual([qa]);
    expect(ec2.groupsOf('eni-0000000000000000b')).toEqual([qa]);
    expect(ec2.groupsOf('eni-0000000000000000c')).toEqual([qb]);
    const step = outcome.steps.find((candidate) => candidate.action === 'ec2-isolate-network')!;
    expect(step.replaced).toEqual({
      interfaces: {
        'eni-0000000000000000a': [sgA, sgA2],
        'eni-0000000000000000b': [sgA],
        'eni-0000000000000000c': [sgB],
      },
    });
    expect(step.release).toHaveLength(3);
    // One quarantine group per VPC, reused: a second instance in the same VPC creates none.
    expect(
      [...ec2.securityGroups.values()].filter((group) => group.tags['firebreak:group-role'] === 'quarantine'),
    ).toHaveLength(2);
  });

  it('reuses an existing quarantine group found by tag', async () => {
    const fakes = world();
    const existing = fakes.ec2.addSecurityGroup({
      groupName: 'our-quarantine',
      vpcId: VPC,
      egress: [],
      tags: { 'firebreak:group-role': 'quarantine' },
    });
    await contain(fakes);
    expect(fakes.ec2.groupsOf(ENI)).toEqual([existing]);
  });

  it('a failure in the second swap retries, then rolls back to the original groups; the all-traffic group never stays', async () => {
    const fakes = world();
    // First swap (to all-traffic) succeeds, then every further swap to the quarantine group fails.
    let swaps = 0;
    const outcome = await (async () => {
      const { clients } = testClients(fakes.iam, fakes.ec2);
      const realSend = clients.ec2.send.bind(clients.ec2);
      clients.ec2.send = (async (command: { constructor: { name: string }; input: { Groups?: string[] } }) => {
        if (command.constructor.name === 'ModifyNetworkInterfaceAttributeCommand') {
          swaps += 1;
          const quarantine = quarantineOf(fakes.ec2, VPC)?.groupId;
          if (command.input.Groups?.[0] === quarantine) throw serverError();
        }
        return realSend(command as never);
      }) as never;
      return runPlaybook(loadFinding('guardduty/ec2-instance'), {
        settings: responderSettings({ playbook: ec2Playbook() }),
        clients,
        receivedAt: FIXED_NOW,
        now: () => FIXED_NOW,
      });
    })();
    const step = outcome.steps.find((candidate) => candidate.action === 'ec2-isolate-network')!;
    expect(step.status).toBe('failed');
    expect(step.error!.message).toContain(`${ENI}: NOT ISOLATED, still on its original groups [${APP_SG}]`);
    expect(fakes.ec2.groupsOf(ENI)).toEqual([APP_SG]);
    expect(swaps).toBe(1 + 3 + 1); // to all-traffic, three attempts at quarantine, back to the original groups
    expect(outcome.status).toBe('partially-contained');
    expect(outcome.urgent).toBe(true);
  });

  it('if even the rollback fails, the message says the all-traffic group may still be attached and how to fix it', async () => {
    const fakes = world();
    const { clients } = testClients(fakes.iam, fakes.ec2);
    const realSend = clients.ec2.send.bind(clients.ec2);
    let first = true;
    clients.ec2.send = (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'ModifyNetworkInterfaceAttributeCommand') {
        if (!first) throw accessDenied('ec2:ModifyNetworkInterfaceAttribute');
        first = false;
      }
      return realSend(command as never);
    }) as never;
    const outcome = await runPlaybook(loadFinding('guardduty/ec2-instance'), {
      settings: responderSettings({ playbook: ec2Playbook() }),
      clients,
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    const step = outcome.steps.find((candidate) => candidate.action === 'ec2-isolate-network')!;
    expect(step.error!.message).toContain(
      'MAY STILL BE ATTACHED, replace it now: aws ec2 modify-network-interface-attribute',
    );
    expect(buildNotification(outcome).text).toContain('MAY STILL BE ATTACHED');
  });

  it('an Auto Scaling instance enters Standby before it is isolated', async () => {
    const fakes = world();
    const { clients } = testClients(fakes.iam, fakes.ec2);
    const order: string[] = [];
    for (const client of [clients.ec2, clients.autoScaling] as { send: (command: object) => Promise<unknown> }[]) {
      const realSend = client.send.bind(client);
      client.send = async (command: object) => {
        order.push(command.constructor.name);
        return realSend(command);
      };
    }
    await runPlaybook(loadFinding('guardduty/ec2-instance'), {
      settings: responderSettings({ playbook: ec2Playbook() }),
      clients,
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    const standby = order.indexOf('EnterStandbyCommand');
    expect(standby).toBeGreaterThanOrEqual(0);
    expect(standby).toBeLessThan(order.indexOf('ModifyNetworkInterfaceAttributeCommand'));
    expect(fakes.ec2.instance(INSTANCE).lifecycleState).toBe('Standby');
  });

  it('a Spot Instance: no termination or stop protection (reported), everything else is done', async () => {
    const iam = new FakeIam(HOME_ACCOUNT);
    const ec2 = new FakeEc2(HOME_ACCOUNT);
    instanceWorld(iam, ec2, { autoScaling: false });
    ec2.instance(INSTANCE).spot = true;
    const outcome = await contain({ iam, ec2 });
    expect(outcome.status).toBe('contained');
    expect(ec2.instance(INSTANCE)).toMatchObject({
      disableApiTermination: false,
      disableApiStop: false,
      shutdownBehavior: 'stop',
    });
    expect(outcome.manualSteps.some((step) => step.includes('Spot Instance'))).toBe(true);
    expect(outcome.steps.find((step) => step.action === 'ec2-protect-evidence')!.summary).toContain('Spot Instance');
  });

  it('an instance tagged with the exemption tag gets no write', async () => {
    const fakes = world();
    fakes.ec2.instance(INSTANCE).tags['firebreak:exempt'] = 'true';
    const outcome = await contain(fakes);
    expect(outcome.status).toBe('skipped');
    expect(fakes.ec2.writeCalls() + fakes.iam.writeCalls()).toBe(0);
  });

  it.each([
    [
      'instanceDetails is missing',
      (e: Record<string, any>) => delete e.detail.resource.instanceDetails,
      'manual-action-required',
      'instanceDetails is missing',
    ],
    [
      'the instance no longer exists',
      (e: Record<string, any>) => (e.detail.resource.instanceDetails.instanceId = 'i-0123456789abcdef0'),
      'skipped',
      'no longer exists',
    ],
    [
      'the instance is in another account',
      (e: Record<string, any>) => (e.detail.accountId = '444455556666'),
      'skipped',
      'account 444455556666',
    ],
    [
      'it is a sample finding',
      (e: Record<string, any>) => (e.detail.service.additionalInfo = { sample: true }),
      'skipped',
      'sample',
    ],
  ])('no write when %s, with a clear reason', async (_name, edit, status, reason) => {
    const fakes = world();
    const parsed = parseEvent(editedEvent('guardduty/ec2-instance', edit));
    if (parsed.kind !== 'finding') throw new Error('fixture');
    const outcome = await contain(fakes, parsed.finding);
    expect(outcome.status).toBe(status);
    expect(outcome.reason).toContain(reason);
    expect(fakes.ec2.writeCalls() + fakes.iam.writeCalls()).toBe(0);
  });

  it('a terminated instance is not acted on', async () => {
    const fakes = world();
    fakes.ec2.instance(INSTANCE).state = 'terminated';
    const outcome = await contain(fakes);
    expect(outcome.status).toBe('skipped');
    expect(outcome.reason).toContain('terminated');
  });

  it('dry-run writes nothing and plans every step', async () => {
    const fakes = world();
    const outcome = await contain(fakes, loadFinding('guardduty/ec2-instance'), { ...ec2Playbook(), mode: 'dry-run' });
    expect(outcome.status).toBe('dry-run');
    expect(fakes.ec2.writeCalls() + fakes.iam.writeCalls()).toBe(0);
    expect(outcome.steps.filter((step) => step.status === 'planned').map((step) => step.action)).toEqual([
      'autoscaling-enter-standby',
      'ec2-isolate-network',
      'ec2-revoke-instance-credentials',
      'ec2-protect-evidence',
      'ec2-snapshot-volumes',
      'ec2-tag-instance',
    ]);
  });
});
