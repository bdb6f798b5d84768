import type { StepOutcome } from '../../lambdas/model/outcome';
import { oneLine } from '../../lambdas/notify/sanitize';
import { STEP_WORDS } from '../../lambdas/notify/status-words';
import type { Sent } from '../../lambdas/pipeline/notify-recorder';
import type { LivePlan, LivePlanResponder, LivePlanRun } from './live-plan';
import { sentLines } from './simulate';

export const LIVE_PLAN_BANNER = 'LIVE PLAN — nothing was changed';

type Planned = Extract<LivePlan, { kind: 'planned' }>;

function replacedLine(value: unknown): string {
  return oneLine(JSON.stringify(value) ?? 'undefined', 2000);
}

function stepLines(step: StepOutcome, index: number): string[] {
  const lines = [`  ${index + 1}. [${STEP_WORDS[step.status]}] ${oneLine(step.summary, 600)}`];
  if (step.status === 'planned') {
    lines.push(`       would replace: ${replacedLine(step.replaced)}`);
    if (step.release && step.release.length > 0)
      lines.push('       undo:', ...step.release.map((command) => `         $ ${oneLine(command, 2000)}`));
    else lines.push('       undo: nothing to undo (evidence: tags or snapshots stay)');
  }
  if (step.status === 'recorded') lines.push(`       would record: ${replacedLine(step.replaced)}`);
  if (step.error) lines.push(`       error: ${oneLine(step.error.message, 1200)}`);
  for (const manual of step.manualSteps ?? []) lines.push(`       for a human: ${oneLine(manual, 600)}`);
  return lines;
}

/** The human form: per playbook, each step with what it would write, replace and how to undo; the message; the reads. */
export function renderLivePlanText(plan: Planned): string {
  const lines = [
    LIVE_PLAN_BANNER,
    'Every AWS call went through a read-only guard (Describe*, Get*, List* only) and each playbook ran as a dry run.',
    `Credentials: ${plan.caller.arn} (account ${plan.caller.account})`,
    '',
  ];
  for (const responder of plan.responders) lines.push(...responderLines(responder));
  lines.push(`READS MADE (${plan.reads.length})`, ...plan.reads.map((read) => `  ${read}`), '', LIVE_PLAN_BANNER);
  return lines.join('\n');
}

function responderLines(responder: LivePlanResponder): string[] {
  const { playbook, deployedMode, sent, quiet, error } = responder;
  if (sent.length === 0 && !error)
    return [`PLAYBOOK ${playbook.id} (deployed mode ${deployedMode}): would send nothing: ${quiet.join('; ')}`, ''];
  const lines: string[] = [];
  for (const entry of sent) {
    if (entry.kind === 'outcome')
      lines.push(...runLines({ playbook, deployedMode, outcome: entry.outcome, notification: entry.notification }));
    else if (entry.kind === 'message')
      lines.push(
        `MESSAGE from ${playbook.id}`,
        `Subject: ${entry.notification.subject}`,
        '',
        entry.notification.text,
        '',
      );
    else lines.push(...sentLines(entry).map((line) => `  ${line}`), '');
  }
  for (const reason of quiet) lines.push(`  Not sent (${playbook.id}): ${oneLine(reason, 600)}`);
  if (error) lines.push(`  Not fully handled (${playbook.id}): ${oneLine(error, 2000)}`);
  return lines;
}

function runLines(run: LivePlanRun): string[] {
  const { outcome } = run;
  const lines = [
    `PLAYBOOK ${run.playbook.id} (deployed mode ${run.deployedMode}; planned here as a dry run against the current state)`,
    `  Outcome: ${outcome.status}${outcome.reason ? ` - ${oneLine(outcome.reason, 600)}` : ''}`,
    ...(outcome.resourceArn ? [`  Resource: ${outcome.resourceArn}`] : []),
  ];
  if (outcome.steps.length === 0) lines.push('  No step would run.');
  outcome.steps.forEach((step, index) => lines.push(...stepLines(step, index)));
  if (run.deployedMode === 'dry-run')
    lines.push('  The deployed playbook is in dry-run mode: it would send this plan and write nothing.');
  const enforced = run.deployedMode === 'enforce' ? '; enforced, the steps above would be DONE' : '';
  lines.push(
    '',
    `NOTIFICATION (exactly as a dry run of ${run.playbook.id} would send it${enforced})`,
    `Subject: ${run.notification.subject}`,
    '',
    run.notification.text,
    '',
  );
  return lines;
}

/** The machine form: versioned, with each run's outcome (without the raw event) and the message as it would be sent. */
export function renderLivePlanJson(plan: Planned): string {
  return JSON.stringify(
    {
      schemaVersion: '1',
      kind: 'firebreak.live-plan',
      nothingChanged: true,
      caller: plan.caller,
      runs: plan.runs.map((run) => {
        const { raw: _raw, ...finding } = run.outcome.finding;
        return {
          playbook: run.playbook.id,
          deployedMode: run.deployedMode,
          outcome: { ...run.outcome, finding },
          notification: {
            subject: run.notification.subject,
            text: run.notification.text,
            attributes: run.notification.attributes,
          },
        };
      }),
      responders: plan.responders.map(({ playbook, deployedMode, sent, quiet, error }) => ({
        playbook: playbook.id,
        deployedMode,
        sent: sent.map(sentSummary),
        quiet,
        ...(error ? { error } : {}),
      })),
      reads: plan.reads,
    },
    null,
    2,
  );
}

/** What the JSON says of each thing a responder would send (a finding's message in full is in `runs`). */
function sentSummary(entry: Sent): Record<string, unknown> {
  if (entry.kind === 'outcome') return { kind: 'outcome', subject: entry.notification.subject };
  if (entry.kind === 'message')
    return { kind: 'message', subject: entry.notification.subject, text: entry.notification.text };
  if (entry.kind === 'chat') return { kind: 'chat' };
  return { kind: 'securityhub', id: entry.id };
}
