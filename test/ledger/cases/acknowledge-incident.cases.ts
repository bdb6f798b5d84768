import { DynamoDbLedger } from '../../../lambdas/ledger/dynamodb-ledger';
import { incidentSummary } from '../../support/incident-summary';
import { itemsUnder, type LedgerTableFactory } from '../ledger-table';

const T0 = new Date('2026-11-21T08:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

const summary = incidentSummary({ receivedAt: T0.toISOString() });

/** Acknowledgements and what a re-delivery keeps, on a table of `tables` (the fake, or moto's DynamoDB). */
export function acknowledgeIncidentCases(tables: LedgerTableFactory): void {
  async function ledger() {
    const table = await tables();
    return { table, ledger: new DynamoDbLedger(table.client, table.tableName, 90) };
  }

  describe('DynamoDbLedger.acknowledgeIncident', () => {
    it('records the first acknowledgement; a second keeps the first time and says so', async () => {
      const { ledger: l } = await ledger();
      await l.putIncident(summary, later(86_400_000));
      expect(await l.acknowledgeIncident(summary.incidentId, 'alice', later(60_000))).toEqual({
        kind: 'acknowledged',
        at: later(60_000).toISOString(),
        by: 'alice',
      });
      expect(await l.acknowledgeIncident(summary.incidentId, 'bob', later(120_000))).toEqual({
        kind: 'already-acknowledged',
        at: later(60_000).toISOString(),
        by: 'alice',
      });
      expect(await l.getIncident(summary.incidentId)).toMatchObject({
        acknowledgedAt: later(60_000).toISOString(),
        acknowledgedBy: 'alice',
      });
    });

    it('an unknown incident is not found, and nothing is written', async () => {
      const { ledger: l, table } = await ledger();
      expect(await l.acknowledgeIncident('nope', 'alice', T0)).toEqual({ kind: 'not-found' });
      expect(await table.items()).toHaveLength(0);
    });

    it('a later delivery of the finding keeps the acknowledgement', async () => {
      const { ledger: l } = await ledger();
      await l.putIncident(summary, later(86_400_000));
      await l.acknowledgeIncident(summary.incidentId, 'alice', later(60_000));
      await l.putIncident(
        { ...summary, status: 'already-contained', receivedAt: later(3_600_000).toISOString() },
        later(86_400_000),
      );
      expect(await l.getIncident(summary.incidentId)).toMatchObject({
        status: 'already-contained',
        acknowledgedBy: 'alice',
      });
    });
  });

  describe('DynamoDbLedger.putIncident: what a re-delivery keeps', () => {
    it('keeps the first receipt, its day and the first message; updates the status and the containment time', async () => {
      const { ledger: l, table } = await ledger();
      await l.putIncident(
        {
          ...summary,
          status: 'partially-contained',
          containedAt: later(500).toISOString(),
          notifiedAt: later(900).toISOString(),
        },
        later(1000),
      );
      const redelivered = new Date('2026-11-22T09:00:00.000Z');
      await l.putIncident(
        {
          ...summary,
          status: 'contained',
          receivedAt: redelivered.toISOString(),
          containedAt: later(86_400_000 + 500).toISOString(),
          notifiedAt: later(86_400_000 + 900).toISOString(),
        },
        later(1000),
      );
      expect(await l.getIncident(summary.incidentId)).toMatchObject({
        status: 'contained',
        receivedAt: T0.toISOString(),
        notifiedAt: later(900).toISOString(),
        containedAt: later(86_400_000 + 500).toISOString(),
      });
      expect((await itemsUnder(table, 'INCIDENT#'))[0]!.receivedDay).toEqual({ S: '2026-11-21' });
    });
  });
}
