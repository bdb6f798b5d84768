import { daysBetween, listIncidentsReceived, receivedDay } from '../../lambdas/ledger/incidents-received';
import { incidentsReceivedCases, tableWith } from './cases/incidents-received.cases';
import { fakeLedgerTable, fakeLedgerTables } from './ledger-table';

describe('receivedDay and daysBetween', () => {
  it('the UTC day of a receipt', () => expect(receivedDay('2026-11-21T23:59:59.999Z')).toBe('2026-11-21'));

  it.each([
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z', ['2026-11-01']],
    ['2026-11-30T12:00:00Z', '2026-12-02T00:00:00Z', ['2026-11-30', '2026-12-01', '2026-12-02']],
    ['2026-11-02T00:00:00Z', '2026-11-01T23:59:59Z', []],
  ])('%s .. %s', (from, to, days) => expect(daysBetween(new Date(from), new Date(to))).toEqual(days));
});

// The same cases run on moto's DynamoDB in test/contract/ledger-on-moto.test.ts.
incidentsReceivedCases(fakeLedgerTables);

describe('listIncidentsReceived, with a fault only the fake injects', () => {
  it('a failed read names the index and the day', async () => {
    const table = fakeLedgerTable();
    await tableWith(async () => table, {});
    table.fake.failOn('Query', Object.assign(new Error('no such index'), { name: 'ValidationException' }));
    await expect(
      listIncidentsReceived(
        table.client,
        table.tableName,
        new Date('2026-11-01T00:00:00Z'),
        new Date('2026-11-02T00:00:00Z'),
      ),
    ).rejects.toThrow(/dynamodb:Query.*incidents-by-day: incidents received on 2026-11-01/);
  });
});
