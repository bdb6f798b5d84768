import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { FakeDynamoDb } from '../support/fake-dynamodb';
import { breakerCounterCases } from './cases/breaker-counter.cases';
import { fakeLedgerTables } from './ledger-table';

const T0 = new Date('2026-11-21T08:00:00.000Z');

// The same cases run on moto's DynamoDB in test/contract/ledger-on-moto.test.ts.
breakerCounterCases(fakeLedgerTables);

describe('DynamoDbLedger: the breaker counter, as the calls it makes', () => {
  const account = { kind: 'account', accountId: '111122223333' } as const;

  it('takes a slot in one conditional UpdateItem (ADD below the limit), nothing else', async () => {
    const table = new FakeDynamoDb();
    const l = new DynamoDbLedger(table.client, table.tableName, 90);
    await l.takeBreakerSlot(account, 3, T0);
    const calls = table.mock.calls();
    expect(calls).toHaveLength(1);
    expect(table.mock.commandCalls(UpdateItemCommand)[0]!.args[0].input).toMatchObject({
      Key: { pk: { S: 'BREAKER#ACCOUNT#111122223333' }, sk: { S: 'HOUR#2026-11-21T08' } },
      UpdateExpression: expect.stringContaining('ADD #count :one'),
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
    });
  });
});
