import { Journal, LedgerUnavailableError, leaseIntents } from '../../lambdas/pipeline/journal';
import {
  entry,
  fakeAction,
  fakeTarget,
  INCIDENT,
  journalLedger,
  PLAN_TIME,
  prepared,
  rejects,
  type CallLog,
} from './step-fakes';

const intents = (planned: ReturnType<typeof entry>[], presigned: Record<string, Promise<void>> = {}) => ({
  planned,
  presigned: new Map(Object.entries(presigned)),
});

describe('leaseIntents: what the lease carries before anything is read', () => {
  it("plans each write on the finding's own view and signs its confirmation in the same round trip", async () => {
    const log: CallLog = [];
    const { ledger, steps } = journalLedger(log);
    const noop = fakeAction('b', log, { plan: () => ({ kind: 'no-op', summary: 'nothing to do' }) });
    const result = leaseIntents(prepared([fakeAction('a', log), noop]), fakeTarget(), PLAN_TIME, ledger, INCIDENT);
    expect(result.planned).toEqual([entry(0, 'a')]);
    expect(log).toEqual(['presignApplied 0#a']);
    expect(steps[0]!.step).toEqual(entry(0, 'a'));
    expect([...result.presigned.keys()]).toEqual(['0#a']);
    await expect(result.presigned.get('0#a')).resolves.toBeUndefined();
  });

  it('plans nothing for a step whose plan throws, and signs nothing without a ledger', () => {
    const log: CallLog = [];
    const broken = fakeAction('a', log, {
      plan: () => {
        throw new Error('cannot plan on assumed state');
      },
    });
    const result = leaseIntents(prepared([broken, fakeAction('b', log)]), fakeTarget(), PLAN_TIME, undefined, INCIDENT);
    expect(result.planned).toEqual([entry(1, 'b')]);
    expect(result.presigned.size).toBe(0);
    expect(log).toEqual([]);
  });

  it('a failed signature is kept for the write to see, never an unhandled rejection', async () => {
    const log: CallLog = [];
    const { ledger } = journalLedger(log, { presignApplied: [rejects('KMS unavailable')] });
    const result = leaseIntents(prepared([fakeAction('a', log)]), fakeTarget(), PLAN_TIME, ledger, INCIDENT);
    await expect(result.presigned.get('0#a')).rejects.toThrow('KMS unavailable');
  });
});

describe('Journal.earlierRecords: what earlier deliveries left for a step', () => {
  const journalOf = (recorded: ReturnType<typeof entry>[], takenOver: ReturnType<typeof entry>[] = []) =>
    new Journal(journalLedger([]).ledger, INCIDENT, 'me', intents([]), recorded, takenOver);

  it('an applied, unreleased record means done; a released one does not', () => {
    expect(journalOf([entry(0, 'a')]).earlierRecords(0, 'a')).toEqual({ applied: entry(0, 'a') });
    expect(journalOf([entry(0, 'a', { releasedAt: '2026-11-21T09:00:00.000Z' })]).earlierRecords(0, 'a')).toEqual({});
    expect(journalOf([entry(0, 'a')]).earlierRecords(1, 'a')).toEqual({});
  });

  it('an unconfirmed record is pending; a crashed holder’s planned intent is only tentative', () => {
    const pending = entry(0, 'a', { unconfirmed: true });
    const tentative = entry(1, 'b', { unconfirmed: true, tentative: true });
    const journal = journalOf([pending], [tentative]);
    expect(journal.earlierRecords(0, 'a')).toEqual({ pending });
    expect(journal.earlierRecords(1, 'b')).toEqual({ tentative });
  });

  it("ignores this run's own planned intents and a taken-over intent the incident already records", () => {
    const own = entry(0, 'a', { unconfirmed: true, tentative: true, plannedBy: 'me' });
    const recorded = entry(1, 'b', { unconfirmed: true });
    const journal = journalOf([own, recorded], [entry(1, 'b', { tentative: true, unconfirmed: true })]);
    expect(journal.earlierRecords(0, 'a')).toEqual({});
    expect(journal.earlierRecords(1, 'b')).toEqual({ pending: recorded });
  });
});

describe('Journal: the write-ahead records of one write', () => {
  const planned = entry(0, 'a');

  it('takes the fast path only for a fresh step whose real pre-state is the planned one', () => {
    const journal = new Journal(journalLedger([]).ledger, INCIDENT, 'me', intents([planned]), [], []);
    const intent = entry(0, 'a', { appliedAt: '2026-11-21T08:00:01.000Z' });
    expect(journal.leasedIntent(intent, { value: 'open' }, true)).toBe(planned);
    expect(journal.leasedIntent(intent, { value: 'changed' }, true)).toBeUndefined();
    expect(journal.leasedIntent(intent, { value: 'open' }, false)).toBeUndefined();
    expect(journal.leasedIntent(entry(1, 'a'), { value: 'open' }, true)).toBeUndefined();
  });

  it('off the lease, the intent is recorded before the write, alongside what the write waits for', async () => {
    const log: CallLog = [];
    const { ledger } = journalLedger(log);
    const journal = new Journal(ledger, INCIDENT, 'me', intents([]), [], []);
    let turn: () => void = () => undefined;
    const waiting = journal.beforeWrite(entry(0, 'a'), undefined, new Promise<void>((done) => (turn = done)));
    await Promise.resolve();
    expect(log).toEqual(['recordIntent 0#a']);
    let cleared = false;
    void waiting.then(() => (cleared = true));
    await new Promise((done) => setImmediate(done));
    expect(cleared).toBe(false);
    turn();
    await waiting;
  });

  it('a failed intent record stops the write with its error', async () => {
    const { ledger } = journalLedger([], { recordIntent: [rejects('throttled')] });
    const journal = new Journal(ledger, INCIDENT, 'me', intents([]), [], []);
    await expect(journal.beforeWrite(entry(0, 'a'), undefined, Promise.resolve())).rejects.toThrow('throttled');
  });

  it('on the lease, nothing is recorded: the write waits for its presigned confirmation', async () => {
    const log: CallLog = [];
    const { ledger } = journalLedger(log);
    const journal = new Journal(ledger, INCIDENT, 'me', intents([planned], { '0#a': Promise.resolve() }), [], []);
    await journal.beforeWrite(entry(0, 'a'), planned, Promise.resolve());
    expect(log).toEqual([]);
  });

  it('a confirmation that could not be signed stops the write (fail closed): LedgerUnavailableError', async () => {
    const signing = Promise.reject(new Error('KMS key disabled'));
    signing.catch(() => undefined);
    const journal = new Journal(
      journalLedger([]).ledger,
      INCIDENT,
      'me',
      intents([planned], { '0#a': signing }),
      [],
      [],
    );
    const refused = journal.beforeWrite(entry(0, 'a'), planned, Promise.resolve());
    await expect(refused).rejects.toThrow(LedgerUnavailableError);
    await expect(refused).rejects.toThrow(
      'the ledger record of this write could not be signed, so nothing was written: KMS key disabled',
    );
  });

  it('a failed write on the lease records its intent; if that fails too, the lease must be kept', async () => {
    const log: CallLog = [];
    const { ledger } = journalLedger(log, { recordIntent: [() => Promise.resolve(), rejects('throttled')] });
    const journal = new Journal(ledger, INCIDENT, 'me', intents([planned]), [], []);
    await journal.writeFailed(entry(0, 'a'));
    expect(journal.unrecorded).toBe(false);
    await journal.writeFailed(entry(0, 'a'));
    expect(journal.unrecorded).toBe(true);
    expect(log).toEqual(['recordIntent 0#a', 'recordIntent 0#a']);
  });

  it('a confirmation that failed is tried once more; when that lands, nothing else is written', async () => {
    const log: CallLog = [];
    const { ledger } = journalLedger(log, { recordApplied: [rejects('first')] });
    const journal = new Journal(ledger, INCIDENT, 'me', intents([]), [], []);
    const confirmation = entry(0, 'a');
    const first = await journal.confirm(confirmation);
    expect(first.ok).toBe(false);
    await journal.confirmAgain(confirmation, entry(0, 'a'), false, new Error('first'));
    expect(log).toEqual(['recordApplied 0#a', 'recordApplied 0#a']);
  });

  it('when the second confirmation fails too, an intent names the write and the first error is thrown', async () => {
    const log: CallLog = [];
    const { ledger, steps } = journalLedger(log, {
      recordApplied: [rejects('again')],
      recordIntent: [rejects('and again')],
    });
    const journal = new Journal(ledger, INCIDENT, 'me', intents([planned]), [], []);
    const named = entry(0, 'a', { write: { key: 'a', value: 'as written' } });
    const first = new Error('first');
    await expect(journal.confirmAgain(entry(0, 'a'), named, true, first)).rejects.toBe(first);
    expect(log).toEqual(['recordApplied 0#a', 'recordIntent 0#a']);
    expect(steps[1]!.step).toBe(named);
    expect(journal.unrecorded).toBe(true);
  });
});
