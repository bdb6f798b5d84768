import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { indexWriteUnits, itemSize, meteredTable, readUnits, writeUnits } from '../../bench/dynamodb-units';
import { FakeDynamoDb } from '../../test/support/fake-dynamodb';

describe('DynamoDB request units', () => {
  it("sizes an item as DynamoDB bills it: names, strings' bytes, numbers, maps and lists with their overhead", () => {
    expect(itemSize({ pk: { S: 'abc' } })).toBe(2 + 3);
    expect(itemSize({ n: { N: '12345' } })).toBe(1 + 4); // 3 bytes for 5 digits, plus 1
    expect(itemSize({ m: { M: { a: { BOOL: true } } } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemSize({ l: { L: [{ S: 'x' }, { NULL: true }] } })).toBe(1 + 3 + 2 + 2);
  });

  it('bills writes per KB of the larger item, reads per 4 KB, eventually consistent reads at half', () => {
    const big = { pk: { S: 'x'.repeat(1500) } };
    expect(writeUnits(undefined, { pk: { S: 'a' } })).toBe(1);
    expect(writeUnits(big, { pk: { S: 'a' } })).toBe(2);
    expect(readUnits(5000, true)).toBe(2);
    expect(readUnits(100, false)).toBe(0.5);
  });

  it('adds an index write when an item enters the incidents-by-day index, none when nothing it holds changes', () => {
    const incident = {
      pk: { S: 'i' },
      sk: { S: 'INCIDENT' },
      receivedDay: { S: '2026-12-03' },
      receivedAt: { S: 't' },
    };
    expect(indexWriteUnits(undefined, incident)).toBe(1);
    expect(indexWriteUnits(incident, incident)).toBe(0);
    expect(indexWriteUnits(incident, { ...incident, receivedAt: { S: 'u' } })).toBe(2);
    expect(indexWriteUnits(undefined, { pk: { S: 'i' }, sk: { S: 'LEASE' } })).toBe(0);
  });

  it('counts the units of the calls through the fake table, a write whose condition fails included', async () => {
    const table = new FakeDynamoDb();
    const { answering, usage } = meteredTable(table);
    const item = { pk: { S: 'incident-1' }, sk: { S: 'LEASE' }, state: { S: 'claimed' } };
    await answering.send(
      new PutItemCommand({ TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    await expect(
      answering.send(
        new PutItemCommand({ TableName: table.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await answering.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':s': { S: 'released' } },
      }),
    );
    await answering.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
    );
    expect(usage).toEqual({
      requests: { PutItem: 2, UpdateItem: 1, GetItem: 1 },
      writeRequestUnits: 3,
      readRequestUnits: 1,
    });
  });
});
