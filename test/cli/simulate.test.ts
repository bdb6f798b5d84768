import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseConfig } from '../../lib/config';
import { loadPlaybooks } from '../../lib/playbooks';
import { simulateEvent } from '../../lib/cli/simulate';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { editedEvent, loadEvent } from '../support/fixtures';
import { FIXED_NOW } from '../support/settings';

const playbooks = loadPlaybooks();
const config = parseConfig(
  { protectedPrincipals: ['arn:aws:iam::*:user/break-glass*'] },
  'test',
  playbooks.map((playbook) => playbook.id),
);
const options = { config, playbooks, now: () => FIXED_NOW };

describe('simulateEvent', () => {
  it('routes, gates and plans a finding file and renders the exact notification, without AWS', async () => {
    const simulation = await simulateEvent(loadEvent('guardduty/iam-user-long-term-key'), options);
    expect(simulation.kind).toBe('routed');
    if (simulation.kind !== 'routed') return;
    const [run] = simulation.runs;
    expect(run!.playbook.id).toBe('compromised-iam-credentials');
    expect(run!.outcome.simulated).toBe(true);
    expect(run!.notification.subject).toMatch(/^Firebreak SIMULATED: WOULD CONTAIN \| Medium 5 \| IAM user ci-deploy/);
    expect(run!.notification.text).toContain(
      '[WOULD DO] Deactivate access key AKIAI44QH8DHBEXAMPLE of user ci-deploy (was Active)',
    );
    expect(run!.notification.text).toContain(
      'aws iam update-access-key --user-name ci-deploy --access-key-id AKIAI44QH8DHBEXAMPLE --status Active',
    );
  });

  it('a finding no rule would deliver says which playbook declined it and why', async () => {
    const event = editedEvent('guardduty/ec2-instance', (e) => (e.detail.severity = 3));
    const simulation = await simulateEvent(event, options);
    expect(simulation.kind).toBe('unrouted');
    expect(simulation.kind === 'unrouted' && simulation.reasons).toEqual(
      expect.arrayContaining([
        { playbook: 'compromised-ec2-instance', reason: 'severity 3 is below the minimum 7' },
        { playbook: 'compromised-iam-credentials', reason: 'resource type Instance is not one of AccessKey' },
        { playbook: 'config-restricted-ssh', reason: 'the playbook takes AWS Config compliance changes' },
      ]),
    );
  });

  it('treats the envelope account as the deployment account: a member-account finding is gated', async () => {
    const simulation = await simulateEvent(loadEvent('guardduty/other-account'), options);
    expect(simulation.kind === 'routed' && simulation.runs[0]!.outcome.reason).toContain('account 444455556666');
  });

  it('ignores non-findings and rejects malformed findings as the responder would', async () => {
    expect((await simulateEvent(loadEvent('guardduty/not-a-finding-cloudtrail'), options)).kind).toBe('ignored');
    await expect(simulateEvent(loadEvent('guardduty/malformed/missing-resource'), options)).rejects.toBeInstanceOf(
      FindingRejectedError,
    );
  });
});

describe('npm run simulate (the CLI)', () => {
  const root = join(__dirname, '..', '..');
  const cli = (...args: string[]) =>
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'bin', 'firebreak.ts'), ...args],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: 'firebreak-no-such-profile',
        },
      },
    );

  it('prints the plan and the notification for a fixture, with no AWS credentials', () => {
    const output = cli('simulate', 'test/fixtures/events/guardduty/assumed-role-session.json');
    expect(output).toContain('Playbook compromised-iam-credentials (mode enforce) would receive this finding.');
    expect(output).toContain('Subject: Firebreak SIMULATED: WOULD CONTAIN');
    expect(output).toContain('[WOULD DO] Deny session i-0abc123def4567890 of role app-server-role');
  }, 30_000);

  it('exits 2 with the field named for a malformed finding', () => {
    let stderr = '';
    let status: number | null = 0;
    try {
      cli('simulate', 'test/fixtures/events/guardduty/malformed/bad-account-id.json');
    } catch (error) {
      stderr = String((error as { stderr: string }).stderr);
      status = (error as { status: number | null }).status;
    }
    expect(status).toBe(2);
    expect(stderr).toContain('detail.accountId: expected a 12-digit AWS account id, got "1111-2222-3333"');
  }, 30_000);
});

describe('simulateEvent: Config compliance changes', () => {
  it('routes a suffixed managed rule to its playbook, not to the catch-all', async () => {
    const simulation = await simulateEvent(loadEvent('config/restricted-ssh-suffixed'), options);
    expect(simulation.kind === 'routed' && simulation.runs.map((run) => run.playbook.id)).toEqual([
      'config-restricted-ssh',
    ]);
  });

  it('routes an unrecognised rule to the notify-only playbook, with the manual steps', async () => {
    const simulation = await simulateEvent(loadEvent('config/unknown-rule-non-compliant'), options);
    expect(simulation.kind === 'routed' && simulation.runs.map((run) => run.playbook.id)).toEqual([
      'config-notify-only',
    ]);
    expect(simulation.kind === 'routed' && simulation.runs[0]!.notification.text).toContain(
      's3-bucket-versioning-enabled',
    );
  });
});
