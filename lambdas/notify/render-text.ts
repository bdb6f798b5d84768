import type { Outcome, StepOutcome } from '../engine/outcome';
import { describeSubject, type Finding } from '../findings/finding';
import { oneLine } from './sanitize';
import { STEP_WORDS, outcomeWord } from './status-words';

const RULE = '-'.repeat(72);

function headline(outcome: Outcome): string {
  return oneLine(headlineText(outcome), 600);
}

function headlineText(outcome: Outcome): string {
  const who = describeSubject(outcome.finding.subject);
  const prefix = outcome.simulated ? `SIMULATION of mode ${outcome.playbook.mode} (AWS state assumed, nothing read or written): ` : '';
  switch (outcome.status) {
    case 'contained':
      return `${prefix}Firebreak contained ${who}.`;
    case 'already-contained':
      return `${prefix}${who} was already contained; Firebreak changed nothing.`;
    case 'partially-contained':
      return `${prefix}Firebreak only PARTLY contained ${who}: some steps failed. Act now.`;
    case 'not-contained':
      return `${prefix}Firebreak could NOT contain ${who}. Act now.`;
    case 'dry-run':
      return outcome.simulated
        ? `${prefix}Firebreak would ${outcome.playbook.mode === 'enforce' ? 'contain' : 'plan (dry-run) the containment of'} ${who}.`
        : `${prefix}Dry run: Firebreak would contain ${who}; nothing was changed.`;
    case 'skipped':
      return `${prefix}Firebreak took no action: ${outcome.reason ?? 'the finding was gated'}.`;
    case 'duplicate':
      return `${prefix}Another delivery of this finding is containing ${who} right now; it sends the message.`;
    case 'awaiting-approval':
      return `${prefix}Firebreak plans to contain ${who} and waits for a human to approve or deny the plan below; nothing was changed yet.`;
    case 'manual-action-required':
      return `${prefix}Firebreak cannot contain ${who} automatically (${outcome.reason ?? 'no step applies'}). A human must act now.`;
  }
}

function field(label: string, value: string | number | undefined): string[] {
  if (value === undefined || value === '') return [];
  return [`  ${label.padEnd(13)}${oneLine(String(value))}`];
}

function detected(finding: Finding, resourceArn: string | undefined): string[] {
  const { subject, activity } = finding;
  const key = 'accessKeyId' in subject ? subject.accessKeyId : undefined;
  const source = activity.sourceIp
    ? [activity.sourceIp, activity.sourceCountry, activity.sourceOrganization].filter(Boolean).join(', ')
    : undefined;
  const api = activity.api ? `${activity.serviceName ? `${activity.serviceName} ` : ''}${activity.api}` : undefined;
  return [
    'WHAT WAS DETECTED',
    ...field('Finding', finding.type),
    ...field('Title', finding.title === finding.type ? undefined : finding.title),
    ...field('Severity', `${finding.severity} (${finding.severityLabel})${finding.sample ? ' - SAMPLE FINDING' : ''}`),
    ...field('Account', finding.accountId),
    ...field('Region', finding.region),
    ...field('Principal', `${describeSubject(subject)}${resourceArn ? ` (${resourceArn})` : ''}`),
    ...field('Access key', key),
    ...field('Source IP', source),
    ...field('API called', api),
    ...field('User agent', activity.userAgent),
    ...field('First seen', finding.firstSeen),
    ...field('Last seen', finding.lastSeen),
    ...field('Occurrences', finding.count),
    ...field('Finding id', finding.id),
    ...field(
      'Console',
      `https://${finding.region}.console.aws.amazon.com/guardduty/home?region=${finding.region}#/findings?macros=current&fId=${encodeURIComponent(finding.id)}`,
    ),
  ];
}

function stepLines(step: StepOutcome, index: number): string[] {
  const lines = [`  ${index + 1}. [${STEP_WORDS[step.status]}] ${oneLine(step.summary, 400)}`];
  if (step.verification) lines.push(`       verified: ${step.verification.confirmed ? 'yes' : 'NOT YET'} (${oneLine(step.verification.detail)})`);
  if (step.error) lines.push(`       error: ${oneLine(step.error.message, 1200)}`);
  if (step.status === 'failed' && step.release && step.release.length > 0) {
    lines.push('       if part of it took, undo with:', ...step.release.map((command) => `       $ ${oneLine(command, 2000)}`));
  }
  return lines;
}

function done(outcome: Outcome): string[] {
  const mode = outcome.simulated ? 'simulate' : outcome.playbook.mode;
  const lines = [`WHAT FIREBREAK DID (playbook ${outcome.playbook.id}, mode ${mode})`];
  if (outcome.steps.length === 0) lines.push(`  Nothing: ${oneLine(outcome.reason ?? 'no step ran', 400)}`);
  outcome.steps.forEach((step, index) => lines.push(...stepLines(step, index)));
  return lines;
}

function numbered(title: string, items: readonly string[], empty: string): string[] {
  if (items.length === 0) return [title, `  ${empty}`];
  return [title, ...items.map((item, index) => `  ${index + 1}. ${oneLine(item, 600)}`)];
}

function approvalSection(outcome: Outcome): string[] {
  const { approval } = outcome;
  if (!approval) return [];
  if (approval.kind === 'approved') {
    return [
      `APPROVED by ${oneLine(approval.by, 200)} at ${approval.at} (plan of ${approval.requestedAt}); Firebreak re-read the state and applied the plan through every gate.`,
      ...(approval.changes.length === 0
        ? ['  The state was as planned.']
        : ['  THE STATE CHANGED SINCE THE PLAN WAS MADE:', ...approval.changes.map((change) => `  - ${oneLine(change, 600)}`)]),
      '',
    ];
  }
  const then = approval.onTimeout === 'contain' ? 'Firebreak applies the plan (re-reading the state first)' : 'the plan is dropped and never applied';
  return [
    `APPROVE OR DENY before ${approval.expiresAt} (then ${then})`,
    '  Approve (re-reads the current state, then applies the plan through every gate):',
    `  $ ${oneLine(approval.approveCommand, 2000)}`,
    '  Deny (nothing is ever applied for this incident):',
    `  $ ${oneLine(approval.denyCommand, 2000)}`,
    '',
  ];
}

function releaseSection(outcome: Outcome): string[] {
  if (outcome.release.length === 0) {
    return ['HOW TO RELEASE', '  Nothing to undo: Firebreak changed nothing.'];
  }
  const planned = outcome.steps.some((step) => step.status === 'planned');
  const whole =
    outcome.incidentId && !planned
      ? [
          '  Or undo all of it at once from the recorded pre-state (the incident is then exempt from re-containment for a while):',
          `  $ npm run firebreak -- release '${oneLine(outcome.incidentId, 600)}' --table <LedgerTableName>`,
          `  $ aws lambda invoke --function-name <ReleaseFunctionName> --cli-binary-format raw-in-base64-out --payload '{"incidentId":"${oneLine(outcome.incidentId, 600)}","releasedBy":"<you>"}' release.json`,
        ]
      : [];
  return [
    planned
      ? 'HOW TO RELEASE (nothing was changed; once enforced, these commands would undo it, in this order)'
      : 'HOW TO RELEASE (undo every change above, in this order, once the investigation allows)',
    ...outcome.release.map((command) => `  $ ${oneLine(command, 2000)}`),
    ...whole,
    '  Tags and snapshots Firebreak made stay as evidence.',
  ];
}

/** The e-mail body: plain text, readable in any mail client, one section per question the responder has. */
export function renderText(outcome: Outcome): string {
  const { finding, timings } = outcome;
  const elapsed = Date.parse(timings.finishedAt) - Date.parse(timings.receivedAt);
  const contained = timings.containedAt ? `, contained ${Date.parse(timings.containedAt) - Date.parse(timings.receivedAt)} ms after receipt` : '';
  return [
    `${outcome.urgent ? 'URGENT - ' : ''}${outcomeWord(outcome)}`,
    headline(outcome),
    RULE,
    ...detected(finding, outcome.resourceArn),
    '',
    ...done(outcome),
    '',
    ...approvalSection(outcome),
    ...numbered('WHAT A HUMAN STILL HAS TO DO', outcome.manualSteps, 'Review the finding; nothing else is required by Firebreak.'),
    '',
    ...releaseSection(outcome),
    RULE,
    `Firebreak · event ${oneLine(finding.eventId, 80)} · received ${timings.receivedAt} · finished in ${elapsed} ms${contained}`,
  ].join('\n');
}
