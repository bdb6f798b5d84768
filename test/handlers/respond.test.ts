import type { Context } from 'aws-lambda';
import type * as IamSdk from '@aws-sdk/client-iam';
import type * as SnsSdk from '@aws-sdk/client-sns';
import type * as ClientMock from 'aws-sdk-client-mock';
import type * as DynamoSdk from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { loadEvent } from '../support/fixtures';
import { responderSettings } from '../support/settings';

type IamModule = typeof IamSdk;
type SnsModule = typeof SnsSdk;
type Handler = (event: unknown, context: Context) => Promise<unknown>;

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';
const context = { functionName: 'responder', awsRequestId: 'request-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:responder' } as Context;

/**
 * The real entry point, as Lambda loads it: settings read from the environment and clients built at cold start.
 * Each load gets a fresh module registry, so the SDK classes are mocked inside it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a fresh module registry per cold start needs require() */
function loadHandler(env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' }, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  let loaded: { handler: Handler; iamSdk: IamModule; iam: AwsClientStub<InstanceType<IamModule['IAMClient']>>; sns: AwsClientStub<InstanceType<SnsModule['SNSClient']>>; snsSdk: SnsModule } | undefined;
  try {
    // A fresh registry per cold start, kept after loading: the handler loads SDK clients lazily, on first use.
    jest.resetModules();
    (() => {
      const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
      const iamSdk = require('@aws-sdk/client-iam') as IamModule;
      const snsSdk = require('@aws-sdk/client-sns') as SnsModule;
      const iam = mockClient(iamSdk.IAMClient);
      const sns = mockClient(snsSdk.SNSClient);
      // The ledger starts empty: every claim succeeds, every read finds nothing.
      const dynamodb = require('@aws-sdk/client-dynamodb') as typeof DynamoSdk;
      const table = mockClient(dynamodb.DynamoDBClient);
      table.on(dynamodb.QueryCommand).resolves({ Items: [], Count: 0 });
      table.on(dynamodb.GetItemCommand).resolves({});
      table.on(dynamodb.PutItemCommand).resolves({});
      table.on(dynamodb.UpdateItemCommand).resolves({});
      table.on(dynamodb.DeleteItemCommand).resolves({});
      const { handler } = require('../../lambdas/handlers/respond') as { handler: Handler };
      loaded = { handler, iamSdk, iam, sns, snsSdk };
    })();
  } finally {
    process.env = saved;
  }
  return loaded!;
}

describe('lambdas/handlers/respond', () => {
  it('handles a finding end to end through Middy and Powertools', async () => {
    const { handler, iam, iamSdk, sns, snsSdk } = loadHandler({ FIREBREAK_SETTINGS: JSON.stringify(responderSettings()), FIREBREAK_TOPIC_ARN: TOPIC, FIREBREAK_LEDGER_TABLE: 'ledger' });
    iam.on(iamSdk.GetUserCommand).resolves({ User: { UserName: 'ci-deploy', UserId: 'AIDAJQABLZS4A3QDU576Q', Arn: 'arn:aws:iam::111122223333:user/ci-deploy', Path: '/', CreateDate: new Date(0) } });
    iam
      .on(iamSdk.ListAccessKeysCommand)
      .resolvesOnce({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Active' }] })
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }] });
    iam.on(iamSdk.GetUserPolicyCommand).rejects(Object.assign(new Error('not found'), { name: 'NoSuchEntityException' }));
    iam.on(iamSdk.ListUserTagsCommand).resolves({ Tags: [] });
    sns.on(snsSdk.PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await handler(loadEvent('guardduty/iam-user-long-term-key'), context);
    expect(result).toMatchObject({ kind: 'handled', messageId: 'm-1', outcome: { status: 'contained' } });
    expect(iam.commandCalls(iamSdk.UpdateAccessKeyCommand)[0]!.args[0].input).toEqual({ UserName: 'ci-deploy', AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' });
    expect(sns.commandCalls(snsSdk.PublishCommand)).toHaveLength(1);
  });

  it('refuses to start with invalid settings (every event then goes to the DLQ untouched)', () => {
    const settings = { ...responderSettings(), protectedPrincipals: ['not-an-arn'] };
    expect(() => loadHandler({ FIREBREAK_SETTINGS: JSON.stringify(settings), FIREBREAK_TOPIC_ARN: TOPIC, FIREBREAK_LEDGER_TABLE: 'ledger' })).toThrow('FIREBREAK_SETTINGS is invalid: protectedPrincipals[0]');
    expect(() => loadHandler({ FIREBREAK_SETTINGS: JSON.stringify(responderSettings()), FIREBREAK_TOPIC_ARN: TOPIC })).toThrow('FIREBREAK_LEDGER_TABLE is not set');
    expect(() => loadHandler({ FIREBREAK_SETTINGS: undefined, FIREBREAK_TOPIC_ARN: TOPIC })).toThrow('FIREBREAK_SETTINGS is not set');
    expect(() => loadHandler({ FIREBREAK_SETTINGS: JSON.stringify(responderSettings()), FIREBREAK_TOPIC_ARN: '' })).toThrow('FIREBREAK_TOPIC_ARN is not set');
  });
});
