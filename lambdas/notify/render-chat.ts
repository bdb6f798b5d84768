import type { Outcome, StepOutcome } from '../model/outcome';
import { describeSubject } from '../kinds/describe-subject';
import { chatCode, chatCommand, chatId, chatPlain } from './chat-sanitize';
import { formatCount } from './message-size';
import { renderSubject } from './render-subject';
import { STEP_WORDS, outcomeWord } from './status-words';

/** Bounds of our own, well inside what Slack and Teams show without cutting (the e-mail carries everything). */
export const CHAT_LIMITS = {
  title: 250,
  description: 4000,
  nextSteps: 10,
  nextStep: 1000,
  keywords: 10,
  keyword: 40,
  context: 256,
} as const;

/** The AWS Chatbot (Amazon Q Developer in chat applications) custom notification. */
export interface ChatMessage {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

function icon(outcome: Outcome): string {
  if (outcome.urgent) return ':rotating_light:';
  if (outcome.status === 'contained' || outcome.status === 'already-contained') return ':white_check_mark:';
  if (outcome.status === 'dry-run') return ':memo:';
  return ':information_source:';
}

function detected(outcome: Outcome): string[] {
  const { finding } = outcome;
  const { subject, activity } = finding;
  const key = 'accessKeyId' in subject ? subject.accessKeyId : undefined;
  const source = activity.sourceIp
    ? [activity.sourceIp, activity.sourceCountry, activity.sourceOrganization].filter(Boolean).join(', ')
    : undefined;
  const api = activity.api ? `${activity.serviceName ? `${activity.serviceName} ` : ''}${activity.api}` : undefined;
  const optional = (label: string, value: string | undefined) => (value ? [`${label} ${chatCode(value, 300)}`] : []);
  const lines = [
    '*What was detected*',
    `Finding ${chatCode(finding.type, 200)}, severity ${finding.severity} (${chatPlain(finding.severityLabel, 20)})${finding.sample ? ', SAMPLE FINDING' : ''}`,
    `Account ${chatCode(finding.accountId, 12)}, Region ${chatCode(finding.region, 30)}`,
    `Principal ${chatCode(describeSubject(subject), 300)}${outcome.resourceArn ? ` (${chatCode(outcome.resourceArn, 400)})` : ''}`,
    ...optional('Access key', key),
    ...optional('Source IP', source),
    ...optional('API called', api),
    ...optional('User agent', activity.userAgent),
    ...optional('First seen', finding.firstSeen),
    ...optional('Last seen', finding.lastSeen),
    `Finding id ${chatCode(finding.id, 200)}`,
  ];
  if (finding.source === 'guardduty' && /^[a-z]{2}(-[a-z]+)+-\d$/.test(finding.region)) {
    lines.push(
      `https://${finding.region}.console.aws.amazon.com/guardduty/home?region=${finding.region}#/findings?macros=current&fId=${encodeURIComponent(finding.id)}`,
    );
  }
  return lines;
}

function stepLine(step: StepOutcome, index: number): string {
  const verified = step.verification ? ` (verified: ${step.verification.confirmed ? 'yes' : 'NOT YET'})` : '';
  const error = step.error ? `, error: ${chatPlain(step.error.message, 300)}` : '';
  return `${index + 1}. *${STEP_WORDS[step.status]}* ${chatPlain(step.summary, 300)}${verified}${error}`;
}

// No description holds more step lines than this (each is at least 10 characters): the rest are only counted.
const RENDERED_STEPS = Math.ceil(CHAT_LIMITS.description / 10);

function done(outcome: Outcome): { readonly lines: string[]; readonly unrendered: number } {
  const mode = outcome.simulated ? 'simulate' : outcome.playbook.mode;
  const lines = [`*What Firebreak did* (playbook ${chatCode(outcome.playbook.id, 64)}, mode ${mode})`];
  if (outcome.steps.length === 0) lines.push(`Nothing: ${chatPlain(outcome.reason ?? 'no step ran', 400)}`);
  outcome.steps.slice(0, RENDERED_STEPS).forEach((step, index) => lines.push(stepLine(step, index)));
  return { lines, unrendered: Math.max(0, outcome.steps.length - RENDERED_STEPS) };
}

/** Whole lines only, within the bound: a cut never splits a code span. `unrendered` lines were never rendered at all. */
function bounded(lines: readonly string[], max: number, unrendered = 0): string {
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > max - 80) {
      kept.push(`… ${formatCount(lines.length - kept.length + unrendered)} more line(s): see the e-mail message.`);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  if (kept.length === lines.length && unrendered > 0)
    kept.push(`… ${formatCount(unrendered)} more line(s): see the e-mail message.`);
  return kept.join('\n');
}

/** The release steps: the first `shown` commands rendered, and the whole-incident release (when there is one). */
function releaseSteps(
  outcome: Outcome,
  shown: number,
): { readonly commands: string[]; readonly total: number; readonly whole?: string } {
  if (outcome.release.length === 0) return { commands: ['Nothing to undo: Firebreak changed nothing.'], total: 1 };
  const planned = outcome.steps.some((step) => step.status === 'planned');
  const label = planned ? 'Once enforced, undo with' : 'Undo';
  const commands = outcome.release.slice(0, shown).map((command, index) => {
    const code = chatCommand(command);
    return `${label} (${index + 1} of ${outcome.release.length}): ${code ?? 'this command cannot be shown safely in chat: copy it from the e-mail message'}`;
  });
  const incident =
    outcome.incidentId && !planned
      ? chatCommand(
          `npm run firebreak -- release '${outcome.incidentId}' --function ReleaseFunctionName --region ${outcome.finding.region}`,
        )
      : undefined;
  const whole = incident
    ? `Or undo all of it from the recorded pre-state (ReleaseFunctionName is the stack output): ${incident}`
    : undefined;
  return { commands, total: outcome.release.length, ...(whole ? { whole } : {}) };
}

/**
 * Manual steps, then release commands, within CHAT_LIMITS.nextSteps: a cut says how many more there are, and the
 * whole-incident release (one command for everything, cut or not) always stays last. Only what can be shown is rendered.
 */
function nextSteps(outcome: Outcome): string[] {
  const room = CHAT_LIMITS.nextSteps;
  const manual = outcome.manualSteps.slice(0, room).map((step) => chatPlain(step, CHAT_LIMITS.nextStep));
  const release = releaseSteps(outcome, Math.max(0, room - manual.length));
  const slots = room - (release.whole ? 1 : 0);
  const shown = [...manual, ...release.commands].map((step) =>
    step.length > CHAT_LIMITS.nextStep ? chatPlain(step, CHAT_LIMITS.nextStep) : step,
  );
  const total = outcome.manualSteps.length + release.total;
  const whole = release.whole
    ? [release.whole.length > CHAT_LIMITS.nextStep ? chatPlain(release.whole, CHAT_LIMITS.nextStep) : release.whole]
    : [];
  if (total <= slots) return [...shown, ...whole];
  return [
    ...shown.slice(0, slots - 1),
    `… ${formatCount(total - slots + 1)} more step(s): see the e-mail message.`,
    ...whole,
  ];
}

/**
 * The chat form of the message: the same facts as the e-mail (detected, done, left to do, how to release), in the
 * AWS Chatbot custom notification format, every value from the finding bounded and stripped of markup.
 */
export function renderChat(outcome: Outcome): ChatMessage {
  const { finding } = outcome;
  const subject = renderSubject(outcome);
  const word = outcomeWord(outcome);
  const steps = done(outcome);
  const context: Record<string, string> = {
    findingId: finding.id,
    findingType: finding.type,
    accountId: finding.accountId,
    region: finding.region,
    playbook: outcome.playbook.id,
    outcome: outcome.status,
    severity: String(finding.severity),
    urgent: String(outcome.urgent),
    ...(outcome.incidentId ? { incidentId: outcome.incidentId } : {}),
  };
  return {
    version: '1.0',
    source: 'custom',
    // Unique per message: one Security Hub event carries several findings under one event id.
    id: chatId(`${finding.eventId}/${outcome.incidentId ?? finding.id}`),
    content: {
      textType: 'client-markdown',
      title: chatPlain(`${icon(outcome)} ${subject}`, CHAT_LIMITS.title),
      description: bounded(
        [
          `*${outcome.urgent ? 'URGENT - ' : ''}${word}*: ${chatPlain(describeSubject(finding.subject), 200)}`,
          '',
          ...detected(outcome),
          '',
          ...steps.lines,
        ],
        CHAT_LIMITS.description,
        steps.unrendered,
      ),
      nextSteps: nextSteps(outcome),
      keywords: [word, finding.severityLabel, outcome.playbook.id, finding.accountId]
        .map((keyword) => chatPlain(keyword, CHAT_LIMITS.keyword))
        .slice(0, CHAT_LIMITS.keywords),
    },
    metadata: {
      threadId: chatId(outcome.incidentId ?? finding.id),
      summary: chatPlain(subject, CHAT_LIMITS.title),
      eventType: 'firebreak.outcome',
      relatedResources: outcome.resourceArn ? [chatPlain(outcome.resourceArn, 2048)] : [],
      additionalContext: Object.fromEntries(
        Object.entries(context).map(([key, value]) => [key, chatPlain(value, CHAT_LIMITS.context)]),
      ),
    },
  };
}

/** The SNS message body AWS Chatbot reads. */
export function renderChatJson(outcome: Outcome): string {
  return JSON.stringify(renderChat(outcome));
}
