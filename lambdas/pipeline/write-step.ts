import type { AwsClients } from '../aws/aws-clients';
import { matchProtected } from '../kinds/protected-principals';
import type { AppliedStep } from '../ledger/ledger';
import type { AnyAction, Plan, Verification } from '../model/action';
import type { EarlierRecords, Journal, PreparedStep } from './journal';
import { errorSummary } from './settle';
import type { StepContext, StepResult, WriteTurn } from './step-context';

type WritePlan = Extract<Plan<unknown>, { kind: 'write' }>;

/** A planned write: refused when it touches a protected principal, only planned unless enforcing, else made. */
export async function writeStep(
  step: PreparedStep,
  plan: WritePlan,
  { pending, tentative }: EarlierRecords,
  turn: WriteTurn,
  context: StepContext,
): Promise<StepResult> {
  const { action } = step;
  const manual = plan.manualSteps && plan.manualSteps.length > 0 ? { manualSteps: plan.manualSteps } : {};
  // Every principal the write changes passes the same gate as the finding's subject, not only the subject.
  const protectedOne = matchProtected(plan.principals ?? [], context.protectedPrincipals);
  if (protectedOne) {
    const reason = `${protectedOne.arn} is a protected principal (pattern ${protectedOne.pattern}): Firebreak does not write to it`;
    const summary = `${plan.summary}: not done, ${reason}`;
    const manualSteps = [
      ...(plan.manualSteps ?? []),
      `${action.title}: ${reason}; decide by hand whether to cut this access`,
    ];
    return { status: 'skipped', summary, manualSteps };
  }
  const replaced = pending ? pending.replaced : plan.replaced;
  const record = { replaced, release: plan.release, ...manual };
  const { clients, now } = context;
  if (clients === undefined || context.mode !== 'enforce')
    return { status: 'planned', summary: plan.summary, ...record };
  const { summary, write } = plan;
  const intent = { index: step.index, action: action.id, summary, write, replaced, appliedAt: now().toISOString() };
  const made = { action, plan, intent, fresh: !pending && !tentative };
  const verification = await applyWrite(made, turn, clients, context.journal, now);
  return { status: 'done', summary: plan.summary, ...record, verification };
}

interface Write {
  readonly action: AnyAction;
  readonly plan: WritePlan;
  /** What the journal records before the write: the pre-state is the earliest known one. */
  readonly intent: AppliedStep;
  /** No earlier delivery left a record of this step: its write may take the lease's fast path. */
  readonly fresh: boolean;
}

/**
 * The write with its journal: the intent recorded before it (or on the lease already), the write, then its
 * confirmation and its read-back in one round trip. Without a journal (no ledger), only the write and the read-back.
 */
async function applyWrite(
  { action, plan, intent, fresh }: Write,
  { waitFor, wrote }: WriteTurn,
  clients: AwsClients,
  journal: Journal | undefined,
  now: () => Date,
): Promise<Verification> {
  // The lease already holds this intent when the real pre-state is the one planned before reading: write at once.
  const leased = journal?.leasedIntent(intent, plan.replaced, fresh);
  if (journal) await journal.beforeWrite(intent, leased, Promise.all(waitFor));
  else await Promise.all([Promise.all(waitFor)]);
  // The confirmation's time is when the write went out: its record (and MAC) can be made while the write is in flight.
  const appliedAt = leased?.appliedAt ?? now().toISOString();
  journal?.presignConfirmation({ ...intent, appliedAt }, leased);
  let written: unknown;
  try {
    written = (await action.apply(plan.write, clients)) ?? plan.write;
    wrote();
  } catch (error) {
    wrote();
    if (leased) await journal!.writeFailed(intent);
    throw error;
  }
  const confirmation = { ...intent, write: written, appliedAt };
  // Confirming in the ledger and reading back are independent: one round trip for both.
  const [confirmed, verification] = await Promise.all([
    journal?.confirm(confirmation),
    action.verify(written, clients).catch((error: unknown) => ({
      confirmed: false,
      detail: `could not read back: ${errorSummary(error).message}`,
    })),
  ]);
  if (confirmed && !confirmed.ok)
    await journal!.confirmAgain(confirmation, { ...intent, write: written }, leased !== undefined, confirmed.error);
  return verification;
}
