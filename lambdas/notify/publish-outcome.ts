import { PublishCommand, type MessageAttributeValue, type PublishCommandInput } from '@aws-sdk/client-sns';
import { AwsCallError, errorCodeOf } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Outcome } from '../model/outcome';
import { cleanAttributes, fitNotification } from './fit-notification';
import {
  envelopeAtLeast,
  jsonCharsAtLeast,
  messageBudget,
  protocolEnvelope,
  SHRINK_LEVELS,
  TEXT_MAX_BYTES,
  utf8Bytes,
} from './message-size';
import { renderChatJson } from './render-chat';
import { outcomeJsonValue, renderJsonValue } from './render-json';
import { renderSubject } from './render-subject';
import { renderText, renderTextWithin } from './render-text';
import { escapeInvisibleInJson } from './sanitize';

export interface Notification {
  readonly subject: string;
  readonly text: string;
  readonly json: string;
  readonly attributes: Record<string, MessageAttributeValue>;
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** The attributes subscribers can filter on. */
export function outcomeAttributes(outcome: Outcome): Record<string, MessageAttributeValue> {
  const { finding } = outcome;
  return cleanAttributes({
    severity: { DataType: 'Number', StringValue: String(finding.severity) },
    severityLabel: text(finding.severityLabel),
    accountId: text(finding.accountId),
    playbook: text(outcome.playbook.id),
    outcome: text(outcome.status),
    urgent: text(String(outcome.urgent)),
    findingType: text(finding.type),
  });
}

/**
 * Everything one message carries: e-mail text, the JSON form, and attributes subscribers can filter on; always
 * within one SNS message. An outcome too large for it (thousands of steps, huge values) keeps the first items of
 * every list, each cut list saying how many it leaves out: what happened, what was done and how to undo it (with the
 * whole-incident release, never cut) stay. The text is cut first to its own bound, then the JSON to what is left.
 */
export function buildNotification(outcome: Outcome): Notification {
  const subject = renderSubject(outcome);
  const attributes = outcomeAttributes(outcome);
  const budget = messageBudget(subject, attributes);
  const value = outcomeJsonValue(outcome);
  const last = SHRINK_LEVELS[SHRINK_LEVELS.length - 1]!;
  for (const textLimits of SHRINK_LEVELS) {
    const body = renderTextWithin(outcome, textLimits, textLimits === last ? Number.POSITIVE_INFINITY : TEXT_MAX_BYTES);
    if (body === undefined || (utf8Bytes(body) > TEXT_MAX_BYTES && textLimits !== last)) continue;
    // The JSON appears five times in the envelope: each copy gets a fifth of what the text leaves.
    const jsonRoom = (budget - 2 * utf8Bytes(body)) / 5;
    for (const jsonLimits of SHRINK_LEVELS) {
      if (jsonCharsAtLeast(value, jsonLimits, jsonRoom) > jsonRoom) continue;
      const json = renderJsonValue(value, jsonLimits);
      if (envelopeAtLeast(body, json) <= budget && utf8Bytes(protocolEnvelope(body, json)) <= budget)
        return { subject, text: body, json, attributes };
    }
  }
  return fitNotification({ subject, text: renderText(outcome, last), json: renderJsonValue(value, last), attributes });
}

/** How hard to try before a message counts as not sent (on top of the SDK's own retries of throttling and 5xx). */
export interface PublishOptions {
  /** Publish attempts in all. Default 3. */
  readonly attempts?: number;
  /** The first wait between attempts; each next one doubles, up to `maxDelayMs`, with full jitter. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Default 2,000 ms. */
  readonly maxDelayMs?: number;
  /** Default: a timer. Tests pass one that returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Default Math.random: the jitter. */
  readonly random?: () => number;
}

/**
 * The message was not published after every attempt. The message names the call and the topic (as AwsCallError's
 * does); `cause` is the last attempt's error, as an AwsCallError around the SDK error.
 */
export class NotificationNotPublishedError extends Error {
  override readonly name = 'NotificationNotPublishedError';
  readonly operation = 'sns:Publish';
  readonly errorCode: string;

  constructor(
    readonly topicArn: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    const last = cause instanceof AwsCallError ? cause : new AwsCallError('sns:Publish', topicArn, cause);
    super(
      `sns:Publish on ${topicArn} failed after ${attempts} attempt(s): ${last.errorCode}: ` +
        `${last.cause instanceof Error ? last.cause.message : String(last.cause)}`,
      { cause: last },
    );
    this.errorCode = last.errorCode;
  }
}

// The same request fails the same way again: a malformed parameter. (A message too large for the topic is one: it is
// sent once more in its smallest form.) Everything else (throttling, KMS, a 5xx, a lost connection, a permission
// that is still propagating) is tried again.
const PARAMETER_ERRORS = new Set([
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'ValidationError',
]);

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function publishWithRetry(
  clients: AwsClients,
  input: PublishCommandInput,
  options: PublishOptions,
  smaller?: () => PublishCommandInput,
): Promise<string | undefined> {
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3));
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 2_000;
  const sleep = options.sleep ?? timer;
  const random = options.random ?? Math.random;
  const topicArn = input.TopicArn ?? '(no topic)';
  let request = input;
  let last: unknown;
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    made = attempt;
    try {
      const response = await clients.sns.send(new PublishCommand(request));
      return response.MessageId;
    } catch (error) {
      last = error;
      if (PARAMETER_ERRORS.has(errorCodeOf(error))) {
        if (!smaller || request !== input) break;
        request = smaller();
        continue;
      }
      if (attempt < attempts) await sleep(Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1))));
    }
  }
  throw new NotificationNotPublishedError(topicArn, made, last);
}

/**
 * One message per finding. E-mail subscribers get the text; SQS, Lambda, HTTP(S) and email-json subscribers get
 * the JSON form (SNS per-protocol message structure). Any notification is made to fit in one SNS message first. A
 * failed publish is tried again (`options`); the last failure throws a NotificationNotPublishedError naming the topic.
 */
export async function publishNotification(
  notification: Notification,
  topicArn: string,
  clients: AwsClients,
  options: PublishOptions = {},
): Promise<string | undefined> {
  const fitted = fitNotification(notification);
  const request = (parts: Notification): PublishCommandInput => ({
    TopicArn: topicArn,
    // SNS refuses an empty subject: none is sent then.
    ...(parts.subject ? { Subject: parts.subject } : {}),
    Message: protocolEnvelope(parts.text, parts.json),
    MessageStructure: 'json',
    MessageAttributes: parts.attributes,
  });
  const smallest = () =>
    request(
      fitNotification({
        ...fitted,
        text: `${fitted.text.slice(0, 200)}\n... the rest did not fit in the topic's message size: see the responder's log.`,
        json: JSON.stringify({ schemaVersion: '1', truncated: { reason: 'the topic refused the full message' } }),
      }),
    );
  return publishWithRetry(clients, request(fitted), options, smallest);
}

/**
 * The chat form of the same outcome to the chat topic, which AWS Chatbot subscribes to: the body is the custom
 * notification itself (Chatbot reads the raw body, so it cannot share the main topic's per-protocol structure).
 * Bounded by its own limits (see render-chat), far under the SNS message size. Tried again like the main message.
 */
export async function publishChatMessage(
  outcome: Outcome,
  topicArn: string,
  clients: AwsClients,
  options: PublishOptions = {},
): Promise<string | undefined> {
  return publishWithRetry(
    clients,
    {
      TopicArn: topicArn,
      Message: escapeInvisibleInJson(renderChatJson(outcome)),
      MessageAttributes: outcomeAttributes(outcome),
    },
    options,
  );
}
