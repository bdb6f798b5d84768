import { describeSubject } from '../kinds/describe-subject';
import type { Outcome, StepOutcome } from '../model/outcome';
import type { Finding } from '../model/finding';
import { capList, moreLine, NO_LIMITS, SHORTENED_NOTE, type RenderLimits } from './message-size';
import { oneLine as flatLine, personText, visibleCommand } from './sanitize';
import { STEP_WORDS, outcomeWord } from './status-words';

const RULE = '-'.repeat(72);

/**
 * One rendering: its limits, whether it had to cut anything (then the message says so), and the characters its
 * lists produced so far (a lower bound of their UTF-8 bytes): past `maxChars` the rendering stops, as it cannot fit.
 */
interface Render {
  readonly limits: RenderLimits;
  readonly maxChars: number;
  shortened: boolean;
  chars: number;
  /** Lists inside a list item (a step's undo commands) are counted once, by the outer list. */
  depth: number;
}

let current: Render = { limits: NO_LIMITS, maxChars: Number.POSITIVE_INFINITY, shortened: false, chars: 0, depth: 0 };

class TooLarge extends Error {}

/** One line of a value, within the renderer's bound and the rendering's limit. */
function oneLine(value: string, max = 300): string {
  const bound = Math.min(max, current.limits.chars);
  if (bound < max && value.length > bound) current.shortened = true;
  return flatLine(value, bound);
}

/** The first items of a list within the rendering's limit, then a line saying how many more there are. */
function capped<T>(
  items: readonly T[],
  render: (item: T, index: number) => string[],
  more: (omitted: number) => string,
): string[] {
  const { kept, omitted } = capList(items, current.limits.items);
  if (omitted > 0) current.shortened = true;
  const lines: string[] = [];
  const outer = current.depth === 0;
  current.depth += 1;
  try {
    kept.forEach((item, index) => {
      for (const line of render(item, index)) {
        if (outer) current.chars += line.length + 1;
        lines.push(line);
      }
      if (current.chars > current.maxChars) throw new TooLarge();
    });
  } finally {
    current.depth -= 1;
  }
  if (omitted > 0) lines.push(more(omitted));
  return lines;
}

/**
 * A command line: shown exactly, or with each hidden character as <U+XXXX> and a warning line after it. A `fixed`
 * command (the whole-incident release) keeps its own bound whatever the rendering's limits.
 */
function command(indent: string, value: string, max = 2000, fixed = false): string[] {
  const shown = visibleCommand(value, fixed ? max : Math.min(max, Math.max(current.limits.chars, 200)));
  if (shown.text.length < value.length && shown.hidden === 0) current.shortened = true;
  return [
    `${indent}$ ${shown.text}`,
    ...(shown.hidden > 0
      ? [
          `${indent}  (WARNING: ${shown.hidden} hidden or control character(s), shown as <U+XXXX>: type the command; never copy it as shown)`,
        ]
      : []),
  ];
}

function headline(outcome: Outcome): string {
  return oneLine(headlineText(outcome), 600);
}

function headlineText(outcome: Outcome): string {
  const who = describeSubject(outcome.finding.subject);
  const prefix = outcome.simulated
    ? `SIMULATION of mode ${outcome.playbook.mode} (AWS state assumed, nothing read or written): `
    : '';
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
  if (step.verification)
    lines.push(
      `       verified: ${step.verification.confirmed ? 'yes' : 'NOT YET'} (${oneLine(step.verification.detail)})`,
    );
  if (step.error) lines.push(`       error: ${oneLine(step.error.message, 1200)}`);
  if (step.status === 'failed' && step.release && step.release.length > 0) {
    lines.push(
      '       if part of it took, undo with:',
      ...capped(
        step.release,
        (undo) => command('       ', undo),
        (omitted) => `       ${moreLine(omitted, 'undo commands for this step')}`,
      ),
    );
  }
  return lines;
}

function done(outcome: Outcome): string[] {
  const mode = outcome.simulated ? 'simulate' : outcome.playbook.mode;
  const lines = [`WHAT FIREBREAK DID (playbook ${oneLine(outcome.playbook.id, 200)}, mode ${mode})`];
  if (outcome.steps.length === 0) lines.push(`  Nothing: ${oneLine(outcome.reason ?? 'no step ran', 400)}`);
  lines.push(
    ...capped(
      outcome.steps,
      stepLines,
      (omitted) => `  ${moreLine(omitted, 'steps', "every step is in the responder's log and the ledger")}`,
    ),
  );
  return lines;
}

function numbered(title: string, items: readonly string[], empty: string, noun: string): string[] {
  if (items.length === 0) return [title, `  ${empty}`];
  return [
    title,
    ...capped(
      items,
      (item, index) => [`  ${index + 1}. ${oneLine(item, 600)}`],
      (omitted) => `  ${moreLine(omitted, noun)}`,
    ),
  ];
}

function approvalSection(outcome: Outcome): string[] {
  const { approval } = outcome;
  if (!approval) return [];
  if (approval.kind === 'approved') {
    return [
      `APPROVED by ${oneLine(approval.by, 200)} at ${approval.at} (plan of ${approval.requestedAt}); ` +
        `Firebreak re-read the state and applied the plan through every gate.`,
      ...(approval.changes.length === 0
        ? ['  The state was as planned.']
        : [
            '  THE STATE CHANGED SINCE THE PLAN WAS MADE:',
            ...capped(
              approval.changes,
              (change) => [`  - ${oneLine(change, 600)}`],
              (omitted) => `  ${moreLine(omitted, 'changes')}`,
            ),
          ]),
      '',
    ];
  }
  const then =
    approval.onTimeout === 'contain'
      ? 'Firebreak applies the plan (re-reading the state first)'
      : 'the plan is dropped and never applied';
  return [
    `APPROVE OR DENY before ${approval.expiresAt} (then ${then})`,
    '  Approve (re-reads the current state, then applies the plan through every gate):',
    ...command('  ', approval.approveCommand),
    '  Deny (nothing is ever applied for this incident):',
    ...command('  ', approval.denyCommand),
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
          // Never cut: one command undoes everything, including what a cut list leaves out.
          // The release function records the caller as STS names them (a signed caller proof): no self-declared name.
          ...command(
            '  ',
            `npm run firebreak -- release '${outcome.incidentId}' --function <ReleaseFunctionName> --region ${outcome.finding.region}`,
            4000,
            true,
          ),
        ]
      : [];
  return [
    planned
      ? 'HOW TO RELEASE (nothing was changed; once enforced, these commands would undo it, in this order)'
      : 'HOW TO RELEASE (undo every change above, in this order, once the investigation allows)',
    ...capped(
      outcome.release,
      (undo) => command('  ', undo),
      (omitted) =>
        `  ${moreLine(omitted, 'release commands', whole.length > 0 ? 'the release command below undoes all of them' : 'the ledger records every one')}`,
    ),
    ...whole,
    '  Tags and snapshots Firebreak made stay as evidence.',
  ];
}

/**
 * The e-mail body: plain text, readable in any mail client, one section per question the responder has. `limits`
 * (default: none) bound each list and value, for a message that must fit in SNS: every cut list says how much it
 * leaves out, and a note under the headline says the message was shortened.
 */
export function renderText(outcome: Outcome, limits: RenderLimits = NO_LIMITS): string {
  return renderTextWithin(outcome, limits, Number.POSITIVE_INFINITY)!;
}

/** renderText, or undefined as soon as its lists alone pass `maxBytes` (so a far too large rendering costs little). */
export function renderTextWithin(outcome: Outcome, limits: RenderLimits, maxBytes: number): string | undefined {
  const previous = current;
  current = { limits, maxChars: maxBytes, shortened: false, chars: 0, depth: 0 };
  try {
    const { finding, timings } = outcome;
    const elapsed = Date.parse(timings.finishedAt) - Date.parse(timings.receivedAt);
    const contained = timings.containedAt
      ? `, contained ${Date.parse(timings.containedAt) - Date.parse(timings.receivedAt)} ms after receipt`
      : '';
    const body = [
      RULE,
      ...detected(finding, outcome.resourceArn),
      '',
      ...done(outcome),
      '',
      ...approvalSection(outcome),
      ...numbered(
        'WHAT A HUMAN STILL HAS TO DO',
        outcome.manualSteps,
        'Review the finding; nothing else is required by Firebreak.',
        'manual steps',
      ),
      '',
      ...releaseSection(outcome),
      RULE,
      `Firebreak · event ${oneLine(finding.eventId, 80)} · received ${timings.receivedAt} · finished in ${elapsed} ms${contained}`,
    ];
    const head = [
      `${outcome.urgent ? 'URGENT - ' : ''}${outcomeWord(outcome)}`,
      headline(outcome),
      ...untoldNote(outcome),
      ...(current.shortened ? [SHORTENED_NOTE] : []),
    ];
    return personText([...head, ...body].join('\n'));
  } catch (error) {
    if (error instanceof TooLarge) return undefined;
    throw error;
  } finally {
    current = previous;
  }
}

/** An earlier delivery acted, and its message could not be sent: this is the first message a person sees. */
function untoldNote(outcome: Outcome): string[] {
  if (!outcome.untoldSince) return [];
  return [
    `NOT TOLD BEFORE: an earlier delivery of this finding acted on it, but its message could not be sent (SNS failed at ${outcome.untoldSince}); ` +
      `no one was told until this message. What that delivery did is in the steps below ("applied by an earlier delivery").`,
  ];
}
