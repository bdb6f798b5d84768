import type { ClientFactory } from '../../lambdas/aws/client-factory';
import { MemberRoleUnavailableError } from '../../lambdas/aws/client-factory';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { buildNotification } from '../../lambdas/notify/publish-outcome';
import { accessDenied } from '../support/aws-errors';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { loadFinding } from '../support/fixtures';
import { FIXED_NOW, responderSettings, testClients } from '../support/settings';

const MEMBER = '444455556666';

describe('findings about member accounts', () => {
  it('without a member role configured: no action, with the reason and what to configure', async () => {
    const outcome = await runPlaybook(loadFinding('guardduty/other-account'), {
      settings: responderSettings(),
      clients: testClients().clients,
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    expect(outcome.status).toBe('skipped');
    expect(outcome.reason).toContain('set organization.memberRoleName');
  });

  it('with a member role: acts through the member account clients, not the security account ones', async () => {
    const home = testClients();
    const memberIam = new FakeIam(MEMBER).addUser('ci-deploy', {
      id: 'AIDAJQABLZS4A3QDU576Q',
      keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
    });
    const member = testClients(memberIam, new FakeEc2(MEMBER));
    const asked: string[] = [];
    const factory: ClientFactory = {
      forTarget: async (accountId, region, findingId) => {
        asked.push(`${accountId}/${region}/${findingId}`);
        return { iam: member.clients.iam, ec2: member.clients.ec2, autoScaling: member.clients.autoScaling };
      },
    };
    const outcome = await runPlaybook(loadFinding('guardduty/other-account'), {
      settings: responderSettings({ memberRoleName: 'FirebreakResponder' }),
      clients: home.clients,
      clientFactory: factory,
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    expect(outcome.status).toBe('contained');
    expect(asked).toEqual([`${MEMBER}/us-east-1/34cbd9027e5f4a8c8d1b6f3e9a2c7d05`]);
    expect(memberIam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(home.iam.mock.calls()).toHaveLength(0);
    expect(outcome.resourceArn).toBe(`arn:aws:iam::${MEMBER}:user/ci-deploy`);
  });

  it('a member role that cannot be assumed: not contained, nothing written, the message names the account and the role', async () => {
    const home = testClients();
    const factory: ClientFactory = {
      forTarget: async (accountId) => {
        throw new MemberRoleUnavailableError(
          accountId,
          `arn:aws:iam::${accountId}:role/FirebreakResponder`,
          accessDenied('sts:AssumeRole'),
        );
      },
    };
    const outcome = await runPlaybook(loadFinding('guardduty/other-account'), {
      settings: responderSettings({ memberRoleName: 'FirebreakResponder' }),
      clients: home.clients,
      clientFactory: factory,
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    expect(outcome.status).toBe('not-contained');
    expect(outcome.urgent).toBe(true);
    expect(home.iam.writeCalls()).toBe(0);
    const { text } = buildNotification(outcome);
    expect(text).toContain('arn:aws:iam::444455556666:role/FirebreakResponder');
    expect(text).toContain('deploy the Firebreak member-account stack');
  });
});
