import type { StepContext } from '../../lambdas/pipeline/step-context';
import { writesAwaited } from '../../lambdas/pipeline/step-order';
import { runSteps } from '../../lambdas/pipeline/step-runner';
import { testClients } from '../support/settings';
import { fakeAction, fakeTarget, PLAN_TIME, prepared, type CallLog, type FakeActionSpec } from './step-fakes';

const evidence: FakeActionSpec = { containment: false };

const steps = (log: CallLog, specs: FakeActionSpec[], after?: string[][]) =>
  prepared(
    specs.map((spec, index) => fakeAction(String.fromCharCode(97 + index), log, spec)),
    after,
  );

function context(): StepContext {
  const { clients } = testClients();
  return {
    target: fakeTarget(),
    mode: 'enforce',
    clients,
    reader: clients,
    journal: undefined,
    planTime: PLAN_TIME,
    now: () => PLAN_TIME,
    protectedPrincipals: [],
  };
}

describe('writesAwaited: containment before evidence and tags', () => {
  it('an evidence or tag step waits for every containment step, before or after it; containment waits for none', () => {
    expect(writesAwaited(steps([], [{}, evidence, {}, evidence]))).toEqual([[], [0, 2], [], [0, 2]]);
  });

  it('a step a containment step names in `after` (directly or through another) is containment too', () => {
    // c (containment) after b, b after a: a and b go first; d (evidence) waits for c only.
    const order = writesAwaited(steps([], [evidence, evidence, {}, evidence], [[], ['a'], ['b'], []]));
    expect(order).toEqual([[], [0], [1], [2]]);
  });

  it('`after` still orders evidence among itself, and names no step twice', () => {
    expect(writesAwaited(steps([], [{}, evidence, evidence], [[], ['a'], ['b']]))).toEqual([[], [0], [1, 0]]);
  });
});

describe('runSteps: evidence and tag writes go out once the containment writes are answered', () => {
  it('holds an evidence write while a containment write is in flight', async () => {
    const log: CallLog = [];
    let release: () => void = () => undefined;
    const slowWrite = new Promise<void>((done) => (release = done));
    const running = runSteps(steps(log, [evidence, { apply: () => slowWrite }, {}]), context());
    await new Promise((done) => setImmediate(done));
    expect(log).toContain('apply b');
    expect(log).toContain('apply c');
    expect(log).not.toContain('apply a');
    release();
    const outcome = await running;
    expect(outcome.steps.map((step) => step.status)).toEqual(['done', 'done', 'done']);
    expect(log.indexOf('apply a')).toBeGreaterThan(log.indexOf('apply b'));
  });

  it('a containment write that fails releases the evidence writes all the same', async () => {
    const log: CallLog = [];
    const outcome = await runSteps(
      steps(log, [{ apply: () => Promise.reject(new Error('AccessDenied')) }, evidence]),
      context(),
    );
    expect(outcome.steps.map((step) => step.status)).toEqual(['failed', 'done']);
    expect(log.indexOf('apply b')).toBeGreaterThan(log.indexOf('apply a'));
  });
});
