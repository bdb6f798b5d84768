import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { loadPlaybooks } from '../../lib/playbooks';
import { ACTION_CASES } from '../support/action-cases';
import { editedEvent, loadEvent } from '../support/fixtures';
import { FIXED_NOW, responderSettings, ledgerWorld } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbooks = loadPlaybooks();
const settingsFor = (id: string, extra: Partial<ResponderSettings> = {}) =>
  responderSettings({ playbook: playbooks.find((playbook) => playbook.id === id)!, ...extra });
const HANDLED = playbooks.flatMap((playbook) =>
  playbook.trigger.source === 'config' ? playbook.trigger.configRules.filter((rule) => rule !== '*') : [],
);

function world() {
  return ledgerWorld((iam, ec2) => {
    for (const actionCase of ACTION_CASES.filter((candidate) => candidate.fixture.startsWith('config/')))
      actionCase.world(iam, ec2);
  });
}
type World = ReturnType<typeof world>;

function deliver(w: World, event: unknown, settings: ResponderSettings, at = FIXED_NOW): Promise<HandleResult> {
  return handleEvent(event, {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId: `r-${at.getTime()}`,
    now: () => at,
  });
}
const messages = (w: World) => w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const caseFor = (action: string) =>
  ACTION_CASES.find((candidate) => candidate.action === action && candidate.fixture.startsWith('config/'))!;

describe('Config playbooks, end to end', () => {
  it.each([
    ['config-restricted-ssh', 'config/restricted-ssh-non-compliant', 'ec2-revoke-open-ingress'],
    ['config-restricted-ssh', 'config/restricted-ssh-first-evaluation', 'ec2-revoke-open-ingress'],
    ['config-restricted-ssh', 'config/restricted-ssh-suffixed', 'ec2-revoke-open-ingress'],
    [
      'config-vpc-default-security-group-closed',
      'config/vpc-default-security-group-closed-non-compliant',
      'ec2-close-default-security-group',
    ],
    ['config-access-keys-rotated', 'config/access-keys-rotated-non-compliant', 'iam-deactivate-stale-keys'],
    [
      'config-ebs-snapshot-public',
      'config/ebs-snapshot-public-restorable-check-non-compliant',
      'ec2-make-snapshots-private',
    ],
  ])('%s on %s: fixed, verified, one message', async (playbook, fixture, action) => {
    const w = world();
    const result = await deliver(w, loadEvent(fixture), settingsFor(playbook));
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
    expect(caseFor(action).isContained(w.iam, w.ec2)).toBe(true);
    expect(result.kind === 'handled' && result.outcome.steps[0]!.verification?.confirmed).toBe(true);
    expect(messages(w)).toHaveLength(1);
  });

  it('keeps every other rule of the group: only the world-open rules on the flagged port go', async () => {
    const w = world();
    await deliver(w, loadEvent('config/restricted-ssh-non-compliant'), settingsFor('config-restricted-ssh'));
    const rules = w.ec2
      .securityGroup('sg-0123456789abcdef0')
      .ingress.map((rule) => `${rule.fromPort}:${rule.cidrIp ?? rule.cidrIpv6}`)
      .sort();
    expect(rules).toEqual(['22:10.0.0.0/8', '443:0.0.0.0/0']);
  });

  it('vpc-sg-open-only-to-authorized-ports: revokes what is open beyond 443, keeps 443', async () => {
    const w = world();
    w.ec2.addSecurityGroup({
      groupId: 'sg-0aaaabbbbccccdddd',
      groupName: 'web',
      vpcId: 'vpc-0fedcba9876543210',
      ingress: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 8000, ToPort: 8100, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    });
    const result = await deliver(
      w,
      loadEvent('config/vpc-sg-open-only-to-authorized-ports-non-compliant'),
      settingsFor('config-vpc-sg-open-only-to-authorized-ports'),
    );
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
    expect(w.ec2.securityGroup('sg-0aaaabbbbccccdddd').ingress.map((rule) => rule.fromPort)).toEqual([443]);
  });

  it('an IAM user named by its unique id is resolved to its name; a user that is gone is reported, not guessed', async () => {
    const w = world();
    const gone = editedEvent('config/access-keys-rotated-non-compliant', (e) => {
      e.detail.resourceId = 'AIDANOSUCHUSEREXAMPLE';
      e.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId =
        'AIDANOSUCHUSEREXAMPLE';
    });
    const result = await deliver(w, gone, settingsFor('config-access-keys-rotated'));
    expect(result.kind === 'handled' && result.outcome).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('no IAM user has the id AIDANOSUCHUSEREXAMPLE'),
    });
    expect(w.iam.writeCalls()).toBe(0);
  });

  it('a COMPLIANT evaluation after an incident reports it resolved, once; without an incident it is only recorded', async () => {
    const w = world();
    await deliver(w, loadEvent('config/restricted-ssh-non-compliant'), settingsFor('config-restricted-ssh'));
    const later = new Date(FIXED_NOW.getTime() + 3_600_000);
    const resolved = await deliver(
      w,
      loadEvent('config/restricted-ssh-compliant'),
      settingsFor('config-restricted-ssh'),
      later,
    );
    expect(resolved.kind).toBe('resolved');
    expect(messages(w).map((message) => message.Subject)).toEqual([
      expect.stringContaining('CONTAINED'),
      expect.stringContaining('RESOLVED | restricted-ssh'),
    ]);
    const again = await deliver(
      w,
      loadEvent('config/restricted-ssh-compliant'),
      settingsFor('config-restricted-ssh'),
      later,
    );
    expect(again.kind).toBe('ignored');
    expect(messages(w)).toHaveLength(2);

    const fresh = world();
    expect(
      (await deliver(fresh, loadEvent('config/restricted-ssh-compliant'), settingsFor('config-restricted-ssh'))).kind,
    ).toBe('ignored');
    expect(messages(fresh)).toHaveLength(0);
  });

  it('NOT_APPLICABLE is recorded, nothing written or sent', async () => {
    const w = world();
    const result = await deliver(w, loadEvent('config/not-applicable'), settingsFor('config-restricted-ssh'));
    expect(result.kind).toBe('ignored');
    expect(w.ec2.writeCalls()).toBe(0);
    expect(messages(w)).toHaveLength(0);
  });

  it('a group carrying the exemption tag is not changed', async () => {
    const w = world();
    w.ec2.securityGroup('sg-0123456789abcdef0').tags['firebreak:exempt'] = 'true';
    const result = await deliver(
      w,
      loadEvent('config/restricted-ssh-non-compliant'),
      settingsFor('config-restricted-ssh'),
    );
    expect(result.kind === 'handled' && result.outcome.status).toBe('skipped');
    expect(w.ec2.writeCalls()).toBe(0);
  });

  it('dry-run plans the revoke and writes nothing', async () => {
    const w = world();
    const settings = settingsFor('config-restricted-ssh');
    const result = await deliver(w, loadEvent('config/restricted-ssh-non-compliant'), {
      ...settings,
      playbook: { ...settings.playbook, mode: 'dry-run' },
    });
    expect(result.kind === 'handled' && result.outcome.status).toBe('dry-run');
    expect(w.ec2.writeCalls()).toBe(0);
  });

  it('release authorizes the revoked rules again', async () => {
    const w = world();
    const before = structuredClone(w.ec2.securityGroup('sg-0123456789abcdef0').ingress);
    const result = await deliver(
      w,
      loadEvent('config/restricted-ssh-non-compliant'),
      settingsFor('config-restricted-ssh'),
    );
    const { releaseIncident } = await import('../../lambdas/pipeline/release-incident');
    const report = await releaseIncident(result.kind === 'handled' ? result.outcome.incidentId! : '', {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'alice',
      exemptionHours: 1,
    });
    expect(report.complete).toBe(true);
    const key = (rule: { fromPort?: number; cidrIp?: string; cidrIpv6?: string }) =>
      `${rule.fromPort}:${rule.cidrIp ?? rule.cidrIpv6}`;
    expect(w.ec2.securityGroup('sg-0123456789abcdef0').ingress.map(key).sort()).toEqual(before.map(key).sort());
  });
});

describe('notify only: root access keys and every rule no playbook fixes', () => {
  const notifyOnly = () => settingsFor('config-notify-only', { excludeConfigRules: HANDLED });

  it('iam-root-access-key-check: no write, urgent, with the manual steps to delete root keys', async () => {
    const w = world();
    const result = await deliver(w, loadEvent('config/iam-root-access-key-check-non-compliant'), notifyOnly());
    expect(result.kind === 'handled' && result.outcome).toMatchObject({
      status: 'manual-action-required',
      urgent: true,
    });
    expect(w.iam.writeCalls() + w.ec2.writeCalls()).toBe(0);
    const text = JSON.parse(messages(w)[0]!.Message!).email as string;
    expect(text).toContain('delete the root access keys');
  });

  it('an unrecognised rule: no write, the manual steps name the rule and the resource', async () => {
    const w = world();
    await deliver(w, loadEvent('config/unknown-rule-non-compliant'), notifyOnly());
    const text = JSON.parse(messages(w)[0]!.Message!).email as string;
    expect(text).toContain('s3-bucket-versioning-enabled');
    expect(text).toContain('example-bucket');
  });

  it('a rule another playbook fixes is left to it, quietly', async () => {
    const w = world();
    const result = await deliver(w, loadEvent('config/restricted-ssh-suffixed'), notifyOnly());
    expect(result).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('handled by the playbook for restricted-ssh'),
    });
    expect(messages(w)).toHaveLength(0);
  });
});
