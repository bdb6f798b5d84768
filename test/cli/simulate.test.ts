import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { routeEvent } from '../../lib/cli/route-event';
import { parseResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { parseConfig } from '../../lib/config';
import { loadPlaybooks } from '../../lib/playbooks';
import { responderSettingsFor } from '../../lib/responder-settings-builder';
import { renderSimulation, simulateEvent } from '../../lib/cli/simulate';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { handleEvent } from '../../lambdas/pipeline/handle-event';
import { editedEvent, loadEvent } from '../support/fixtures';
import { recordingLog } from '../support/recording-log';
import { FIXED_NOW, HOME_ACCOUNT, ledgerWorld } from '../support/settings';

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

  it('says in one line that a COMPLIANT Config evaluation sends nothing, as the deployed responder sends nothing', () => {
    const output = cli('simulate', 'test/fixtures/events/config/restricted-ssh-compliant.json');
    expect(output).toBe(
      'Playbook config-restricted-ssh (mode enforce) would receive this finding and send nothing: ' +
        'Config finds it COMPLIANT; no open incident: nothing to do.\n',
    );
  }, 30_000);

  it('simulates a Security Hub (ASFF) event when the configuration enables Security Hub', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-simulate-'));
    const configFile = join(dir, 'firebreak.config.json');
    writeFileSync(configFile, JSON.stringify({ securityHub: { enabled: true } }));
    const event = 'test/fixtures/events/securityhub/guardduty-iam-user-long-term-key.json';
    const output = cli('simulate', event, '--config', configFile);
    expect(output).toContain('Playbook compromised-iam-credentials (mode enforce) would receive this finding.');
    expect(output).toContain('Subject: Firebreak SIMULATED: WOULD CONTAIN | Medium 5 | IAM user ci-deploy');
    expect(output).toMatch(/Security Hub: finding arn:aws:guardduty:\S+ would be set to NOTIFIED/);
  }, 30_000);

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

describe('simulateEvent goes through the deployed handleEvent', () => {
  const hubConfig = parseConfig(
    { protectedPrincipals: ['arn:aws:iam::*:user/break-glass*'], securityHub: { enabled: true } },
    'test',
    playbooks.map((playbook) => playbook.id),
  );
  const deployment = { account: HOME_ACCOUNT, partition: 'aws', stackName: 'Firebreak' };

  it('a COMPLIANT Config evaluation sends nothing and says why in one line; the deployed responder sends nothing either', async () => {
    const event = loadEvent('config/restricted-ssh-compliant');
    const simulation = await simulateEvent(event, options);
    expect(simulation).toMatchObject({ kind: 'routed', runs: [] });
    if (simulation.kind !== 'routed') return;
    const reason = 'Config finds it COMPLIANT; no open incident: nothing to do';
    expect(simulation.responders).toEqual([
      expect.objectContaining({ playbook: expect.objectContaining({ id: 'config-restricted-ssh' }), sent: [] }),
    ]);
    expect(simulation.responders[0]!.quiet).toEqual([reason]);
    expect(renderSimulation(simulation)).toBe(
      `Playbook config-restricted-ssh (mode enforce) would receive this finding and send nothing: ${reason}.`,
    );

    // The deployed responder, with the settings the stack writes, its ledger and its topic: the same, nothing sent.
    const { settings } = responderSettingsFor(config, playbooks, deployment).find(
      ({ playbook }) => playbook.id === 'config-restricted-ssh',
    )!;
    const world = ledgerWorld(() => undefined);
    const deployed = await handleEvent(event, {
      settings,
      clients: world.clients,
      ledger: world.ledger,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic',
      log: recordingLog().log,
      now: () => FIXED_NOW,
    });
    expect(deployed).toEqual({ kind: 'ignored', reason });
    expect(world.sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('an ASFF GuardDuty finding goes to its playbook, as the Security Hub rule delivers it, and updates Security Hub', async () => {
    const simulation = await simulateEvent(loadEvent('securityhub/guardduty-iam-user-long-term-key'), {
      ...options,
      config: hubConfig,
    });
    expect(simulation.kind).toBe('routed');
    if (simulation.kind !== 'routed') return;
    expect(simulation.runs.map((run) => run.playbook.id)).toEqual(['compromised-iam-credentials']);
    const [run] = simulation.runs;
    expect(run!.outcome).toMatchObject({ simulated: true, status: 'dry-run', finding: { via: 'securityhub' } });
    expect(run!.notification.subject).toMatch(/^Firebreak SIMULATED: WOULD CONTAIN \| Medium 5 \| IAM user ci-deploy/);
    expect(run!.notification.text).toContain(
      '[WOULD DO] Deactivate access key AKIAI44QH8DHBEXAMPLE of user ci-deploy (was Active)',
    );
    // After the message the deployed responder sets the Security Hub finding to NOTIFIED: recorded, never sent.
    expect(simulation.responders[0]!.sent.map((entry) => entry.kind)).toEqual(['outcome', 'securityhub']);
  });

  it('an ASFF Config finding goes to the playbook of its rule only', async () => {
    const simulation = await simulateEvent(loadEvent('securityhub/config-restricted-ssh-non-compliant'), {
      ...options,
      config: hubConfig,
    });
    expect(simulation.kind === 'routed' && simulation.runs.map((run) => run.playbook.id)).toEqual([
      'config-restricted-ssh',
    ]);
    if (simulation.kind !== 'routed') return;
    const [run] = simulation.runs;
    expect(run!.outcome.finding).toMatchObject({ source: 'config', via: 'securityhub' });
    expect(run!.notification.subject).toMatch(
      /^Firebreak SIMULATED: WOULD CONTAIN \| Medium 5 \| security group sg-0123456789abcdef0/,
    );
    expect(run!.notification.text).toContain('[WOULD DO] Revoke the ingress rules of sg-0123456789abcdef0');
  });

  it('without Security Hub in the configuration, no rule takes an ASFF event: said once for every playbook', async () => {
    const simulation = await simulateEvent(loadEvent('securityhub/guardduty-iam-user-long-term-key'), options);
    expect(simulation.kind).toBe('unrouted');
    expect(renderSimulation(simulation).split('\n')).toEqual([
      'No playbook would receive this finding, so nothing would run and nothing would be sent:',
      '  every playbook: Security Hub is not enabled in the configuration (securityHub.enabled): no rule takes it',
    ]);
  });

  it('runs with the settings the stack deploys: with an organization, a member-account finding is acted on', async () => {
    const organization = parseConfig(
      { organization: { organizationId: 'o-a1b2c3d4e5' } },
      'test',
      playbooks.map((playbook) => playbook.id),
    );
    const simulation = await simulateEvent(loadEvent('guardduty/other-account'), { ...options, config: organization });
    expect(simulation.kind === 'routed' && simulation.runs[0]!.outcome.status).toBe('dry-run');
  });
});

describe('one settings builder', () => {
  it('simulate runs each responder with exactly the settings the stack writes into its function', () => {
    const rich = parseConfig(
      {
        protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*'],
        organization: { organizationId: 'o-a1b2c3d4e5' },
        securityHub: { enabled: true },
      },
      'test',
      playbooks.map((playbook) => playbook.id),
    );
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const env = { account: HOME_ACCOUNT, region: 'us-east-1' };
    const stack = new FirebreakStack(app, 'Firebreak', { env, config: rich, playbooks });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: { FIREBREAK_SETTINGS?: unknown } } };
    }[];
    const deployed = functions.flatMap((fn) => {
      const raw = fn.Properties.Environment?.Variables?.FIREBREAK_SETTINGS;
      if (raw === undefined) return [];
      // A JSON string with the partition as a token: resolved as CloudFormation would.
      const joined = (stack.resolve(raw) as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
        .map((part) => (typeof part === 'string' ? part : 'aws'))
        .join('');
      return [parseResponderSettings(joined, 'FIREBREAK_SETTINGS')];
    });
    for (const fixture of ['guardduty/iam-user-long-term-key', 'config/unknown-rule-non-compliant']) {
      const routing = routeEvent(loadEvent(fixture), { config: rich, playbooks });
      expect(routing.kind).toBe('routed');
      for (const { playbook, settings } of routing.kind === 'routed' ? routing.targets : [])
        expect(settings).toEqual(deployed.find((candidate) => candidate.playbook.id === playbook.id));
    }
  });
});
