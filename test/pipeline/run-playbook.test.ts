import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { accessDenied } from '../support/aws-errors';
import type { Finding } from '../../lambdas/model/finding';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { editedEvent, loadFinding } from '../support/fixtures';
import { FakeIam } from '../support/fake-iam';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { FIXED_NOW, HOME_ACCOUNT, iamPlaybook, responderSettings, testClients } from '../support/settings';

const USER_ID = 'AIDAJQABLZS4A3QDU576Q';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const ROLE_ID = 'AROAR2EXAMPLEJ5VW8PTQ';

function world(): FakeIam {
  return new FakeIam(HOME_ACCOUNT)
    .addUser('ci-deploy', { id: USER_ID, keys: [{ id: KEY, status: 'Active' }] })
    .addUser('alice', { id: 'AIDAW3EXAMPLEQH7ZK2LN', keys: [{ id: 'AKIAR7WN4EXAMPLE2HDX', status: 'Active' }] })
    .addRole('app-server-role', { id: ROLE_ID });
}

async function run(finding: Finding, iam = world(), settings = responderSettings()) {
  const { clients } = testClients(iam);
  const outcome = await runPlaybook(finding, { settings, clients, receivedAt: FIXED_NOW, now: () => FIXED_NOW });
  return { outcome, iam };
}

function statuses(outcome: { steps: readonly { action: string; status: string }[] }): Record<string, string> {
  return Object.fromEntries(outcome.steps.map((step) => [step.action, step.status]));
}

describe('runPlaybook: IAM user with a long-term key', () => {
  it('deactivates exactly that key, denies older sessions, tags the user, and records what it replaced', async () => {
    const { outcome, iam } = await run(loadFinding('guardduty/iam-user-long-term-key'));
    expect(outcome.status).toBe('contained');
    expect(statuses(outcome)).toEqual({
      'iam-deactivate-access-key': 'done',
      'iam-revoke-user-sessions': 'done',
      'iam-revoke-role-sessions': 'not-applicable',
      'iam-tag-principal': 'done',
    });
    const user = iam.user('ci-deploy');
    expect(user.keys).toEqual([{ id: KEY, status: 'Inactive' }]);
    const policy = JSON.parse(user.policies!['firebreak-deny-sessions-issued-before']!);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-21T08:00:00Z' } },
    });
    expect(user.tags).toMatchObject({
      'firebreak:finding-id': '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
      'firebreak:status': 'contained',
    });
    // Never deleted: the user and key still exist.
    expect(iam.users.has('ci-deploy')).toBe(true);
    const keyStep = outcome.steps.find((step) => step.action === 'iam-deactivate-access-key')!;
    expect(keyStep.replaced).toEqual({ accessKeyId: KEY, status: 'Active' });
    expect(keyStep.verification).toEqual({ confirmed: true, detail: `key ${KEY} is Inactive` });
    expect(outcome.timings.containedAt).toBe(FIXED_NOW.toISOString());
    expect(outcome.release).toEqual([
      'aws iam delete-user-policy --user-name ci-deploy --policy-name firebreak-deny-sessions-issued-before',
      `aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY} --status Active`,
    ]);
  });

  it('a re-delivery after containment writes nothing and says already contained', async () => {
    const finding = loadFinding('guardduty/iam-user-long-term-key');
    const { iam } = await run(finding);
    iam.mock.resetHistory();
    const { outcome } = await run(finding, iam);
    expect(outcome.status).toBe('already-contained');
    expect(iam.writeCalls()).toBe(0);
    expect(statuses(outcome)).toMatchObject({
      'iam-deactivate-access-key': 'no-op',
      'iam-revoke-user-sessions': 'no-op',
      'iam-tag-principal': 'no-op',
    });
  });

  it('new activity after an older cut-off moves the cut-off and records the replaced document', async () => {
    const iam = world();
    const old = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-01T00:00:00Z' } },
        },
      ],
    });
    iam.user('ci-deploy').policies = { 'firebreak-deny-sessions-issued-before': old };
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    const step = outcome.steps.find((candidate) => candidate.action === 'iam-revoke-user-sessions')!;
    expect(step.status).toBe('done');
    expect(step.replaced).toEqual({ policyName: 'firebreak-deny-sessions-issued-before', document: old });
    expect(step.release![0]).toContain('put-user-policy');
  });

  it('reports another active key as a human follow-up without touching it', async () => {
    const iam = world();
    iam
      .user('ci-deploy')
      .keys!.push({ id: 'AKIAOTHERKEYEXAMPLE1', status: 'Active', created: new Date('2026-11-20T08:05:00Z') });
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    expect(iam.user('ci-deploy').keys!.find((key) => key.id === 'AKIAOTHERKEYEXAMPLE1')!.status).toBe('Active');
    expect(outcome.manualSteps.some((step) => step.includes('AKIAOTHERKEYEXAMPLE1'))).toBe(true);
  });

  it('a key that is no longer on the user is skipped with a reason; the session deny still applies', async () => {
    const iam = world();
    iam.user('ci-deploy').keys = [];
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    expect(statuses(outcome)).toMatchObject({
      'iam-deactivate-access-key': 'skipped',
      'iam-revoke-user-sessions': 'done',
    });
    expect(outcome.status).toBe('contained');
  });
});

describe('runPlaybook: other principals', () => {
  it('an IAM user temporary session gets the session deny but no key change', async () => {
    const { outcome, iam } = await run(loadFinding('guardduty/iam-user-session-token'));
    expect(statuses(outcome)).toMatchObject({
      'iam-deactivate-access-key': 'not-applicable',
      'iam-revoke-user-sessions': 'done',
    });
    expect(iam.user('alice').keys![0]!.status).toBe('Active');
    expect(iam.mock.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });

  it('an assumed-role session is denied by aws:userid on the role, leaving other sessions working', async () => {
    const { outcome, iam } = await run(loadFinding('guardduty/assumed-role-session'));
    expect(outcome.status).toBe('contained');
    const document = JSON.parse(iam.role('app-server-role').policies!['firebreak-deny-session-i-0abc123def4567890']!);
    expect(document.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { StringEquals: { 'aws:userid': `${ROLE_ID}:i-0abc123def4567890` } },
    });
    expect(iam.role('app-server-role').policies!['firebreak-deny-sessions-issued-before']).toBeUndefined();
  });

  it('a role-wide TokenIssueTime deny only when the playbook asks for it', async () => {
    const playbook = iamPlaybook();
    const settings = responderSettings({
      playbook: {
        ...playbook,
        steps: playbook.steps.map((step) =>
          step.action === 'iam-revoke-role-sessions' ? { ...step, with: { scope: 'all-sessions-before-now' } } : step,
        ),
      },
    });
    const { iam } = await run(loadFinding('guardduty/assumed-role-session'), world(), settings);
    const document = JSON.parse(iam.role('app-server-role').policies!['firebreak-deny-sessions-issued-before']!);
    expect(document.Statement[0].Condition).toEqual({ DateLessThan: { 'aws:TokenIssueTime': '2026-11-21T08:00:00Z' } });
  });

  it.each([
    ['service-linked', '/aws-service-role/ecs.amazonaws.com/', 'app-server-role'],
    ['Identity Center', '/aws-reserved/sso.amazonaws.com/', 'app-server-role'],
  ])('a %s role is never written to; the responder is told what to do', async (_kind, path) => {
    const iam = new FakeIam(HOME_ACCOUNT).addRole('app-server-role', { id: ROLE_ID, path });
    const { outcome } = await run(loadFinding('guardduty/assumed-role-session'), iam);
    expect(iam.writeCalls()).toBe(0);
    expect(outcome.status).toBe('manual-action-required');
    expect(outcome.urgent).toBe(true);
    expect(outcome.manualSteps.length).toBeGreaterThan(0);
  });

  const s3Finding = () => {
    const parsed = parseEvent(
      editedEvent('guardduty/iam-user-long-term-key', (e) => (e.detail.resource = { resourceType: 'S3Bucket' })),
    );
    if (parsed.kind !== 'finding') throw new Error('fixture');
    return parsed.finding;
  };

  it.each([
    ['root', () => loadFinding('guardduty/root')],
    ['federated user', () => loadFinding('guardduty/federated-user')],
    ['S3 bucket', s3Finding],
  ])('%s: no write, urgent, with manual steps', async (_name, finding) => {
    const { outcome, iam } = await run(finding());
    expect(iam.mock.calls()).toHaveLength(0);
    expect(outcome.status).toBe('manual-action-required');
    expect(outcome.urgent).toBe(true);
    expect(outcome.reason).toBeTruthy();
    expect(outcome.manualSteps.length).toBeGreaterThan(0);
  });

  it('root: says IAM cannot restrict it', async () => {
    const { outcome } = await run(loadFinding('guardduty/root'));
    expect(outcome.reason).toContain('root user cannot be restricted');
    expect(outcome.manualSteps.join(' ')).toContain('AssumeRoot');
  });
});

describe('runPlaybook: gates (no write at all)', () => {
  async function expectGated(finding: Finding, reason: string, iam = world(), settings = responderSettings()) {
    const { outcome } = await run(finding, iam, settings);
    expect(outcome.status).toBe('skipped');
    expect(outcome.reason).toContain(reason);
    expect(iam.writeCalls()).toBe(0);
    return outcome;
  }

  it.each(['guardduty/sample-iam-user', 'guardduty/sample-value-string'])(
    '%s: sample findings are never acted on',
    async (fixture) => {
      const iam = world();
      const outcome = await expectGated(loadFinding(fixture), 'sample finding', iam);
      expect(iam.mock.calls()).toHaveLength(0);
      expect(outcome.urgent).toBe(false);
    },
  );

  it('below the playbook minimum severity', async () => {
    const finding = loadFinding('guardduty/iam-user-long-term-key');
    await expectGated({ ...finding, severity: 4.9 }, 'below this playbook');
  });

  it('a finding about another account (no member role in this version)', async () => {
    await expectGated(loadFinding('guardduty/other-account'), 'account 444455556666');
  });

  it('a protected principal by pattern, before reading IAM', async () => {
    const settings = responderSettings({ protectedPrincipals: ['arn:aws:iam::*:user/ci-*'] });
    const iam = world();
    await expectGated(
      loadFinding('guardduty/iam-user-long-term-key'),
      'protected principal (pattern arn:aws:iam::*:user/ci-*)',
      iam,
      settings,
    );
    expect(iam.mock.calls()).toHaveLength(0);
  });

  it("Firebreak's own responder role, whatever the finding says", async () => {
    const event = editedEvent('guardduty/assumed-role-session', (e) => {
      e.detail.resource.accessKeyDetails.userName = 'Firebreak-compromised-iam-credentials';
    });
    const parsed = parseEvent(event);
    if (parsed.kind !== 'finding') throw new Error('fixture');
    const iam = new FakeIam(HOME_ACCOUNT).addRole('Firebreak-compromised-iam-credentials', { id: ROLE_ID });
    await expectGated(parsed.finding, 'role/Firebreak-compromised-iam-credentials is a protected principal', iam);
  });

  it('a protected principal found only through its real ARN with a path', async () => {
    const iam = world();
    iam.user('ci-deploy').path = '/admins/';
    const settings = responderSettings({ protectedPrincipals: ['arn:aws:iam::*:user/admins/*'] });
    await expectGated(
      loadFinding('guardduty/iam-user-long-term-key'),
      'user/admins/ci-deploy is a protected principal',
      iam,
      settings,
    );
  });

  it('the exemption tag', async () => {
    const iam = world();
    iam.user('ci-deploy').tags = { 'firebreak:exempt': 'true' };
    await expectGated(loadFinding('guardduty/iam-user-long-term-key'), 'exemption tag firebreak:exempt=true', iam);
  });

  it('an exemption tag set to anything but true does not exempt', async () => {
    const iam = world();
    iam.user('ci-deploy').tags = { 'firebreak:exempt': 'no' };
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    expect(outcome.status).toBe('contained');
  });

  it('a user re-created under the same name (different unique id) is not touched', async () => {
    const iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
      id: 'AIDANEWUSEREXAMPLE01',
      keys: [{ id: KEY, status: 'Active' }],
    });
    await expectGated(loadFinding('guardduty/iam-user-long-term-key'), 're-created', iam);
  });

  it('a role re-created under the same name is not touched', async () => {
    const iam = new FakeIam(HOME_ACCOUNT).addRole('app-server-role', { id: 'AROANEWROLEEXAMPLE01' });
    await expectGated(loadFinding('guardduty/assumed-role-session'), 're-created', iam);
  });

  it('a user that no longer exists', async () => {
    await expectGated(loadFinding('guardduty/iam-user-long-term-key'), 'no longer exists', new FakeIam(HOME_ACCOUNT));
  });
});

describe('runPlaybook: dry-run and failures', () => {
  it('dry-run plans every write, records what it would replace, and writes nothing', async () => {
    const iam = world();
    const { outcome } = await run(
      loadFinding('guardduty/iam-user-long-term-key'),
      iam,
      responderSettings({ playbook: iamPlaybook({ mode: 'dry-run' }) }),
    );
    expect(outcome.status).toBe('dry-run');
    expect(iam.writeCalls()).toBe(0);
    expect(statuses(outcome)).toMatchObject({
      'iam-deactivate-access-key': 'planned',
      'iam-revoke-user-sessions': 'planned',
      'iam-tag-principal': 'planned',
    });
    expect(outcome.steps[0]!.replaced).toEqual({ accessKeyId: KEY, status: 'Active' });
    expect(iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });

  it('a failed step is reported with its cause and the next steps still run (partial containment)', async () => {
    const iam = world().failOn('UpdateAccessKey', accessDenied());
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    expect(outcome.status).toBe('partially-contained');
    expect(outcome.urgent).toBe(true);
    const failed = outcome.steps.find((step) => step.action === 'iam-deactivate-access-key')!;
    expect(failed.status).toBe('failed');
    expect(failed.error!.message).toContain(
      'iam:UpdateAccessKey on key AKIAI44QH8DHBEXAMPLE of user ci-deploy failed: AccessDenied: User is not authorized',
    );
    expect(iam.user('ci-deploy').policies!['firebreak-deny-sessions-issued-before']).toBeDefined();
    // Only what was done is offered for release.
    expect(outcome.release.some((command) => command.includes('update-access-key'))).toBe(false);
  });

  it('every containment step failing is not contained', async () => {
    const denied = accessDenied();
    const iam = world().failOn('UpdateAccessKey', denied).failOn('PutUserPolicy', denied);
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    expect(outcome.status).toBe('not-contained');
  });

  it('a principal that cannot be read is not contained, and nothing is written', async () => {
    const iam = world().failOn('GetUser', accessDenied());
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    expect(outcome.status).toBe('not-contained');
    expect(outcome.steps[0]).toMatchObject({ action: 'resolve-resource', status: 'failed' });
    expect(iam.writeCalls()).toBe(0);
  });

  it('a write that does not read back yet is done but not confirmed', async () => {
    const iam = world();
    // IAM is eventually consistent: the read-back after the write can still see the old state.
    iam.mock.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Active' }] });
    const { outcome } = await run(loadFinding('guardduty/iam-user-long-term-key'), iam);
    const step = outcome.steps.find((candidate) => candidate.action === 'iam-deactivate-access-key')!;
    expect(step.status).toBe('done');
    expect(step.verification).toEqual({ confirmed: false, detail: `key ${KEY} is Active` });
  });
});

describe('runPlaybook: simulate (no clients)', () => {
  it('assumes the worst-case state, plans, and reads and writes nothing', async () => {
    const outcome = await runPlaybook(loadFinding('guardduty/iam-user-long-term-key'), {
      settings: responderSettings(),
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    expect(outcome.simulated).toBe(true);
    expect(outcome.status).toBe('dry-run');
    expect(statuses(outcome)).toMatchObject({
      'iam-deactivate-access-key': 'planned',
      'iam-revoke-user-sessions': 'planned',
    });
  });
});
