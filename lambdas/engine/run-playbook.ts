import type { AwsClients } from '../aws/aws-clients';
import { describeSubject, type Finding } from '../findings/finding';
import type { AnyAction, Plan, Target } from './action';
import { ACTIONS } from './action-registry';
import { gateFinding, gateResolved } from './gate';
import { followUpSteps } from './manual-steps';
import { overallStatus, type Outcome, type OutcomeStatus, type StepOutcome } from './outcome';
import type { Resource } from './resource';
import { assumeResource, resolveResource } from './resolve-resource';
import type { ResponderSettings } from './responder-settings';

export interface RunOptions {
  readonly settings: ResponderSettings;
  /** Absent for `simulate`: state is assumed from the finding, nothing is read or written. */
  readonly clients?: AwsClients;
  readonly receivedAt: Date;
  readonly now?: () => Date;
}

const URGENT: ReadonlySet<OutcomeStatus> = new Set(['partially-contained', 'not-contained', 'manual-action-required']);

/**
 * Gate, resolve, then for each step: describe (read) -> plan (pure) -> apply (write; not in dry-run) -> verify.
 * A failing step is recorded and the next steps still run: each step contains on its own, and a partial
 * containment beats none. Never throws for an AWS error; the outcome says what happened, step by step.
 */
export async function runPlaybook(finding: Finding, options: RunOptions): Promise<Outcome> {
  const { settings, clients } = options;
  const now = options.now ?? (() => new Date());
  const base = {
    finding,
    playbook: { id: settings.playbook.id, mode: settings.playbook.mode },
    simulated: clients === undefined,
    receivedAt: options.receivedAt,
    now,
  };

  const gateReason = gateFinding(finding, settings);
  if (gateReason) return finish(base, { status: 'skipped', reason: gateReason, steps: [] });

  let resource: Resource;
  if (clients) {
    try {
      const resolution = await resolveResource(finding, clients);
      if (resolution.kind === 'mismatch') {
        return finish(base, { status: 'skipped', reason: resolution.reason, steps: [], manualSteps: followUpSteps(finding) });
      }
      resource = resolution.resource;
    } catch (error) {
      const failure: StepOutcome = {
        action: 'resolve-resource',
        title: 'Read the resource the finding names',
        containment: true,
        status: 'failed',
        summary: 'Could not read the resource the finding names, so nothing was changed',
        error: errorSummary(error),
        durationMs: 0,
      };
      return finish(base, { status: 'not-contained', steps: [failure], manualSteps: followUpSteps(finding) });
    }
  } else {
    resource = assumeResource(finding);
  }

  const resolvedArn = resource.kind === 'unresolved' ? undefined : resource.arn;
  const resolvedReason = gateResolved(resolvedArn, resource.kind === 'unresolved' ? {} : resource.tags, settings);
  if (resolvedReason) return finish(base, { status: 'skipped', reason: resolvedReason, steps: [], resourceArn: resolvedArn });

  const target: Target = { finding, resource };
  const steps: StepOutcome[] = [];
  let containedAt: Date | undefined;
  for (const step of settings.playbook.steps) {
    const action = ACTIONS.get(step.action);
    if (!action) throw new Error(`Playbook ${settings.playbook.id} names unknown action ${step.action}; validation should have caught it`);
    const outcome = await runStep(action, action.params.parse(step.with ?? {}), target, settings, clients, now);
    if (outcome.status === 'done' && action.containment) containedAt = now();
    steps.push(outcome);
  }

  const status = overallStatus(steps);
  return finish(base, {
    status,
    steps,
    resourceArn: resolvedArn,
    ...(status === 'manual-action-required' ? { reason: manualReason(finding) } : {}),
    manualSteps: [...steps.flatMap((step) => step.manualSteps ?? []), ...followUpSteps(finding)],
    ...(containedAt ? { containedAt } : {}),
  });
}

async function runStep(
  action: AnyAction,
  params: unknown,
  target: Target,
  settings: ResponderSettings,
  clients: AwsClients | undefined,
  now: () => Date,
): Promise<StepOutcome> {
  const started = Date.now();
  const head = { action: action.id, title: action.title, containment: action.containment };
  if (!action.appliesTo(target.finding.subject)) {
    return { ...head, status: 'not-applicable', summary: `${action.title}: not applicable to ${describeSubject(target.finding.subject)}`, durationMs: 0 };
  }
  let plan: Plan<unknown> | undefined;
  try {
    const state = clients ? await action.describe(target, params, clients) : action.assume(target, params);
    plan = action.plan(target, state, params, now()) as Plan<unknown>;
    const manual = plan.manualSteps && plan.manualSteps.length > 0 ? { manualSteps: plan.manualSteps } : {};
    if (plan.kind === 'no-op') return { ...head, status: 'no-op', summary: plan.summary, ...manual, durationMs: Date.now() - started };
    if (plan.kind === 'skip') return { ...head, status: 'skipped', summary: plan.summary, ...manual, durationMs: Date.now() - started };
    if (plan.kind === 'record') {
      return { ...head, status: 'recorded', summary: plan.summary, replaced: plan.recorded, ...manual, durationMs: Date.now() - started };
    }
    const record = { replaced: plan.replaced, release: plan.release, ...manual };
    if (!clients || settings.playbook.mode === 'dry-run') {
      return { ...head, status: 'planned', summary: plan.summary, ...record, durationMs: Date.now() - started };
    }
    const applied = (await action.apply(plan.write, clients)) ?? plan.write;
    const verification = await action.verify(applied, clients).catch((error: unknown) => ({
      confirmed: false,
      detail: `could not read back: ${errorSummary(error).message}`,
    }));
    return { ...head, status: 'done', summary: plan.summary, ...record, verification, durationMs: Date.now() - started };
  } catch (error) {
    return {
      ...head,
      status: 'failed',
      summary: plan?.summary ?? action.title,
      error: errorSummary(error),
      // A failed write may or may not have taken: keep what it would have replaced, so a human can check and undo.
      ...(plan?.kind === 'write' ? { replaced: plan.replaced, release: plan.release } : {}),
      durationMs: Date.now() - started,
    };
  }
}

function manualReason(finding: Finding): string {
  const { subject } = finding;
  if (subject.kind === 'root') return 'the root user cannot be restricted by IAM policies: Firebreak does not act on it';
  if (subject.kind === 'federated-user') return 'a federated user session is contained through the IAM user that issued it, which the finding does not name';
  if (subject.kind === 'unsupported') return subject.reason;
  return 'no step of this playbook could contain this principal';
}

function errorSummary(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

interface Finish {
  readonly status: OutcomeStatus;
  readonly steps: readonly StepOutcome[];
  readonly reason?: string;
  readonly resourceArn?: string | undefined;
  readonly manualSteps?: readonly string[];
  readonly containedAt?: Date;
}

function finish(
  base: { finding: Finding; playbook: Outcome['playbook']; simulated: boolean; receivedAt: Date; now: () => Date },
  result: Finish,
): Outcome {
  const urgent =
    !base.finding.sample &&
    (URGENT.has(result.status) || result.steps.some((step) => step.status === 'failed') || base.finding.subject.kind === 'root');
  return {
    status: result.status,
    urgent,
    finding: base.finding,
    playbook: base.playbook,
    simulated: base.simulated,
    ...(result.resourceArn ? { resourceArn: result.resourceArn } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
    steps: result.steps,
    manualSteps: [...new Set(result.manualSteps ?? [])],
    // Undo in reverse order of the writes; for a dry run, what would undo the planned writes.
    release: [...result.steps].reverse().flatMap((step) => (step.status === 'done' || step.status === 'planned' ? (step.release ?? []) : [])),
    timings: {
      receivedAt: base.receivedAt.toISOString(),
      ...(result.containedAt ? { containedAt: result.containedAt.toISOString() } : {}),
      finishedAt: base.now().toISOString(),
    },
  };
}
