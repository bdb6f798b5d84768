import { DynamoDbLedger } from '../../../lambdas/ledger/dynamodb-ledger';
import type { AppliedStep } from '../../../lambdas/ledger/ledger';
import { withRecordMacs } from '../../../lambdas/ledger/verified-ledger';
import type { LedgerTable, LedgerTableFactory, MacKeysFactory } from '../ledger-table';

const AT = new Date('2026-11-21T08:00:00.000Z');
const STEP: AppliedStep = {
  index: 1,
  action: 'iam-revoke-role-sessions',
  summary: 'Deny the sessions of role app issued before now',
  write: {
    holder: { kind: 'role', name: 'app' },
    policyName: 'firebreak-deny-sessions-issued-before',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] },
  },
  replaced: { policyName: 'firebreak-deny-sessions-issued-before', document: null },
  appliedAt: AT.toISOString(),
};

/** What someone with dynamodb:UpdateItem on the table can do: change one attribute of a stored item. */
async function rewrite(table: LedgerTable, incidentId: string, sk: string, attribute: string, value: string) {
  const items = await table.items();
  const item = items.find(
    (candidate) => candidate.pk?.S?.includes(`INCIDENT#${incidentId}`) && candidate.sk?.S?.includes(sk),
  );
  if (!item)
    throw new Error(
      `no item ${sk} of ${incidentId} in the table: ${items.map((candidate) => `${candidate.pk?.S} ${candidate.sk?.S}`).join(', ')}`,
    );
  await table.putItem({ ...item, [attribute]: { S: value } });
}

/** Ledger records MACed on a KMS HMAC key (the fake's, or moto's), on a table of `tables`. */
export function verifiedLedgerCases(tables: LedgerTableFactory, macKeys: MacKeysFactory): void {
  async function world() {
    const table = await tables();
    const keys = await macKeys();
    const raw = new DynamoDbLedger(table.client, table.tableName, 400);
    return { table, keys, raw, ledger: withRecordMacs(raw, keys.recordMac) };
  }

  describe('ledger record MACs (KMS HMAC key)', () => {
    it('a confirmed record Firebreak wrote reads back verified, and the MAC is stored beside it', async () => {
      const w = await world();
      await w.ledger.recordApplied('i-1', STEP, 'run-1');
      const [step] = (await w.ledger.readIncident('i-1')).steps;
      expect(step).toMatchObject({ action: STEP.action, write: STEP.write, integrity: 'verified' });
      expect(step!.mac).toMatch(/^[A-Za-z0-9+/]+=*$/);
      // Where the backend records its KMS calls (the fake): one MAC made, one verified.
      if (w.keys.calls) expect(w.keys.calls()).toEqual(['GenerateMac', 'VerifyMac']);
    });

    it('a record whose pre-state was rewritten in the table (an Allow *:* policy to "restore") fails the check', async () => {
      const w = await world();
      await w.ledger.recordApplied('i-1', STEP, 'run-1');
      await rewrite(
        w.table,
        'i-1',
        'STEP#001',
        'replaced',
        JSON.stringify({
          document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
        }),
      );
      expect((await w.ledger.readIncident('i-1')).steps[0]!.integrity).toBe('failed');
      // The raw table shows the rewritten record with nothing to say it changed: that is what the MAC adds.
      expect((await w.raw.readIncident('i-1')).steps[0]!.integrity).toBeUndefined();
    });

    it('a record copied to another incident, or an intent turned into a confirmed write, fails the check', async () => {
      const w = await world();
      await w.ledger.recordIntent('i-1', STEP, 'run-1');
      const intent = (await w.table.items()).find(
        (item) => item.pk?.S?.includes('INCIDENT#i-1') && item.sk?.S?.includes('STEP#'),
      )!;
      expect((await w.ledger.readIncident('i-1')).steps[0]).toMatchObject({ unconfirmed: true, integrity: 'verified' });

      await w.table.putItem({ ...structuredClone(intent), pk: { S: 'INCIDENT#i-2' } });
      expect((await w.ledger.readIncident('i-2')).steps[0]!.integrity).toBe('failed');

      await w.table.putItem({ ...intent, state: { S: 'applied' } });
      expect((await w.ledger.readIncident('i-1')).steps[0]).toMatchObject({ integrity: 'failed' });
    });

    it('a record someone else wrote without a MAC is missing; a tentative intent planned on a lease is not signed at all', async () => {
      const w = await world();
      await w.raw.recordApplied('i-1', STEP, 'someone');
      expect((await w.ledger.readIncident('i-1')).steps[0]!.integrity).toBe('missing');

      await w.ledger.recordIntent('i-3', { ...STEP, tentative: true, unconfirmed: true }, 'run-1');
      const [tentative] = (await w.ledger.readIncident('i-3')).steps;
      expect(tentative).toMatchObject({ tentative: true, unconfirmed: true });
      expect(tentative!.integrity).toBeUndefined();
      expect(tentative!.mac).toBeUndefined();
    });

    it('a MAC made with another key does not verify', async () => {
      const w = await world();
      await withRecordMacs(w.raw, w.keys.otherKey).recordApplied('i-1', STEP, 'run-1');
      expect((await w.ledger.readIncident('i-1')).steps[0]!.integrity).toBe('failed');
    });

    it('a pre-state larger than the 4,096 bytes KMS can MAC is signed through its digest', async () => {
      const w = await world();
      const big = {
        ...STEP,
        replaced: { rules: Array.from({ length: 500 }, (_, index) => ({ port: index, cidr: '0.0.0.0/0' })) },
      };
      await w.ledger.recordApplied('i-1', big, 'run-1');
      expect((await w.ledger.readIncident('i-1')).steps[0]!.integrity).toBe('verified');
    });

    it('the release marker is signed: an exemption written into the table by someone else is not verified', async () => {
      const w = await world();
      await w.ledger.putIncident(
        {
          incidentId: 'i-1',
          findingId: 'f',
          findingType: 't',
          playbook: 'p',
          accountId: '111122223333',
          region: 'us-east-1',
          subject: 's',
          status: 'contained',
          receivedAt: AT.toISOString(),
        },
        new Date(AT.getTime() + 86_400_000),
      );
      await w.ledger.markReleased(
        'i-1',
        'arn:aws:sts::111122223333:assumed-role/Responder/alice',
        AT,
        new Date(AT.getTime() + 3_600_000),
        [],
      );
      expect((await w.ledger.getIncident('i-1'))!.releaseIntegrity).toBe('verified');

      await rewrite(w.table, 'i-1', 'INCIDENT', 'exemptUntil', '2099-01-01T00:00:00.000Z');
      expect((await w.ledger.getIncident('i-1'))!.releaseIntegrity).toBe('failed');
    });
  });
}
