import type { Context } from 'aws-lambda';
import type * as IamSdk from '@aws-sdk/client-iam';
import type * as SnsSdk from '@aws-sdk/client-sns';
import type * as ClientMock from 'aws-sdk-client-mock';
import type { Finding as SdkFinding } from '@aws-sdk/client-guardduty';
import { sdkFindingOf } from '../support/fake-guardduty';
import { mockLedgerAndFindingSources } from '../support/responder-sdk-mocks';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { loadEvent } from '../support/fixtures';
import { responderSettings } from '../support/settings';

type IamModule = typeof IamSdk;
const MAC_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0b6d0d6c-1111-4a2e-9a63-5f0c4a3d2b1a';
/** GuardDuty's own copy of each finding a test delivers, by id (the handler re-reads every finding before writing). */
const genuine = new Map<string, SdkFinding>();
/** The finding ids the last loaded handler asked GuardDuty for. */
let rereads: () => (string[] | undefined)[] = () => [];
beforeAll(async () => {
  const finding = await sdkFindingOf(loadEvent('guardduty/iam-user-long-term-key').detail as never);
  genuine.set(finding.Id!, finding);
});
type SnsModule = typeof SnsSdk;
type Handler = (event: unknown, context: Context) => Promise<unknown>;

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';
const context = {
  functionName: 'responder',
  awsRequestId: 'request-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:responder',
} as Context;

/**
 * The real entry point, as Lambda loads it: settings read from the environment and clients built at cold start.
 * Each load gets a fresh module registry, so the SDK classes are mocked inside it.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a fresh module registry per cold start needs require() */
function loadHandler(env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' }, env);
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
  let loaded:
    | {
        handler: Handler;
        iamSdk: IamModule;
        iam: AwsClientStub<InstanceType<IamModule['IAMClient']>>;
        sns: AwsClientStub<InstanceType<SnsModule['SNSClient']>>;
        snsSdk: SnsModule;
      }
    | undefined;
  try {
    // A fresh registry per cold start, kept after loading: the handler loads SDK clients lazily, on first use.
    jest.resetModules();
    (() => {
      const { mockClient } = require('aws-sdk-client-mock') as typeof ClientMock;
      const iamSdk = require('@aws-sdk/client-iam') as IamModule;
      const snsSdk = require('@aws-sdk/client-sns') as SnsModule;
      const iam = mockClient(iamSdk.IAMClient);
      const sns = mockClient(snsSdk.SNSClient);
      // GuardDuty holds the genuine findings the tests deliver.
      rereads = mockLedgerAndFindingSources(require, async (ids) =>
        ids.flatMap((id) => (genuine.has(id) ? [genuine.get(id)!] : [])),
      ).rereads;
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
    const { handler, iam, iamSdk, sns, snsSdk } = loadHandler({
      FIREBREAK_SETTINGS: JSON.stringify(responderSettings()),
      FIREBREAK_TOPIC_ARN: TOPIC,
      FIREBREAK_LEDGER_TABLE: 'ledger',
      FIREBREAK_LEDGER_MAC_KEY: MAC_KEY,
    });
    iam.on(iamSdk.GetUserCommand).resolves({
      User: {
        UserName: 'ci-deploy',
        UserId: 'AIDAJQABLZS4A3QDU576Q',
        Arn: 'arn:aws:iam::111122223333:user/ci-deploy',
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
    sns.on(snsSdk.PublishCommand).resolves({ MessageId: 'm-1' });

    const result = await handler(loadEvent('guardduty/iam-user-long-term-key'), context);
    expect(result).toMatchObject({ kind: 'handled', messageId: 'm-1', outcome: { status: 'contained' } });
    expect(iam.commandCalls(iamSdk.UpdateAccessKeyCommand)[0]!.args[0].input).toEqual({
      UserName: 'ci-deploy',
      AccessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      Status: 'Inactive',
    });
    expect(sns.commandCalls(snsSdk.PublishCommand)).toHaveLength(1);
    // The deployed handler re-read the finding from GuardDuty before writing, and signed its ledger records.
    expect(rereads()).toEqual([['8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47']]);
  });

  it('acts on nothing GuardDuty does not hold: a forged finding id gets no write', async () => {
    const { handler, iam, iamSdk, sns, snsSdk } = loadHandler({
      FIREBREAK_SETTINGS: JSON.stringify(responderSettings()),
      FIREBREAK_TOPIC_ARN: TOPIC,
      FIREBREAK_LEDGER_TABLE: 'ledger',
      FIREBREAK_LEDGER_MAC_KEY: MAC_KEY,
    });
    iam.on(iamSdk.GetUserCommand).resolves({
      User: {
        UserName: 'ci-deploy',
        UserId: 'AIDAJQABLZS4A3QDU576Q',
        Arn: 'arn:aws:iam::111122223333:user/ci-deploy',
        Path: '/',
        CreateDate: new Date(0),
      },
    });
    iam
      .on(iamSdk.ListAccessKeysCommand)
      .resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Active' }] });
    iam.on(iamSdk.ListUserTagsCommand).resolves({ Tags: [] });
    sns.on(snsSdk.PublishCommand).resolves({ MessageId: 'm-2' });
    const forged = {
      ...loadEvent('guardduty/iam-user-long-term-key'),
      detail: {
        ...(loadEvent('guardduty/iam-user-long-term-key').detail as object),
        id: '0000000000000000000000000000dead',
      },
    };
    await expect(handler(forged, context)).rejects.toThrow('not-contained');
    expect(iam.commandCalls(iamSdk.UpdateAccessKeyCommand)).toHaveLength(0);
    expect(sns.commandCalls(snsSdk.PublishCommand)[0]!.args[0].input.Subject).toContain('URGENT');
  });

  it('refuses to start with invalid settings (every event then goes to the DLQ untouched)', () => {
    const settings = { ...responderSettings(), protectedPrincipals: ['not-an-arn'] };
    expect(() =>
      loadHandler({
        FIREBREAK_SETTINGS: JSON.stringify(settings),
        FIREBREAK_TOPIC_ARN: TOPIC,
        FIREBREAK_LEDGER_TABLE: 'ledger',
        FIREBREAK_LEDGER_MAC_KEY: MAC_KEY,
      }),
    ).toThrow('FIREBREAK_SETTINGS is invalid: protectedPrincipals[0]');
    expect(() =>
      loadHandler({ FIREBREAK_SETTINGS: JSON.stringify(responderSettings()), FIREBREAK_TOPIC_ARN: TOPIC }),
    ).toThrow('FIREBREAK_LEDGER_TABLE is not set');
    expect(() =>
      loadHandler({
        FIREBREAK_SETTINGS: JSON.stringify(responderSettings()),
        FIREBREAK_TOPIC_ARN: TOPIC,
        FIREBREAK_LEDGER_TABLE: 'ledger',
      }),
    ).toThrow('FIREBREAK_LEDGER_MAC_KEY is not set');
    expect(() => loadHandler({ FIREBREAK_SETTINGS: undefined, FIREBREAK_TOPIC_ARN: TOPIC })).toThrow(
      'FIREBREAK_SETTINGS is not set',
    );
    expect(() =>
      loadHandler({ FIREBREAK_SETTINGS: JSON.stringify(responderSettings()), FIREBREAK_TOPIC_ARN: '' }),
    ).toThrow('FIREBREAK_TOPIC_ARN is not set');
  });
});
