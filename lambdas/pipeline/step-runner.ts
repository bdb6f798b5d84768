import { ACTIONS } from '../actions/registry';
import type { AwsClients } from '../aws/aws-clients';
import { describeSubject } from '../kinds/describe-subject';
import type { Plan, Target } from '../model/action';
import type { StepOutcome } from '../model/outcome';
import type { EarlierRecords, PreparedStep } from './journal';
import type { StepContext, StepHead, StepResult, WriteTurn } from './step-context';
import type { ResponderSettings } from './responder-settings';
import { errorSummary, settle, type Settled } from './settle';
import { writesAwaited } from './step-order';
import { writeStep } from './write-step';

type StateRead = Promise<Settled<unknown> | undefined>;

export function prepareSteps(settings: ResponderSettings): PreparedStep[] {
  return settings.playbook.steps.map((step, index) => {
    const action = ACTIONS.get(step.action);
    if (!action)
      throw new Error(
        `Playbook ${settings.playbook.id} names unknown action ${step.action}; validation should have caught it`,
      );
    return { index, action, params: action.params.parse(step.with ?? {}), after: step.after ?? [] };
  });
}

/** Reads on the finding's own view of the resource, before it is resolved: the steps reuse those that still apply. */
export function startEarlyReads(steps: readonly PreparedStep[], assumed: Target, reader: AwsClients): void {
  for (const step of steps)
    if (step.action.appliesTo(assumed.finding.subject))
      void settle(Promise.resolve().then(() => step.action.describe(assumed, step.params, reader)));
}

/**
 * Every step, concurrently: each writes after the reads of the steps before it (so a recording step sees the state
 * before any write), after the writes of the steps it names in `after`, and, for an evidence or tag step, after every
 * containment step's writes (step-order.ts); never after their confirmation and read-back. `containedAt`: when the
 * last containment write was confirmed in place.
 */
export async function runSteps(
  steps: readonly PreparedStep[],
  context: StepContext,
): Promise<{ steps: StepOutcome[]; containedAt: Date | undefined }> {
  let containedAt: Date | undefined;
  const reads = steps.map((step) => readState(step, context));
  const written = steps.map(() => deferred());
  const awaited = writesAwaited(steps);
  const running = steps.map((step) => {
    const waitFor = [...reads.slice(0, step.index), ...awaited[step.index]!.map((index) => written[index]!.promise)];
    return runStep(step, reads[step.index]!, waitFor, written[step.index]!.resolve, context).then((outcome) => {
      written[step.index]!.resolve();
      if (outcome.status === 'done' && step.action.containment) containedAt = context.now();
      return outcome;
    });
  });
  return { steps: await Promise.all(running), containedAt };
}

/** The step's describe on the resolved resource (reusing the early reads), or simulate's assumption. */
function readState(step: PreparedStep, context: StepContext): StateRead {
  const { target, reader } = context;
  if (!step.action.appliesTo(target.finding.subject)) return Promise.resolve(undefined);
  return settle(
    Promise.resolve().then(() =>
      reader ? step.action.describe(target, step.params, reader) : (step.action.assume(target, step.params) as unknown),
    ),
  );
}

/** describe (read, started by runSteps) -> plan (pure) -> apply (write; not in dry-run) -> verify (read back). */
async function runStep(
  step: PreparedStep,
  stateRead: StateRead,
  waitFor: readonly Promise<unknown>[],
  wrote: () => void,
  context: StepContext,
): Promise<StepOutcome> {
  const { action } = step;
  const { target } = context;
  const started = Date.now();
  const head: StepHead = { action: action.id, title: action.title, containment: action.containment };
  const outcome = (result: StepResult): StepOutcome => ({ ...head, ...result, durationMs: Date.now() - started });
  if (!action.appliesTo(target.finding.subject)) {
    const summary = `${action.title}: not applicable to ${describeSubject(target.finding.subject)}`;
    return { ...head, status: 'not-applicable', summary, durationMs: 0 };
  }
  const earlier = context.journal?.earlierRecords(step.index, action.id) ?? {};
  const { applied, pending } = earlier;
  if (applied) {
    const summary = `Already applied by an earlier delivery at ${applied.appliedAt}: ${applied.summary}`;
    return outcome({ status: 'no-op', summary, replaced: applied.replaced });
  }
  let plan: Plan<unknown> | undefined;
  try {
    const read = (await stateRead)!;
    if (!read.ok) throw read.error;
    plan = action.plan(target, read.value, step.params, context.planTime) as Plan<unknown>;
    return outcome(await actOnPlan(step, plan, earlier, { waitFor, wrote }, context));
  } catch (error) {
    // A failed write may or may not have taken: keep what it would have replaced, so a human can check and undo.
    const kept =
      plan?.kind === 'write' ? { replaced: pending ? pending.replaced : plan.replaced, release: plan.release } : {};
    return outcome({ status: 'failed', summary: plan?.summary ?? action.title, error: errorSummary(error), ...kept });
  }
}

/** What the plan says to do, given what earlier deliveries left: record, confirm, nothing, or the write. */
async function actOnPlan(
  step: PreparedStep,
  plan: Plan<unknown>,
  earlier: EarlierRecords,
  turn: WriteTurn,
  context: StepContext,
): Promise<StepResult> {
  const { journal } = context;
  const { pending, tentative } = earlier;
  const manual = plan.manualSteps && plan.manualSteps.length > 0 ? { manualSteps: plan.manualSteps } : {};
  if (plan.kind === 'record') {
    if (journal) {
      const entry = { index: step.index, action: step.action.id, summary: plan.summary, write: null };
      await journal.recordRead({ ...entry, replaced: plan.recorded, appliedAt: context.now().toISOString() });
    }
    return { status: 'recorded', summary: plan.summary, replaced: plan.recorded, ...manual };
  }
  if (plan.kind === 'no-op' && pending) {
    await journal!.confirmPending(pending);
    const summary = `Applied by an earlier delivery, confirmed now: ${pending.summary}`;
    return { status: 'no-op', summary, replaced: pending.replaced, ...manual };
  }
  if (plan.kind === 'no-op' && tentative) {
    await journal!.keepUnconfirmed(tentative);
    const summary = `${plan.summary}. An earlier delivery planned this write and never confirmed it: release leaves it to a human`;
    return { status: 'no-op', summary, ...manual };
  }
  if (plan.kind !== 'write')
    return { status: plan.kind === 'no-op' ? 'no-op' : 'skipped', summary: plan.summary, ...manual };
  return writeStep(step, plan, earlier, turn, context);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
