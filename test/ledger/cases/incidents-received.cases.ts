import { DynamoDbLedger } from '../../../lambdas/ledger/dynamodb-ledger';
import { listIncidentsReceived } from '../../../lambdas/ledger/incidents-received';
import { incidentSummary } from '../../support/incident-summary';
import type { LedgerTableFactory } from '../ledger-table';

const { incidentId: _incidentId, receivedAt: _receivedAt, ...base } = incidentSummary({ findingId: 'f' });

/** A table of `tables` holding incidents received at these times, and items of other kinds. */
export async function tableWith(tables: LedgerTableFactory, receipts: Record<string, string>) {
  const table = await tables();
  const ledger = new DynamoDbLedger(table.client, table.tableName, 90);
  for (const [incidentId, receivedAt] of Object.entries(receipts))
    await ledger.putIncident({ ...base, incidentId, receivedAt }, new Date('2027-01-01T00:00:00Z'));
  // Items that are not incidents stay out of the index.
  await ledger.leaseIncident('a', 'r', 60_000, new Date('2026-11-02T00:00:00Z'));
  await ledger.recordIntent(
    'a',
    {
      index: 0,
      action: 'iam-deactivate-access-key',
      summary: 's',
      write: null,
      replaced: null,
      appliedAt: '2026-11-02T00:00:00.000Z',
    },
    'r',
  );
  await ledger.closeBreaker({ kind: 'account', accountId: '111122223333' }, new Date('2026-11-02T00:00:00Z'));
  return { table, ledger };
}

/** listIncidentsReceived on the incidents-by-day index of a table of `tables`. */
export function incidentsReceivedCases(tables: LedgerTableFactory): void {
  describe('listIncidentsReceived', () => {
    it('returns the incidents first received in [from, to), sorted, from the index only', async () => {
      const { table } = await tableWith(tables, {
        a: '2026-11-01T00:00:00.000Z',
        b: '2026-11-01T23:59:59.999Z',
        c: '2026-11-03T10:00:00.000Z',
        before: '2026-10-31T23:59:59.999Z',
        atEnd: '2026-11-04T00:00:00.000Z',
      });
      const records = await listIncidentsReceived(
        table.client,
        table.tableName,
        new Date('2026-11-01T00:00:00Z'),
        new Date('2026-11-04T00:00:00Z'),
      );
      expect(records.map((record) => record.incidentId)).toEqual(['a', 'b', 'c']);
      expect(records[0]).toEqual({ ...base, incidentId: 'a', receivedAt: '2026-11-01T00:00:00.000Z' });
    });

    it('a range inside one day', async () => {
      const { table } = await tableWith(tables, {
        a: '2026-11-01T08:00:00.000Z',
        b: '2026-11-01T09:30:00.000Z',
        c: '2026-11-01T11:00:00.000Z',
      });
      const records = await listIncidentsReceived(
        table.client,
        table.tableName,
        new Date('2026-11-01T09:00:00Z'),
        new Date('2026-11-01T10:00:00Z'),
      );
      expect(records.map((record) => record.incidentId)).toEqual(['b']);
    });

    it('an empty range is an error naming both ends', async () => {
      const { table } = await tableWith(tables, {});
      await expect(
        listIncidentsReceived(
          table.client,
          table.tableName,
          new Date('2026-11-02T00:00:00Z'),
          new Date('2026-11-01T00:00:00Z'),
        ),
      ).rejects.toThrow('the time range is empty: from 2026-11-02T00:00:00.000Z to 2026-11-01T00:00:00.000Z');
    });
  });
}
