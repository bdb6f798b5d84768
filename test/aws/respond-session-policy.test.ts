import type { Context } from 'aws-lambda';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import type * as IamSdk from '@aws-sdk/client-iam';
import type * as SnsSdk from '@aws-sdk/client-sns';
import type * as StsSdk from '@aws-sdk/client-sts';
import { sdkFindingOf } from '../support/fake-guardduty';
import { mockLedgerAndFindingSources } from '../support/responder-sdk-mocks';
import type * as ClientMock from 'aws-sdk-client-mock';
import type { Playbook } from '../../lambdas/model/playbook';
import { responderSessionPolicy } from '../../lambdas/pipeline/playbook-permissions';
import { ACTIONS } from '../../lambdas/actions/registry';
import { loadPlaybooks } from '../../lib/playbooks';
import { loadEvent } from '../support/fixtures';
import { responderSettings } from '../support/settings';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const MEMBER = '444455556666';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';
const context = {
  functionName: 'responder',
  awsRequestId: 'request-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:responder',
} as Context;
const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;

/**
 * The real responder entry point, loaded as Lambda loads it (settings from the environment, clients at cold start),
 * with every SDK client mocked inside a fresh module registry: what STS receives is what the deployed function sends.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a fresh module registry per cold start needs require() */
function loadResponder(forPlaybook: Playbook) {
  const env = {
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    FIREBREAK_SETTINGS: JSON.stringify(
      responderSettings({ playbook: forPlaybook, memberRoleName: 'FirebreakResponder' }),
    ),
    FIREBREAK_TOPIC_ARN: TOPIC,
    FIREBREAK_LEDGER_TABLE: 'ledger',
    FIREBREAK_LEDGER_MAC_KEY: 'arn:aws:kms:us-east-1:111122223333:key/0b6d0d6c-1111-4a2e-9a63-5f0c4a3d2b1a',
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    jest.resetModules();
    const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
    const stsSdk = require('@aws-sdk/client-sts') as typeof StsSdk;
    const iamSdk = require('@aws-sdk/client-iam') as typeof IamSdk;
    const ec2Sdk = require('@aws-sdk/client-ec2') as typeof Ec2Sdk;
    const snsSdk = require('@aws-sdk/client-sns') as typeof SnsSdk;
    const sts = mockClient(stsSdk.STSClient);
    sts.on(stsSdk.AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAMEMBEREXAMPLE001',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
      PackedPolicySize: 6,
    });
    const iam = mockClient(iamSdk.IAMClient);
    const ec2 = mockClient(ec2Sdk.EC2Client);
    mockClient(snsSdk.SNSClient).on(snsSdk.PublishCommand).resolves({ MessageId: 'm-1' });
    // GuardDuty in the security account holds the member account's genuine finding (the responder re-reads it).
    mockLedgerAndFindingSources(require, async () => [
      await sdkFindingOf(loadEvent('guardduty/other-account').detail as never),
    ]);
    const { handler } = require('../../lambdas/handlers/respond') as { handler: Handler };
    return { handler, sts, stsSdk, iam, iamSdk, ec2, ec2Sdk };
  } finally {
    process.env = saved;
  }
}

const WRITES = new Set(
  [...ACTIONS.values()].flatMap((action) =>
    [...action.permissions, ...(action.releasePermissions ?? [])]
      .filter((permission) => permission.write)
      .map((permission) => permission.action),
  ),
);
const allowed = (policy: string | undefined) =>
  (JSON.parse(policy ?? '{"Statement":[]}') as { Statement: { Action: string[] }[] }).Statement.flatMap(
    (statement) => statement.Action,
  );

describe('the responder assumes the member role with its playbook session policy', () => {
  it('compromised-iam-credentials: AssumeRole carries exactly its policy, and the member-account writes go through that session', async () => {
    const iamPlaybook = playbook('compromised-iam-credentials');
    const { handler, sts, stsSdk, iam, iamSdk } = loadResponder(iamPlaybook);
    iam.on(iamSdk.GetUserCommand).resolves({
      User: {
        UserName: 'ci-deploy',
        UserId: 'AIDAJQABLZS4A3QDU576Q',
        Arn: `arn:aws:iam::${MEMBER}:user/ci-deploy`,
        Path: '/',
        CreateDate: new Date(0),
      },
    });
    iam
      .on(iamSdk.ListAccessKeysCommand)
      .resolvesOnce({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Active' }] })
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }] });
    iam
      .on(iamSdk.GetUserPolicyCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'NoSuchEntityException' }));
    iam.on(iamSdk.ListUserTagsCommand).resolves({ Tags: [] });

    // What happens after the writes (ledger, breaker, message) is not under test here.
    await handler(loadEvent('guardduty/other-account'), context).catch(() => undefined);
    const assumed = sts.commandCalls(stsSdk.AssumeRoleCommand);
    expect(assumed).toHaveLength(1);
    expect(assumed[0]!.args[0].input).toMatchObject({
      RoleArn: `arn:aws:iam::${MEMBER}:role/FirebreakResponder`,
      Policy: responderSessionPolicy(iamPlaybook),
    });
    const update = iam.commandCalls(iamSdk.UpdateAccessKeyCommand)[0]!;
    expect((await (update.thisValue as InstanceType<typeof iamSdk.IAMClient>).config.credentials()).accessKeyId).toBe(
      'ASIAMEMBEREXAMPLE001',
    );
  });

  it('config-notify-only: its session can only read, and nothing in the member account is written', async () => {
    const { handler, sts, stsSdk, iam, ec2, ec2Sdk } = loadResponder(playbook('config-notify-only'));
    ec2.on(ec2Sdk.DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-0123456789abcdef0',
          GroupName: 'web',
          VpcId: 'vpc-1',
          IpPermissions: [],
          IpPermissionsEgress: [],
        },
      ],
    });

    await handler(loadEvent('config/member-account'), context).catch(() => undefined);
    const policy = sts.commandCalls(stsSdk.AssumeRoleCommand)[0]!.args[0].input.Policy;
    expect(policy).toBe(responderSessionPolicy(playbook('config-notify-only')));
    expect(allowed(policy).length).toBeGreaterThan(0);
    expect(allowed(policy).filter((action) => WRITES.has(action))).toEqual([]);
    const calls = [...iam.calls(), ...ec2.calls()].map((call) => (call.args[0] as object).constructor.name);
    expect(calls).toContain('DescribeSecurityGroupsCommand');
    expect(calls.filter((name) => !/^(Describe|Get|List)/.test(name))).toEqual([]);
  });
});
