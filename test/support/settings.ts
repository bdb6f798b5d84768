import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../lambdas/aws/aws-clients';
import type { Playbook } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { loadPlaybooks } from '../../lib/playbooks';
import { withRecordMacs } from '../../lambdas/ledger/verified-ledger';
import { FakeDynamoDb } from './fake-dynamodb';
import { FakeKms } from './fake-kms';
import { FakeEc2 } from './fake-ec2';
import { FakeIam } from './fake-iam';

export const HOME_ACCOUNT = '111122223333';
export const FIXED_NOW = new Date('2026-11-21T08:00:00.000Z');

/** The shipped IAM playbook, as the tests' baseline. */
export function iamPlaybook(overrides: Partial<Playbook> = {}): Playbook {
  const playbook = loadPlaybooks(join(__dirname, '..', '..', 'playbooks')).find(
    (candidate) => candidate.id === 'compromised-iam-credentials',
  );
  if (!playbook) throw new Error('playbooks/compromised-iam-credentials.yaml is missing');
  return { ...playbook, ...overrides };
}

export function responderSettings(overrides: Partial<ResponderSettings> = {}): ResponderSettings {
  return {
    playbook: iamPlaybook(),
    protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*', `arn:aws:iam::${HOME_ACCOUNT}:role/Firebreak-*`],
    exemptionTagKey: 'firebreak:exempt',
    homeAccountId: HOME_ACCOUNT,
    breaker: { maxPerAccountPerHour: 10, maxPerPlaybookPerHour: 25 },
    ledgerRetentionDays: 400,
    ...overrides,
  };
}

export interface TestClients {
  readonly clients: AwsClients;
  readonly iam: FakeIam;
  readonly ec2: FakeEc2;
  readonly dynamodb: FakeDynamoDb;
  readonly sns: AwsClientStub<SNSClient>;
}

export function testClients(
  iam = new FakeIam(HOME_ACCOUNT),
  ec2 = new FakeEc2(HOME_ACCOUNT),
  dynamodb = new FakeDynamoDb(),
): TestClients {
  const snsClient = new SNSClient({ region: 'us-east-1' });
  const sns = mockClient(snsClient);
  return {
    clients: {
      iam: iam.client,
      sns: snsClient,
      ec2: ec2.ec2Client,
      autoScaling: ec2.autoScalingClient,
      dynamodb: dynamodb.client,
    },
    iam,
    ec2,
    dynamodb,
    sns,
  };
}

/**
 * Fakes of one account (IAM, EC2 and Auto Scaling, a DynamoDB ledger table), a topic that accepts every message,
 * and the real ledger on the fake table. `build` puts the resources a test needs into the fakes.
 */
export function ledgerWorld(build: (iam: FakeIam, ec2: FakeEc2) => void) {
  const iam = new FakeIam(HOME_ACCOUNT);
  const ec2 = new FakeEc2(HOME_ACCOUNT);
  const table = new FakeDynamoDb();
  build(iam, ec2);
  const test = testClients(iam, ec2, table);
  test.sns.on(PublishCommand).resolves({ MessageId: 'm' });
  // As deployed: every step record signed and checked with the ledger's HMAC key.
  const kms = new FakeKms();
  const clients: AwsClients = { ...test.clients, kms: kms.client };
  return {
    ...test,
    clients,
    table,
    kms,
    ledger: withRecordMacs(new DynamoDbLedger(table.client, table.tableName, 400), kms.recordMac()),
  };
}
