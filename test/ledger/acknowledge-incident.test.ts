import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { FakeDynamoDb } from '../support/fake-dynamodb';
import { acknowledgeIncidentCases } from './cases/acknowledge-incident.cases';
import { fakeLedgerTables } from './ledger-table';

const T0 = new Date('2026-11-21T08:00:00.000Z');

// The same cases run on moto's DynamoDB in test/contract/ledger-on-moto.test.ts.
acknowledgeIncidentCases(fakeLedgerTables);

describe('DynamoDbLedger.acknowledgeIncident, with a fault only the fake injects', () => {
  it('a DynamoDB error other than the condition surfaces with the call named', async () => {
    const table = new FakeDynamoDb();
    const l = new DynamoDbLedger(table.client, table.tableName, 90);
    table.failOn(
      'UpdateItem',
      Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }),
    );
    await expect(l.acknowledgeIncident('i-1', 'alice', T0)).rejects.toThrow('dynamodb:UpdateItem');
  });
});
