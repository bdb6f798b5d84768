import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import { releaseIncident } from '../../lambdas/pipeline/release-incident';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { loadPlaybooks } from '../../lib/playbooks';
import { ACTION_CASES, APP_SG, ENI, INSTANCE, VPC, instanceWorld } from '../support/action-cases';
import { timeout } from '../support/aws-errors';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, responderSettings, ledgerWorld } from '../support/settings';

/** Cases a review found by reasoning about retries, partial failures and release; each failed before its fix. */
const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;
const later = (minutes: number) => new Date(FIXED_NOW.getTime() + minutes * 60_000);

const world = ledgerWorld;
type World = ReturnType<typeof world>;

function deliver(w: World, fixture: string, settings: ResponderSettings, at: Date, invocationId: string) {
  return handleEvent(loadEvent(fixture), {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId,
    now: () => at,
  }).catch((error: unknown) => error);
}

describe('review regressions', () => {
  it('a retry after a swap that left the all-traffic group attached restores the real original groups on release', async () => {
    const w = world((iam, ec2) => instanceWorld(iam, ec2));
    const settings = responderSettings({ playbook: playbook('compromised-ec2-instance') });
    // The first delivery gets to the all-traffic group, then every later swap fails.
    let swaps = 0;
    const realSend = w.clients.ec2.send.bind(w.clients.ec2) as (command: object) => Promise<unknown>;
    (w.clients.ec2 as unknown as { send: (command: object) => Promise<unknown> }).send = async (command: object) => {
      if (command.constructor.name === 'ModifyNetworkInterfaceAttributeCommand' && (swaps += 1) > 1 && swaps < 100)
        throw timeout();
      return realSend(command);
    };
    await deliver(w, 'guardduty/ec2-instance', settings, FIXED_NOW, 'first');
    const transition = [...w.ec2.securityGroups.values()].find(
      (group) => group.tags['firebreak:group-role'] === 'all-traffic-transition',
    )!.groupId;
    expect(w.ec2.groupsOf(ENI)).toEqual([transition]);
    swaps = 100; // the network recovers
    await deliver(w, 'guardduty/ec2-instance', settings, later(10), 'second');
    const quarantine = [...w.ec2.securityGroups.values()].find(
      (group) => group.tags['firebreak:group-role'] === 'quarantine',
    )!.groupId;
    expect(w.ec2.groupsOf(ENI)).toEqual([quarantine]);
    const incidentId = `e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46/instance/${INSTANCE}`;
    await releaseIncident(incidentId, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'alice',
      exemptionHours: 1,
      now: () => later(20),
    });
    expect(w.ec2.groupsOf(ENI)).toEqual([APP_SG]);
  });

  it('an existing quarantine group with rules in it is emptied before anything is attached to it', async () => {
    const w = world((iam, ec2) => {
      instanceWorld(iam, ec2);
      ec2.addSecurityGroup({
        groupName: `firebreak-quarantine-${VPC}`,
        vpcId: VPC,
        tags: { 'firebreak:group-role': 'quarantine' },
      });
    });
    await deliver(
      w,
      'guardduty/ec2-instance',
      responderSettings({ playbook: playbook('compromised-ec2-instance') }),
      FIXED_NOW,
      'r',
    );
    const quarantine = [...w.ec2.securityGroups.values()].find(
      (group) => group.tags['firebreak:group-role'] === 'quarantine',
    )!;
    expect(w.ec2.groupsOf(ENI)).toEqual([quarantine.groupId]);
    expect(quarantine.egress).toEqual([]);
    expect(quarantine.ingress).toEqual([]);
  });

  it(
    'a quarantine group with only the egress every new group starts with (another ' +
      'run is creating it) is emptied without asking anyone; other rules are reported',
    async () => {
      const settings = responderSettings({ playbook: playbook('compromised-ec2-instance') });
      const manualSteps = async (ingress: boolean) => {
        const w = world((iam, ec2) => {
          instanceWorld(iam, ec2);
          ec2.addSecurityGroup({
            groupName: `firebreak-quarantine-${VPC}`,
            vpcId: VPC,
            tags: { 'firebreak:group-role': 'quarantine' },
            ...(ingress
              ? { ingress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] }] }
              : {}),
          });
        });
        const result = (await deliver(w, 'guardduty/ec2-instance', settings, FIXED_NOW, 'r')) as HandleResult;
        expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
        return result.kind === 'handled'
          ? result.outcome.manualSteps.filter((step) => step.includes('check who added them'))
          : [];
      };
      expect(await manualSteps(false)).toEqual([]);
      expect(await manualSteps(true)).toHaveLength(1);
    },
  );

  it("a Config rule never revokes the rules of Firebreak's own transition group", async () => {
    const w = world((_iam, ec2) => {
      ec2.addSecurityGroup({
        groupId: 'sg-0123456789abcdef0',
        groupName: `firebreak-all-traffic-${VPC}`,
        vpcId: VPC,
        ingress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
        tags: { 'firebreak:group-role': 'all-traffic-transition' },
      });
    });
    await deliver(
      w,
      'config/restricted-ssh-non-compliant',
      responderSettings({ playbook: playbook('config-restricted-ssh') }),
      FIXED_NOW,
      'r',
    );
    expect(w.ec2.securityGroup('sg-0123456789abcdef0').ingress.length).toBe(2);
    expect(w.ec2.writeCalls()).toBe(0);
  });

  it('a user re-created under the same name is not touched for a temporary-credential finding either', async () => {
    const w = world((iam) => void iam.addUser('alice', { id: 'AIDANEWALICEEXAMPLE01', keys: [] }));
    const result = await deliver(w, 'guardduty/iam-user-session-token', responderSettings(), FIXED_NOW, 'r');
    expect(result).toMatchObject({
      kind: 'handled',
      outcome: { status: 'skipped', reason: expect.stringContaining('re-created') },
    });
    expect(w.iam.writeCalls()).toBe(0);
  });

  it('release does not undo a write Firebreak never confirmed (a person may have made the same change since)', async () => {
    const w = world(
      (iam) =>
        void iam.addUser('ci-deploy', {
          id: 'AIDAJQABLZS4A3QDU576Q',
          keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
        }),
    );
    w.iam.failOn('UpdateAccessKey', Object.assign(new Error('denied'), { name: 'AccessDenied', $fault: 'client' }));
    await deliver(w, 'guardduty/iam-user-long-term-key', responderSettings(), FIXED_NOW, 'r');
    w.iam.user('ci-deploy').keys![0]!.status = 'Inactive'; // a person deactivates it by hand
    const report = await releaseIncident('8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE', {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'alice',
      exemptionHours: 1,
      now: () => later(5),
    });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(report.steps.find((step) => step.action === 'iam-deactivate-access-key')).toMatchObject({
      status: 'unconfirmed',
    });
    expect(report.complete).toBe(false);
  });

  it('a retry whose read fails keeps the pre-state an earlier attempt recorded', async () => {
    const w = world(
      (iam) =>
        void iam.addUser('ci-deploy', {
          id: 'AIDAJQABLZS4A3QDU576Q',
          keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
        }),
    );
    // The write takes but its answer is lost: the step stays an unconfirmed intent.
    const realSend = w.clients.iam.send.bind(w.clients.iam) as (command: object) => Promise<unknown>;
    let failRead = false;
    (w.clients.iam as unknown as { send: (command: object) => Promise<unknown> }).send = async (command: object) => {
      const name = command.constructor.name;
      if (failRead && name === 'ListAccessKeysCommand') throw timeout();
      const result = await realSend(command);
      if (name === 'UpdateAccessKeyCommand' && !failRead) throw timeout();
      return result;
    };
    await deliver(w, 'guardduty/iam-user-long-term-key', responderSettings(), FIXED_NOW, 'first');
    failRead = true;
    await deliver(w, 'guardduty/iam-user-long-term-key', responderSettings(), later(10), 'second');
    const incident = await w.ledger.getIncident('8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE');
    const step = incident?.steps.find((candidate) => candidate.action === 'iam-deactivate-access-key');
    expect(step?.replaced).toEqual({ accessKeyId: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' });
  });
});

describe('review regressions: lease and Config release', () => {
  it('the incident lease is ended only after the message is sent and the incident recorded', async () => {
    const w = world(
      (iam) =>
        void iam.addUser('ci-deploy', {
          id: 'AIDAJQABLZS4A3QDU576Q',
          keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
        }),
    );
    const order: string[] = [];
    const realSend = w.clients.dynamodb.send.bind(w.clients.dynamodb) as (command: object) => Promise<unknown>;
    (w.clients.dynamodb as unknown as { send: (command: object) => Promise<unknown> }).send = async (
      command: object,
    ) => {
      const input = (command as { input: { Key?: { sk?: { S?: string } }; UpdateExpression?: string } }).input;
      if (
        command.constructor.name === 'UpdateItemCommand' &&
        input.Key?.sk?.S === 'LEASE' &&
        input.UpdateExpression?.includes(':released')
      )
        order.push('end lease');
      if (command.constructor.name === 'UpdateItemCommand' && input.Key?.sk?.S === 'INCIDENT') {
        const values =
          (input as { ExpressionAttributeValues?: Record<string, { S?: string }> }).ExpressionAttributeValues ?? {};
        const names = Object.values(
          (input as { ExpressionAttributeNames?: Record<string, string> }).ExpressionAttributeNames ?? {},
        );
        order.push(
          names.includes('notifiedAt') && Object.keys(values).length > 0 ? 'record notified' : 'record incident',
        );
      }
      return realSend(command);
    };
    const realPublish = w.clients.sns.send.bind(w.clients.sns) as (command: object) => Promise<unknown>;
    (w.clients.sns as unknown as { send: (command: object) => Promise<unknown> }).send = async (command: object) => {
      order.push('publish');
      return realPublish(command);
    };
    await deliver(w, 'guardduty/iam-user-long-term-key', responderSettings(), FIXED_NOW, 'r');
    // The incident is recorded while the message goes out (so a message that cannot be sent leaves "contained,
    // responder not told"), then marked notified; only then is the lease ended.
    expect(order).toEqual(['publish', 'record incident', 'record notified', 'end lease']);
    expect(w.table.itemsUnder('INCIDENT#').find((item) => item.sk?.S === 'LEASE')?.state?.S).toBe('released');
  });

  it('a released Config incident is not contained again by the next evaluation of the same rule and resource', async () => {
    const w = world((iam, ec2) =>
      ACTION_CASES.find((candidate) => candidate.action === 'ec2-revoke-open-ingress')!.world(iam, ec2),
    );
    const settings = responderSettings({ playbook: playbook('config-restricted-ssh') });
    const first = (await deliver(w, 'config/restricted-ssh-non-compliant', settings, FIXED_NOW, 'a')) as {
      outcome: { incidentId: string };
    };
    await releaseIncident(first.outcome.incidentId, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'alice',
      exemptionHours: 24,
      now: () => later(5),
    });
    const rulesAfterRelease = w.ec2.securityGroup('sg-0123456789abcdef0').ingress.length;
    const next = await deliver(w, 'config/restricted-ssh-first-evaluation', settings, later(10), 'b');
    expect(next).toMatchObject({
      kind: 'handled',
      outcome: { status: 'skipped', reason: expect.stringContaining('released by alice') },
    });
    expect(w.ec2.securityGroup('sg-0123456789abcdef0').ingress.length).toBe(rulesAfterRelease);
  });
});

describe('review regressions: one message per finding for dry runs and calls for a human', () => {
  it.each([
    [
      'dry-run',
      (settings: ResponderSettings) => ({ ...settings, playbook: { ...settings.playbook, mode: 'dry-run' as const } }),
      'guardduty/iam-user-long-term-key',
    ],
    ['manual-action-required', (settings: ResponderSettings) => settings, 'guardduty/root'],
  ])('a re-delivered %s finding is reported once', async (status, adjust, fixture) => {
    const w = world(
      (iam) =>
        void iam.addUser('ci-deploy', {
          id: 'AIDAJQABLZS4A3QDU576Q',
          keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
        }),
    );
    const settings = adjust(responderSettings());
    const first = await deliver(w, fixture, settings, FIXED_NOW, 'a');
    const second = await deliver(w, fixture, settings, later(360), 'b');
    expect(first).toMatchObject({ kind: 'handled', outcome: { status } });
    expect(second).toMatchObject({
      kind: 'handled',
      suppressed: expect.stringContaining(`already reported as ${status}`),
    });
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
