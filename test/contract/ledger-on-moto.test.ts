import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsRecordMac } from '../../lambdas/ledger/record-mac';
import { acknowledgeIncidentCases } from '../ledger/cases/acknowledge-incident.cases';
import { breakerCounterCases } from '../ledger/cases/breaker-counter.cases';
import { dynamoDbLedgerCases } from '../ledger/cases/dynamodb-ledger.cases';
import { incidentsReceivedCases } from '../ledger/cases/incidents-received.cases';
import { verifiedLedgerCases } from '../ledger/cases/verified-ledger.cases';
import { byKey, type Item, type LedgerTable } from '../ledger/ledger-table';
import { MOTO_CREDENTIALS, MOTO_REGION } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { ledgerTableInput, synthesizeStack } from './support/synthesized-stack';

// The ledger's own cases (test/ledger/cases/), run on moto's DynamoDB and KMS instead of the hand-written fakes. The
// table is created with the key schema and indexes the synthesized template declares (an approval-mode playbook adds
// the approvals-due index), one fresh table per case.

describeOnMoto('the ledger on moto', (moto) => {
  let tableInput: (name: string) => CreateTableCommandInput;
  let dynamodb: DynamoDBClient;
  let kms: KMSClient;
  let tables = 0;

  beforeAll(() => {
    const { template } = synthesizeStack({
      name: 'ledger-template',
      playbooks: {
        'compromised-iam-credentials': { mode: 'enforce' },
        'config-restricted-ssh': { mode: 'approve', approval: { timeoutMinutes: 30, onTimeout: 'drop' } },
      },
    });
    tableInput = (name) => ledgerTableInput(template, name);
    const config = { region: MOTO_REGION, endpoint: moto().endpoint, credentials: MOTO_CREDENTIALS };
    dynamodb = new DynamoDBClient(config);
    kms = new KMSClient(config);
  }, 120_000);

  afterAll(() => {
    dynamodb?.destroy();
    kms?.destroy();
  });

  it('the table has the template key schema and both indexes', () => {
    const input = tableInput('firebreak-ledger');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([
      'incidents-by-day',
      'approvals-due',
    ]);
  });

  async function motoTable(): Promise<LedgerTable> {
    tables += 1;
    const tableName = `firebreak-ledger-${tables}`;
    await dynamodb.send(new CreateTableCommand(tableInput(tableName)));
    return {
      client: dynamodb,
      tableName,
      items: async () => {
        const items: Item[] = [];
        let start: Record<string, Item[string]> | undefined;
        do {
          const page = await dynamodb.send(
            new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
          );
          items.push(...(page.Items ?? []));
          start = page.LastEvaluatedKey;
        } while (start);
        return items.sort(byKey);
      },
      putItem: async (item) => {
        await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: item }));
      },
    };
  }

  async function hmacKey(): Promise<string> {
    const key = await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }));
    return key.KeyMetadata!.Arn!;
  }

  describe('DynamoDbLedger', () => dynamoDbLedgerCases(motoTable));
  describe('acknowledgements', () => acknowledgeIncidentCases(motoTable));
  describe('the breaker counter', () => breakerCounterCases(motoTable));
  describe('incidents received', () => incidentsReceivedCases(motoTable));
  describe('record MACs on a KMS HMAC key', () =>
    verifiedLedgerCases(motoTable, async () => ({
      recordMac: new KmsRecordMac(kms, await hmacKey()),
      otherKey: new KmsRecordMac(kms, await hmacKey()),
    })));
});
