import { DynamoDbLedger } from '../../../lambdas/ledger/dynamodb-ledger';
import { incidentSummary } from '../../support/incident-summary';
import { itemsUnder, type LedgerTableFactory } from '../ledger-table';

const T0 = new Date('2026-11-21T08:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 60_000;

const step = {
  index: 0,
  action: 'iam-deactivate-access-key',
  summary: 'Deactivate',
  write: { userName: 'u', accessKeyId: 'AKIA' },
  replaced: { status: 'Active' },
  appliedAt: T0.toISOString(),
};

/** DynamoDbLedger's leases, incidents and intents, on a table of `tables` (the fake, or moto's DynamoDB). */
export function dynamoDbLedgerCases(tables: LedgerTableFactory): void {
  async function ledger() {
    const table = await tables();
    return { table, ledger: new DynamoDbLedger(table.client, table.tableName, 90) };
  }

  describe('DynamoDbLedger: the incident lease', () => {
    it('one lease wins; a concurrent one is busy until it ends', async () => {
      const { ledger: l } = await ledger();
      expect(await l.leaseIncident('i-1', 'request-1', LEASE, T0)).toEqual({ kind: 'claimed' });
      expect(await l.leaseIncident('i-1', 'request-2', LEASE, later(1000))).toEqual({
        kind: 'busy',
        claimedUntil: later(LEASE).toISOString(),
      });
    });

    it('a lease left by a crashed invocation expires and can be taken over', async () => {
      const { ledger: l } = await ledger();
      await l.leaseIncident('i-1', 'crashed', LEASE, T0);
      expect(await l.leaseIncident('i-1', 'request-2', LEASE, later(LEASE + 1))).toEqual({ kind: 'claimed' });
    });

    it('only its holder ends a lease; then the next delivery takes it at once', async () => {
      const { ledger: l } = await ledger();
      await l.leaseIncident('i-1', 'request-1', LEASE, T0);
      await l.endLease('i-1', 'someone-else', later(1));
      expect((await l.leaseIncident('i-1', 'request-2', LEASE, later(2))).kind).toBe('busy');
      await l.endLease('i-1', 'request-1', later(3));
      expect((await l.leaseIncident('i-1', 'request-2', LEASE, later(4))).kind).toBe('claimed');
    });

    it('after success a re-delivery reads the applied step with its pre-state', async () => {
      const { ledger: l } = await ledger();
      await l.recordApplied('i-1', step, 'request-1');
      expect((await l.readIncident('i-1')).steps).toEqual([step]);
    });
  });

  describe('DynamoDbLedger: incidents', () => {
    it('round-trips an incident with its applied steps, and keeps release fields across updates', async () => {
      const { ledger: l, table } = await ledger();
      const summary = incidentSummary({ receivedAt: T0.toISOString(), containedAt: later(300).toISOString() });
      await l.putIncident(summary, later(1000));
      await l.recordApplied(summary.incidentId, step, 'r');
      await l.markReleased(summary.incidentId, 'alice', later(5000), later(86_400_000), [step]);
      await l.putIncident({ ...summary, status: 'already-contained' }, later(1000));
      const incident = await l.getIncident(summary.incidentId);
      expect(incident).toMatchObject({
        ...summary,
        status: 'already-contained',
        releasedBy: 'alice',
        exemptUntil: later(86_400_000).toISOString(),
      });
      expect(incident!.steps).toEqual([{ ...step, releasedAt: later(5000).toISOString() }]);
      expect(await l.getIncident('nope')).toBeUndefined();
      // Every item expires (DynamoDB TTL).
      expect((await itemsUnder(table, 'INCIDENT#')).every((item) => item.expiresAt?.N !== undefined)).toBe(true);
    });

    it('a released step takes a new intent again (re-containment after the exemption)', async () => {
      const { ledger: l } = await ledger();
      await l.recordApplied('i-1', step, 'r');
      await l.markReleased('i-1', 'alice', later(1), later(2), [step]);
      await l.recordIntent('i-1', { ...step, appliedAt: later(3).toISOString() }, 'r2');
      expect((await l.readIncident('i-1')).steps).toEqual([
        { ...step, appliedAt: later(3).toISOString(), unconfirmed: true },
      ]);
    });
  });

  // The blast-radius breaker's counter: test/ledger/breaker-counter.test.ts.

  describe('DynamoDbLedger: intent before the write', () => {
    it('an unconfirmed intent shows in the incident with its pre-state, so release can check it', async () => {
      const { ledger: l } = await ledger();
      await l.recordIntent('i-1', step, 'first');
      await l.putIncident(
        {
          incidentId: 'i-1',
          findingId: 'f',
          findingType: 't',
          playbook: 'p',
          accountId: '111122223333',
          region: 'us-east-1',
          subject: 's',
          status: 'not-contained',
          receivedAt: T0.toISOString(),
        },
        later(1),
      );
      expect((await l.getIncident('i-1'))!.steps).toEqual([{ ...step, unconfirmed: true }]);
    });
  });

  describe('DynamoDbLedger: intents planned on the incident lease', () => {
    const planned = { ...step, summary: 'planned before reading' };
    const summary = {
      incidentId: 'i-1',
      findingId: 'f',
      findingType: 't',
      playbook: 'p',
      accountId: '111122223333',
      region: 'us-east-1',
      subject: 's',
      status: 'contained' as const,
      receivedAt: T0.toISOString(),
    };

    it("hands a crashed holder's planned intents to the next holder as unconfirmed", async () => {
      const { ledger: l } = await ledger();
      expect(await l.leaseIncident('i-1', 'crashed', LEASE, T0, [planned])).toEqual({ kind: 'claimed' });
      expect(await l.leaseIncident('i-1', 'second', LEASE, later(1))).toEqual({
        kind: 'busy',
        claimedUntil: later(LEASE).toISOString(),
      });
      expect(await l.leaseIncident('i-1', 'next', LEASE, later(LEASE + 1))).toEqual({
        kind: 'claimed',
        planned: [{ ...planned, unconfirmed: true, tentative: true, plannedBy: 'crashed' }],
      });
    });

    it("shows a held lease's planned intent as an unconfirmed step until the step is recorded, and drops it when the lease ends", async () => {
      const { ledger: l } = await ledger();
      await l.leaseIncident('i-1', 'r', LEASE, T0, [planned]);
      await l.putIncident(summary, later(1));
      expect((await l.getIncident('i-1'))!.steps).toEqual([
        { ...planned, unconfirmed: true, tentative: true, plannedBy: 'r' },
      ]);
      await l.recordApplied('i-1', step, 'r');
      expect((await l.getIncident('i-1'))!.steps).toEqual([step]);
      await l.endLease('i-1', 'r', later(2));
      expect((await l.readIncident('i-1')).steps).toEqual([step]);
    });

    it('an ended lease is kept as released with its end time, without planned intents, and tells the next holder when it ended', async () => {
      const { ledger: l } = await ledger();
      await l.leaseIncident('i-1', 'r', LEASE, T0, [planned]);
      await l.endLease('i-1', 'r', later(5));
      expect((await l.readIncident('i-1')).steps).toEqual([]);
      expect(await l.leaseIncident('i-1', 'next', LEASE, later(6))).toEqual({
        kind: 'claimed',
        previousEndedAt: later(5).toISOString(),
      });
    });

    it('a tentative intent stays tentative when recorded step by step, and a later intent of a real write is not', async () => {
      const { ledger: l } = await ledger();
      await l.recordIntent('i-1', { ...planned, tentative: true }, 'next');
      expect((await l.readIncident('i-1')).steps).toEqual([{ ...planned, unconfirmed: true, tentative: true }]);
      await l.recordIntent('i-1', step, 'third');
      expect((await l.readIncident('i-1')).steps).toEqual([{ ...step, unconfirmed: true }]);
    });

    it('reads the step records of an incident whose summary was never recorded (a crashed run)', async () => {
      const { ledger: l } = await ledger();
      await l.recordIntent('i-1', step, 'crashed');
      expect(await l.readIncident('i-1')).toEqual({ incident: undefined, steps: [{ ...step, unconfirmed: true }] });
    });

    it('an intent never replaces a confirmed step', async () => {
      const { ledger: l } = await ledger();
      await l.recordApplied('i-1', step, 'first');
      await expect(l.recordIntent('i-1', { ...step, replaced: { status: 'Inactive' } }, 'second')).rejects.toThrow();
      expect((await l.readIncident('i-1')).steps).toEqual([step]);
    });
  });
}
