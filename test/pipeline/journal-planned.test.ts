import { Journal, leaseIntents } from '../../lambdas/pipeline/journal';
import { entry, fakeAction, fakeTarget, INCIDENT, journalLedger, PLAN_TIME, prepared, rejects } from './step-fakes';

const intents = (planned: ReturnType<typeof entry>[]) => ({ planned, presigned: new Map<string, Promise<void>>() });

describe('leaseIntents: only intents that could take the fast path go on the lease', () => {
  it('a plan whose pre-state is only described ("read from AWS at run time") puts no intent on the lease', () => {
    const log: string[] = [];
    const { ledger } = journalLedger(log);
    const described = fakeAction('a', log, {
      plan: () => ({
        kind: 'write',
        summary: 'Set a',
        write: { key: 'a', value: 'x' },
        replaced: 'read from AWS at run time',
        release: [],
      }),
    });
    const result = leaseIntents(prepared([described, fakeAction('b', log)]), fakeTarget(), PLAN_TIME, ledger, INCIDENT);
    expect(result.planned).toEqual([entry(1, 'b')]);
    expect(log).toEqual(['presignApplied 1#b']);
  });
});

describe('Journal.plannedWithoutRecord: whether the lease still carries an intent no record hides', () => {
  it('true while a planned step has no record of its own; false once each is recorded', async () => {
    const journal = new Journal(
      journalLedger([]).ledger,
      INCIDENT,
      'me',
      intents([entry(0, 'a'), entry(1, 'b')]),
      [],
      [],
    );
    expect(journal.plannedWithoutRecord).toBe(true);
    await journal.confirm(entry(0, 'a'));
    expect(journal.plannedWithoutRecord).toBe(true);
    await journal.beforeWrite(entry(1, 'b'), undefined, Promise.resolve());
    expect(journal.plannedWithoutRecord).toBe(false);
  });

  it('a record an earlier delivery left counts; a tentative intent or this run’s own planned one does not', () => {
    const planned = [entry(0, 'a'), entry(1, 'b'), entry(2, 'c')];
    const recorded = [
      entry(0, 'a'),
      entry(1, 'b', { unconfirmed: true, tentative: true }),
      entry(2, 'c', { unconfirmed: true, tentative: true, plannedBy: 'me' }),
    ];
    const journal = new Journal(journalLedger([]).ledger, INCIDENT, 'me', intents(planned), recorded, []);
    expect(journal.plannedWithoutRecord).toBe(true);
    const onlyFirst = new Journal(journalLedger([]).ledger, INCIDENT, 'me', intents([planned[0]!]), recorded, []);
    expect(onlyFirst.plannedWithoutRecord).toBe(false);
  });

  it('a record that failed to land does not count', async () => {
    const { ledger } = journalLedger([], { recordApplied: [rejects('ProvisionedThroughputExceeded')] });
    const journal = new Journal(ledger, INCIDENT, 'me', intents([entry(0, 'a')]), [], []);
    const confirmed = await journal.confirm(entry(0, 'a'));
    expect(confirmed.ok).toBe(false);
    expect(journal.plannedWithoutRecord).toBe(true);
  });
});
