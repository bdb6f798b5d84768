import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbLedger } from '../../../lambdas/ledger/dynamodb-ledger';
import type { BreakerTake } from '../../../lambdas/ledger/ledger';
import { itemsUnder, type LedgerTable, type LedgerTableFactory } from '../ledger-table';

const T0 = new Date('2026-11-21T08:00:00.000Z');
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);
const account = { kind: 'account', accountId: '111122223333' } as const;
const playbook = { kind: 'playbook', playbook: 'compromised-iam-credentials' } as const;

function taken(take: BreakerTake) {
  if (take.kind !== 'taken') throw new Error(`expected a slot, got a full counter (${take.count}/${take.limit})`);
  return take.slot;
}

function full(take: BreakerTake) {
  if (take.kind !== 'full') throw new Error(`expected a full counter, got slot ${take.count}/${take.limit}`);
  return take;
}

/** The blast-radius breaker's counter, and the UpdateItem rules it relies on, on a table of `tables`. */
export function breakerCounterCases(tables: LedgerTableFactory): void {
  async function ledger() {
    const table = await tables();
    return { table, ledger: new DynamoDbLedger(table.client, table.tableName, 90) };
  }

  describe('DynamoDbLedger: the breaker counter (one per scope and UTC hour)', () => {
    it('20 concurrent takes against a limit of 5: exactly 5 slots, the rest find it full', async () => {
      const { ledger: l } = await ledger();
      const takes = await Promise.all(Array.from({ length: 20 }, () => l.takeBreakerSlot(account, 5, minutes(1))));
      expect(takes.filter((take) => take.kind === 'taken')).toHaveLength(5);
      expect(takes.filter((take) => take.kind === 'full').every((take) => take.count === 5)).toBe(true);
      expect(await l.breakerState(account, 5, minutes(2))).toMatchObject({ open: true, count: 5, limit: 5 });
    });

    it('counts per scope: a full account does not fill the playbook', async () => {
      const { ledger: l } = await ledger();
      taken(await l.takeBreakerSlot(account, 1, T0));
      full(await l.takeBreakerSlot(account, 1, T0));
      expect((await l.takeBreakerSlot(playbook, 1, T0)).kind).toBe('taken');
    });

    it('a new hour is a new counter; the old one expires an hour after its end', async () => {
      const { table, ledger: l } = await ledger();
      taken(await l.takeBreakerSlot(account, 1, minutes(59)));
      full(await l.takeBreakerSlot(account, 1, minutes(59)));
      taken(await l.takeBreakerSlot(account, 1, minutes(60)));
      const items = await itemsUnder(table, 'BREAKER#ACCOUNT#');
      expect(items.map((item) => item.sk!.S)).toEqual(['HOUR#2026-11-21T08', 'HOUR#2026-11-21T09']);
      expect(items[0]!.expiresAt!.N).toBe(String(Date.parse('2026-11-21T10:00:00.000Z') / 1000));
    });

    it('a slot given back frees room for the next run; never below zero', async () => {
      const { ledger: l } = await ledger();
      const slot = taken(await l.takeBreakerSlot(account, 1, T0));
      full(await l.takeBreakerSlot(account, 1, T0));
      await l.giveBackBreakerSlot(slot);
      expect((await l.breakerState(account, 1, T0)).count).toBe(0);
      await l.giveBackBreakerSlot(slot);
      expect((await l.breakerState(account, 1, T0)).count).toBe(0);
      taken(await l.takeBreakerSlot(account, 1, minutes(1)));
    });

    it('a slot given back after the hour goes to its own hour, not the new one', async () => {
      const { ledger: l } = await ledger();
      const slot = taken(await l.takeBreakerSlot(account, 2, minutes(59)));
      taken(await l.takeBreakerSlot(account, 2, minutes(61)));
      await l.giveBackBreakerSlot(slot);
      expect((await l.breakerState(account, 2, minutes(62))).count).toBe(1);
      expect((await l.breakerState(account, 2, minutes(59))).count).toBe(0);
    });

    it('pages once per scope and hour, whoever finds it full', async () => {
      const { ledger: l } = await ledger();
      taken(await l.takeBreakerSlot(account, 1, T0));
      const fulls = await Promise.all(
        Array.from({ length: 10 }, async () => full(await l.takeBreakerSlot(account, 1, minutes(1)))),
      );
      expect(fulls.every((take) => !take.paged)).toBe(true);
      const pages = await Promise.all(fulls.map((take) => l.pageBreaker(take, minutes(2))));
      expect(pages.filter(Boolean)).toHaveLength(1);
      // Later in the hour, the full counter says it has paged.
      expect(full(await l.takeBreakerSlot(account, 1, minutes(30))).paged).toBe(true);
      expect(await l.breakerState(account, 1, minutes(30))).toMatchObject({
        open: true,
        pagedAt: minutes(2).toISOString(),
      });
      // The next hour pages again once it is full.
      taken(await l.takeBreakerSlot(account, 1, minutes(60)));
      expect(await l.pageBreaker(full(await l.takeBreakerSlot(account, 1, minutes(61))), minutes(61))).toBe(true);
    });

    it('close resets the hour: up to the limit again, a new page, and slots from before the close are not given back into it', async () => {
      const { ledger: l } = await ledger();
      const before = taken(await l.takeBreakerSlot(account, 2, T0));
      taken(await l.takeBreakerSlot(account, 2, T0));
      const found = full(await l.takeBreakerSlot(account, 2, minutes(1)));
      expect(await l.pageBreaker(found, minutes(1))).toBe(true);

      await l.closeBreaker(account, minutes(5));
      expect(await l.breakerState(account, 2, minutes(5))).toMatchObject({
        open: false,
        count: 0,
        closedAt: minutes(5).toISOString(),
      });
      expect((await l.breakerState(account, 2, minutes(5))).pagedAt).toBeUndefined();
      // A run that took its slot before the close and wrote nothing: its give-back does not eat a slot of after the close.
      const after = taken(await l.takeBreakerSlot(account, 2, minutes(6)));
      await l.giveBackBreakerSlot(before);
      expect((await l.breakerState(account, 2, minutes(6))).count).toBe(1);
      expect(after.generation).toBe(before.generation + 1);
      // A page decided on the counter before the close does not use up the page of after it.
      expect(await l.pageBreaker(found, minutes(7))).toBe(false);
      taken(await l.takeBreakerSlot(account, 2, minutes(8)));
      expect(await l.pageBreaker(full(await l.takeBreakerSlot(account, 2, minutes(9))), minutes(9))).toBe(true);
    });

    it('closing a scope that never tripped this hour is harmless', async () => {
      const { ledger: l } = await ledger();
      await l.closeBreaker(playbook, T0);
      expect(await l.breakerState(playbook, 1, T0)).toMatchObject({ open: false, count: 0 });
      taken(await l.takeBreakerSlot(playbook, 1, T0));
    });
  });

  describe('UpdateItem ADD and clause rules, as DynamoDB applies them (the fake models them)', () => {
    const send = (
      table: LedgerTable,
      input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName' | 'Key'>,
    ) =>
      table.client.send(
        new UpdateItemCommand({ TableName: table.tableName, Key: { pk: { S: 'p' }, sk: { S: 's' } }, ...input }),
      );

    it('ADD creates a missing number, adds to it, and subtracts a negative value; ALL_NEW returns the item', async () => {
      const table = await tables();
      const add = (value: number) =>
        send(table, {
          UpdateExpression: 'ADD #n :v',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':v': { N: String(value) } },
          ReturnValues: 'ALL_NEW',
        });
      expect((await add(2)).Attributes!.n).toEqual({ N: '2' });
      expect((await add(3)).Attributes!.n).toEqual({ N: '5' });
      expect((await add(-1)).Attributes!.n).toEqual({ N: '4' });
    });

    it('clauses in any order; one attribute in two clauses, or a clause twice, is rejected', async () => {
      const table = await tables();
      await send(table, {
        UpdateExpression: 'ADD #n :v SET #a = :a REMOVE #b',
        ExpressionAttributeNames: { '#n': 'n', '#a': 'a', '#b': 'b' },
        ExpressionAttributeValues: { ':v': { N: '1' }, ':a': { S: 'x' } },
      });
      expect((await table.items()).find((item) => item.pk?.S === 'p' && item.sk?.S === 's')).toMatchObject({
        n: { N: '1' },
        a: { S: 'x' },
      });
      await expect(
        send(table, {
          UpdateExpression: 'SET #n = :z ADD #n :v',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':v': { N: '1' }, ':z': { N: '0' } },
        }),
      ).rejects.toThrow('overlap');
      await expect(
        send(table, {
          UpdateExpression: 'SET #a = :a SET #b = :a',
          ExpressionAttributeNames: { '#a': 'a', '#b': 'b' },
          ExpressionAttributeValues: { ':a': { S: 'x' } },
        }),
      ).rejects.toThrow('only be used once');
      await expect(
        send(table, {
          UpdateExpression: 'ADD #a :v',
          ExpressionAttributeNames: { '#a': 'a' },
          ExpressionAttributeValues: { ':v': { N: '1' } },
        }),
      ).rejects.toThrow('incorrect data type');
    });
  });
}
