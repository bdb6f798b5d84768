import type { AppliedStep } from '../../lambdas/ledger/ledger';
import type { PlaybookMode } from '../../lambdas/model/playbook';
import { Journal } from '../../lambdas/pipeline/journal';
import type { StepContext } from '../../lambdas/pipeline/step-context';
import { runSteps } from '../../lambdas/pipeline/step-runner';
import { testClients } from '../support/settings';
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
  type FakeActionSpec,
  type JournalCall,
} from './step-fakes';

const NOW = new Date('2026-11-21T08:00:05.000Z');

interface Setup {
  readonly mode?: PlaybookMode;
  readonly simulate?: boolean;
  /** Record the steps in a ledger, with these intents on the lease (and their presigned confirmations). */
  readonly journal?: {
    planned?: AppliedStep[];
    earlier?: AppliedStep[];
    answers?: Partial<Record<JournalCall, (() => Promise<void>)[]>>;
  };
  readonly protectedPrincipals?: string[];
}

function context(log: CallLog, setup: Setup = {}): StepContext {
  const clients = setup.simulate ? undefined : testClients().clients;
  const journal = setup.journal
    ? new Journal(
        journalLedger(log, setup.journal.answers).ledger,
        INCIDENT,
        'me',
        {
          planned: setup.journal.planned ?? [],
          presigned: new Map(
            (setup.journal.planned ?? []).map((step) => [`${step.index}#${step.action}`, Promise.resolve()]),
          ),
        },
        setup.journal.earlier ?? [],
        [],
      )
    : undefined;
  return {
    target: fakeTarget(),
    mode: setup.mode ?? 'enforce',
    clients,
    reader: clients,
    journal,
    planTime: PLAN_TIME,
    now: () => NOW,
    protectedPrincipals: setup.protectedPrincipals ?? [],
  };
}

const run = (log: CallLog, specs: FakeActionSpec[], setup?: Setup, after?: string[][]) =>
  runSteps(
    prepared(
      specs.map((spec, index) => fakeAction(String.fromCharCode(97 + index), log, spec)),
      after,
    ),
    context(log, setup),
  );

describe('runSteps: describe -> plan -> apply -> verify per step', () => {
  it('enforcing: each write is made and read back; containedAt is when the last containment write was in place', async () => {
    const log: CallLog = [];
    const { steps, containedAt } = await run(log, [{}, { containment: false }]);
    expect(steps.map((step) => [step.action, step.status, step.summary])).toEqual([
      ['a', 'done', 'Set a'],
      ['b', 'done', 'Set b'],
    ]);
    expect(steps[0]).toMatchObject({
      replaced: { value: 'open' },
      release: ['undo a'],
      verification: { confirmed: true, detail: 'a is contained' },
    });
    expect(containedAt).toEqual(NOW);
    expect(log.filter((call) => call.startsWith('apply'))).toEqual(['apply a', 'apply b']);
  });

  it('dry-run and simulate: planned with its release, nothing applied', async () => {
    for (const setup of [{ mode: 'dry-run' as const }, { simulate: true }]) {
      const log: CallLog = [];
      const { steps, containedAt } = await run(log, [{}], setup);
      expect(steps[0]).toMatchObject({ status: 'planned', replaced: { value: 'open' }, release: ['undo a'] });
      expect(log.filter((call) => !call.startsWith('describe'))).toEqual([]);
      expect(containedAt).toBeUndefined();
    }
  });

  it('every write waits for the reads of the steps before it, and for the writes it names in `after`', async () => {
    const log: CallLog = [];
    let release: () => void = () => undefined;
    const slowWrite = new Promise<void>((done) => (release = done));
    const running = run(log, [{ apply: () => slowWrite }, {}, {}], {}, [[], [], ['a']]);
    await new Promise((done) => setImmediate(done));
    // b wrote after a's and its own read; c waits for a's write, which is still in flight.
    expect(log).toContain('apply b');
    expect(log).not.toContain('apply c');
    expect(log.indexOf('describe a')).toBeLessThan(log.indexOf('apply b'));
    release();
    const { steps } = await running;
    expect(steps.map((step) => step.status)).toEqual(['done', 'done', 'done']);
    expect(log.indexOf('apply a')).toBeLessThan(log.indexOf('apply c'));
  });

  it('a failed read or write fails its step only: a write keeps what it would have replaced, the others still run', async () => {
    const log: CallLog = [];
    const { steps } = await run(log, [
      { state: () => Promise.reject(new Error('AccessDenied')) },
      { apply: () => Promise.reject(new Error('Throttling')) },
      {},
    ]);
    expect(steps[0]).toMatchObject({
      status: 'failed',
      summary: 'Fake a',
      error: { name: 'Error', message: 'AccessDenied' },
    });
    expect(steps[0]).not.toHaveProperty('replaced');
    expect(steps[1]).toMatchObject({
      status: 'failed',
      summary: 'Set b',
      replaced: { value: 'open' },
      release: ['undo b'],
    });
    expect(steps[2]!.status).toBe('done');
    expect(log).not.toContain('verify b');
  });

  it('a write to a protected principal is skipped with its manual step, and not made', async () => {
    const log: CallLog = [];
    const plan = (state: unknown) => ({
      kind: 'write' as const,
      summary: 'Detach the role',
      write: { key: 'a', value: String(state) },
      replaced: {},
      release: [],
      principals: ['arn:aws:iam::111122223333:role/BreakGlassAdmin'],
    });
    const { steps } = await run(log, [{ plan }], { protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*'] });
    expect(steps[0]).toMatchObject({
      status: 'skipped',
      summary:
        'Detach the role: not done, arn:aws:iam::111122223333:role/BreakGlassAdmin is a protected principal ' +
        '(pattern arn:aws:iam::*:role/BreakGlass*): Firebreak does not write to it',
    });
    expect(steps[0]!.manualSteps).toHaveLength(1);
    expect(log).not.toContain('apply a');
  });

  it('no-op, skip and record plans write nothing; a record is journaled as read', async () => {
    const log: CallLog = [];
    const { steps } = await run(
      log,
      [
        { plan: () => ({ kind: 'no-op', summary: 'already closed' }) },
        { plan: () => ({ kind: 'skip', summary: 'cannot', manualSteps: ['do it by hand'] }) },
        { plan: (state) => ({ kind: 'record', summary: 'kept the state', recorded: { state } }) },
      ],
      { journal: {} },
    );
    expect(steps.map((step) => step.status)).toEqual(['no-op', 'skipped', 'recorded']);
    expect(steps[1]!.manualSteps).toEqual(['do it by hand']);
    expect(steps[2]!.replaced).toEqual({ state: 'open' });
    expect(log.filter((call) => !call.startsWith('describe'))).toEqual(['recordApplied 2#c']);
  });
});

describe('runSteps with the journal', () => {
  it("on the lease's intent (the fast path): written at once and confirmed with the lease's time", async () => {
    const log: CallLog = [];
    const { steps } = await run(log, [{}], { journal: { planned: [entry(0, 'a')] } });
    expect(steps[0]!.status).toBe('done');
    expect(log).toEqual(['describe a', 'apply a', 'recordApplied 0#a', 'verify a']);
  });

  it('off the lease (another pre-state): the intent is recorded first, the confirmation presigned during the write', async () => {
    const log: CallLog = [];
    const { steps } = await run(log, [{ state: () => 'half-open' }], { journal: { planned: [entry(0, 'a')] } });
    expect(steps[0]).toMatchObject({ status: 'done', replaced: { value: 'half-open' } });
    expect(log).toEqual([
      'describe a',
      'recordIntent 0#a',
      'presignApplied 0#a',
      'apply a',
      'recordApplied 0#a',
      'verify a',
    ]);
  });

  it('a failed intent record means no write', async () => {
    const log: CallLog = [];
    const { steps } = await run(log, [{}], {
      journal: { answers: { recordIntent: [rejects('ConditionalCheckFailed')] } },
    });
    expect(steps[0]).toMatchObject({ status: 'failed', error: { message: 'ConditionalCheckFailed' } });
    expect(log).not.toContain('apply a');
  });

  it('an earlier delivery’s applied step is not redone; its unconfirmed write found in place is confirmed', async () => {
    const log: CallLog = [];
    const applied = entry(0, 'a', { summary: 'Set a (earlier)' });
    const pending = entry(1, 'b', { unconfirmed: true, replaced: { value: 'as first found' } });
    const noop = { plan: () => ({ kind: 'no-op' as const, summary: 'already set' }) };
    const { steps } = await run(log, [{}, noop], { journal: { earlier: [applied, pending] } });
    expect(steps[0]).toMatchObject({
      status: 'no-op',
      summary: `Already applied by an earlier delivery at ${applied.appliedAt}: Set a (earlier)`,
    });
    expect(steps[1]).toMatchObject({
      status: 'no-op',
      summary: 'Applied by an earlier delivery, confirmed now: Set b',
      replaced: { value: 'as first found' },
    });
    // Every step's read starts with the run's reads; the applied step's read is never planned on.
    expect(log).toEqual(['describe a', 'describe b', 'recordApplied 1#b']);
  });

  it('a pending write that is not in place yet is made with the pre-state first recorded', async () => {
    const log: CallLog = [];
    const pending = entry(0, 'a', { unconfirmed: true, replaced: { value: 'as first found' } });
    const { steps } = await run(log, [{ state: () => 'half-contained' }], { journal: { earlier: [pending] } });
    expect(steps[0]).toMatchObject({ status: 'done', replaced: { value: 'as first found' } });
    expect(log).toEqual([
      'describe a',
      'recordIntent 0#a',
      'presignApplied 0#a',
      'apply a',
      'recordApplied 0#a',
      'verify a',
    ]);
  });
});
