import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { createReadOnlyClients } from '../../lambdas/aws/read-only-clients';
import { ReadOnlyViolationError } from '../../lambdas/aws/read-only-guard';
import { parseConfig } from '../../lib/config';
import { livePlanEvent } from '../../lib/cli/live-plan';
import { livePlanCommand } from '../../lib/cli/live-plan-command';
import { loadPlaybooks } from '../../lib/playbooks';
import { LIVE_PLAN_BANNER } from '../../lib/cli/render-live-plan';
import { ACTION_CASES, instanceWorld } from '../support/action-cases';
import { AUTO_SCALING_WRITE_COMMANDS, EC2_WRITE_COMMANDS, FakeEc2 } from '../support/fake-ec2';
import { FakeIam, IAM_WRITE_COMMANDS } from '../support/fake-iam';
import { fakeTransport } from '../support/fake-transport';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT } from '../support/settings';

const IAM_EVENT = 'test/fixtures/events/guardduty/iam-user-long-term-key.json';
const EC2_EVENT = 'test/fixtures/events/guardduty/ec2-instance.json';

/** The fakes of one account, an STS that answers for `callerAccount`, and the command wired to them. */
function world(callerAccount = HOME_ACCOUNT) {
  const iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  });
  const ec2 = new FakeEc2(HOME_ACCOUNT);
  const stsClient = new STSClient({ region: 'us-east-1' });
  const sts = mockClient(stsClient);
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: callerAccount, Arn: `arn:aws:iam::${callerAccount}:user/alice`, UserId: 'AIDAALICE' });
  const onClient = fakeTransport({
    IAMClient: iam.client,
    EC2Client: ec2.ec2Client,
    AutoScalingClient: ec2.autoScalingClient,
    STSClient: stsClient,
  });
  const run = (...args: string[]) =>
    livePlanCommand(args, { usage: (message) => new Error(`usage: ${message}`), onClient, now: () => FIXED_NOW });
  /** Every command that reached a fake, as `service:Operation`, in order per service. */
  const sent = () => [
    ...sts.calls().map((call) => `sts:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
    ...iam.mock.calls().map((call) => `iam:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
    ...ec2.ec2Mock.calls().map((call) => `ec2:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
    ...ec2.autoScalingMock
      .calls()
      .map((call) => `autoscaling:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`),
  ];
  return { iam, ec2, sts, stsClient, run, sent };
}

/** The write commands the fakes know, as `Operation`. */
const WRITES = [...IAM_WRITE_COMMANDS, ...EC2_WRITE_COMMANDS, ...AUTO_SCALING_WRITE_COMMANDS].map((command) =>
  command.name.replace(/Command$/, ''),
);
const isWrite = (call: string) => WRITES.includes(call.split(':')[1]!);
const isRead = (call: string) => /^[a-z0-9]+:(Describe|Get|List)[A-Z]/.test(call);

describe('plan --live', () => {
  it('plans an IAM finding from the real state with reads only, and prints the plan, the message and the reads', async () => {
    const { iam, run, sent } = world();
    const result = await run('--live', IAM_EVENT);
    expect(result.code).toBe(0);
    const out = result.stdout!;
    expect(out.startsWith(LIVE_PLAN_BANNER)).toBe(true);
    expect(out).toContain('Credentials: arn:aws:iam::111122223333:user/alice (account 111122223333)');
    expect(out).toContain(
      'PLAYBOOK compromised-iam-credentials (deployed mode enforce; planned here as a dry run against the current state)',
    );
    expect(out).toContain('[WOULD DO] Deactivate access key AKIAI44QH8DHBEXAMPLE of user ci-deploy (was Active)');
    expect(out).toContain('would replace: {"accessKeyId":"AKIAI44QH8DHBEXAMPLE","status":"Active"}');
    expect(out).toContain(
      '$ aws iam update-access-key --user-name ci-deploy --access-key-id AKIAI44QH8DHBEXAMPLE --status Active',
    );
    expect(out).toContain('Subject: Firebreak DRY RUN | Medium 5 | IAM user ci-deploy');
    expect(out).toContain('Dry run: Firebreak would contain IAM user ci-deploy; nothing was changed.');

    const calls = sent();
    expect(calls).toEqual(['sts:GetCallerIdentity', 'iam:GetUser', 'iam:ListAccessKeys', 'iam:GetUserPolicy']);
    expect(calls.every(isRead)).toBe(true);
    expect(out).toContain(`READS MADE (${calls.length})`);
    for (const call of calls) expect(out).toContain(`  ${call}`);
    expect(calls.filter(isWrite)).toEqual([]);
    expect(iam.users.get('ci-deploy')!.keys![0]!.status).toBe('Active');
  });

  it('plans an EC2 finding with reads only: every interface, volume, protection and Auto Scaling membership is read', async () => {
    const { iam, ec2, run, sent } = world();
    instanceWorld(iam, ec2, { autoScaling: true });
    const result = await run('--live', EC2_EVENT, '--json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout!);
    expect(plan).toMatchObject({
      kind: 'firebreak.live-plan',
      nothingChanged: true,
      caller: { account: HOME_ACCOUNT },
    });
    expect(plan.runs).toHaveLength(1);
    const [run0] = plan.runs;
    expect(run0.playbook).toBe('compromised-ec2-instance');
    expect(run0.outcome.finding.raw).toBeUndefined();
    expect(
      Object.fromEntries(
        run0.outcome.steps.map((step: { action: string; status: string }) => [step.action, step.status]),
      ),
    ).toMatchObject({
      'ec2-record-instance-state': 'recorded',
      'autoscaling-enter-standby': 'planned',
      'ec2-isolate-network': 'planned',
      'ec2-snapshot-volumes': 'planned',
    });
    expect(run0.notification.subject).toMatch(/^Firebreak (URGENT )?DRY RUN/);

    const calls = sent();
    expect(calls).toEqual(plan.reads.slice().sort((a: string, b: string) => order(a) - order(b)));
    expect(calls.every(isRead)).toBe(true);
    expect(calls).toEqual([
      'sts:GetCallerIdentity',
      'iam:GetInstanceProfile',
      'iam:GetRolePolicy',
      'ec2:DescribeInstances',
      ...Array(3).fill('ec2:DescribeInstanceAttribute'),
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:DescribeSecurityGroups',
      // Steps that need the same read share it (the engine's read cache): each read is made once.
      'ec2:DescribeSnapshots',
      'autoscaling:DescribeAutoScalingInstances',
    ]);
    expect(calls.filter(isWrite)).toEqual([]);
    expect(
      ec2.autoScalingMock.calls().every((call) => (call.args[0] as object).constructor.name.startsWith('Describe')),
    ).toBe(true);
  });

  it('refuses when the credentials are in another account than the finding, before reading anything else', async () => {
    const { run, sent } = world('999988887777');
    const result = await run('--live', IAM_EVENT);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'The finding is about account 111122223333, but your credentials (arn:aws:iam::999988887777:user/alice) are in account 999988887777',
    );
    expect(result.stdout).toBeUndefined();
    expect(sent()).toEqual(['sts:GetCallerIdentity']);
  });

  it('assumes a role only when asked, with the ReadOnlyAccess session policy, and checks the account it reached', async () => {
    const { sts, run, sent } = world();
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAEXAMPLE',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date('2026-11-21T09:00:00Z'),
      },
    });
    const result = await run('--live', IAM_EVENT, '--assume-role', 'SecurityAudit');
    expect(result.code).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::111122223333:role/SecurityAudit',
      RoleSessionName: 'firebreak-live-plan',
      DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    });
    expect(sent().slice(0, 2)).toEqual(['sts:AssumeRole', 'sts:GetCallerIdentity']);
    expect(result.stdout).toContain('READS MADE (5)');
    expect(result.stdout).toContain('  sts:AssumeRole');
  });

  it('fails, naming the command, when anything tried a write, even if the engine caught the refusal', async () => {
    const { iam, stsClient, sent } = world();
    const playbooks = loadPlaybooks();
    const config = parseConfig(
      {},
      'test',
      playbooks.map((playbook) => playbook.id),
    );
    const onClient = fakeTransport({ IAMClient: iam.client, STSClient: stsClient });
    const connect = async () => {
      const clients = createReadOnlyClients({ region: 'us-east-1', onClient });
      // A write made and swallowed on the way (as runPlaybook turns a step's error into a FAILED step).
      await clients.iam
        .send(
          new UpdateAccessKeyCommand({
            UserName: 'ci-deploy',
            AccessKeyId: 'AKIAI44QH8DHBEXAMPLE',
            Status: 'Inactive',
          }),
        )
        .catch(() => undefined);
      return clients;
    };
    await expect(
      livePlanEvent(loadEvent('guardduty/iam-user-long-term-key'), {
        config,
        playbooks,
        connect,
        now: () => FIXED_NOW,
      }),
    ).rejects.toThrow(new ReadOnlyViolationError('iam', 'UpdateAccessKey'));
    expect(sent().filter(isWrite)).toEqual([]);
  });

  it('says so and reads nothing when no playbook would receive the finding', async () => {
    const { run, sent } = world();
    const result = await run('--live', 'test/fixtures/events/guardduty/not-a-finding-cloudtrail.json');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^Ignored: /);
    expect(sent()).toEqual([]);
  });

  it('rejects usage errors with the field and the value', async () => {
    const { run } = world();
    await expect(run(IAM_EVENT)).rejects.toThrow('usage: plan needs --live');
    await expect(run('--live', IAM_EVENT, '--assume-role', 'no such role!')).rejects.toThrow(
      '--assume-role: expected a role name or role ARN, got "no such role!"',
    );
    await expect(run('--live', IAM_EVENT, '--region', 'eu-west-1')).rejects.toThrow(
      '--region: the finding is in us-east-1, where its resources are; got "eu-west-1"',
    );
  });
});

describe('plan --live goes through the deployed handleEvent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-live-plan-'));
  const HUB_CONFIG = join(dir, 'firebreak.config.json');
  writeFileSync(HUB_CONFIG, JSON.stringify({ securityHub: { enabled: true } }));

  it('a COMPLIANT Config evaluation: the responder would send nothing, said in one line; no resource is read', async () => {
    const { run, sent } = world();
    const result = await run('--live', 'test/fixtures/events/config/restricted-ssh-compliant.json');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'PLAYBOOK config-restricted-ssh (deployed mode enforce): would send nothing: ' +
        'Config finds it COMPLIANT; no open incident: nothing to do\n',
    );
    expect(result.stdout).not.toContain('Subject:');
    expect(sent()).toEqual(['sts:GetCallerIdentity']);
  });

  it('an ASFF GuardDuty finding: the same reads and plan as the native finding, and the Security Hub update recorded', async () => {
    const { iam, run, sent } = world();
    const result = await run(
      '--live',
      'test/fixtures/events/securityhub/guardduty-iam-user-long-term-key.json',
      '--config',
      HUB_CONFIG,
    );
    expect(result.code).toBe(0);
    const out = result.stdout!;
    expect(out).toContain(
      'PLAYBOOK compromised-iam-credentials (deployed mode enforce; planned here as a dry run against the current state)',
    );
    expect(out).toContain('[WOULD DO] Deactivate access key AKIAI44QH8DHBEXAMPLE of user ci-deploy (was Active)');
    expect(out).toContain('Subject: Firebreak DRY RUN | Medium 5 | IAM user ci-deploy');
    expect(out).toMatch(/Security Hub: finding arn:aws:guardduty:\S+ would be set to NOTIFIED/);
    const calls = sent();
    expect(calls).toEqual(['sts:GetCallerIdentity', 'iam:GetUser', 'iam:ListAccessKeys', 'iam:GetUserPolicy']);
    expect(calls.filter(isWrite)).toEqual([]);
    expect(iam.users.get('ci-deploy')!.keys![0]!.status).toBe('Active');
  });

  it('an ASFF Config finding: the playbook of its rule plans the revoke from the real rules, with reads only', async () => {
    const { iam, ec2, run, sent } = world();
    ACTION_CASES.find((actionCase) => actionCase.action === 'ec2-revoke-open-ingress')!.world(iam, ec2);
    const event = 'test/fixtures/events/securityhub/config-restricted-ssh-non-compliant.json';
    const result = await run('--live', event, '--config', HUB_CONFIG, '--json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout!);
    expect(plan.runs.map((entry: { playbook: string }) => entry.playbook)).toEqual(['config-restricted-ssh']);
    expect(plan.runs[0].outcome).toMatchObject({
      status: 'dry-run',
      finding: { source: 'config', via: 'securityhub' },
    });
    expect(plan.runs[0].outcome.steps[0]).toMatchObject({ action: 'ec2-revoke-open-ingress', status: 'planned' });
    expect(plan.responders[0].sent.map((entry: { kind: string }) => entry.kind)).toEqual(['outcome', 'securityhub']);
    const calls = sent();
    expect(calls).toContain('ec2:DescribeSecurityGroups');
    expect(calls.every(isRead)).toBe(true);
    expect(ec2.securityGroup('sg-0123456789abcdef0').ingress.some((rule) => rule.cidrIp === '0.0.0.0/0')).toBe(true);
  });

  it('without Security Hub in the configuration, no rule takes an ASFF event: nothing is read', async () => {
    const { run, sent } = world();
    const result = await run('--live', 'test/fixtures/events/securityhub/guardduty-iam-user-long-term-key.json');
    expect(result.stdout).toContain(
      '  every playbook: Security Hub is not enabled in the configuration (securityHub.enabled): no rule takes it',
    );
    expect(sent()).toEqual([]);
  });
});

/** `sent()` lists calls per service; the plan's log is in time order. Compare them as sets in the same order. */
function order(call: string): number {
  return ['sts', 'iam', 'ec2', 'autoscaling'].indexOf(call.split(':')[0]!);
}
