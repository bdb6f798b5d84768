import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import {
  cutLines,
  cutToBytes,
  envelopeAtLeast,
  messageBudget,
  protocolEnvelope,
  SHRINK_LEVELS,
  shrunkJsonText,
  TEXT_MAX_BYTES,
  utf8Bytes,
} from './message-size';
import { escapeInvisibleInJson, personText, snsSubject, stripInvisible } from './sanitize';

/** What one SNS message carries (the shape every renderer returns). */
export interface NotificationParts {
  readonly subject: string;
  readonly text: string;
  readonly json: string;
  readonly attributes: Record<string, MessageAttributeValue>;
}

/** Attribute values are for filter policies: bounded, without invisible characters, and never empty (SNS refuses an empty one). */
export function cleanAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): Record<string, MessageAttributeValue> {
  const clean: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.StringValue === undefined) {
      if (value.BinaryValue !== undefined) clean[name] = value;
      continue;
    }
    const stringValue = stripInvisible(value.StringValue).slice(0, 256);
    if (stringValue !== '') clean[name] = { ...value, StringValue: stringValue };
  }
  return clean;
}

const TEXT_STEPS = [TEXT_MAX_BYTES, 32 * 1024, 16 * 1024, 8 * 1024, 4 * 1024];

function fits(text: string, json: string, budget: number): boolean {
  return envelopeAtLeast(text, json) <= budget && utf8Bytes(protocolEnvelope(text, json)) <= budget;
}

/**
 * The last guard before SNS, for any message: the subject made SNS-safe, the texts given their final pass (no
 * invisible character), and a message over the limit cut until it fits: the text by whole lines (the head and the
 * footer kept, a line saying how many were cut), the JSON by lists and strings (a `truncated` member says where).
 * A message that already fits is returned as it is (apart from the idempotent final pass).
 */
export function fitNotification(notification: NotificationParts): NotificationParts {
  const subject = snsSubject(notification.subject);
  const attributes = cleanAttributes(notification.attributes);
  const budget = messageBudget(subject, attributes);
  const text = personText(notification.text);
  const json = escapeInvisibleInJson(notification.json);
  if (fits(text, json, budget)) return { subject, text, json, attributes };

  let value: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(notification.json);
    value =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { value: parsed };
  } catch {
    value = { unparsable: cutToBytes(notification.json, 1_000) };
  }
  for (const textMax of TEXT_STEPS) {
    const cutText = cutLines(text, textMax);
    for (const limits of SHRINK_LEVELS) {
      const cutJson = escapeInvisibleInJson(shrunkJsonText(value, limits));
      if (fits(cutText, cutJson, budget)) return { subject, text: cutText, json: cutJson, attributes };
    }
  }
  // Nothing left to cut but the JSON's members themselves: the kind, and where the whole story is.
  const kind = typeof value.kind === 'string' ? value.kind.slice(0, 100) : undefined;
  const minimal = JSON.stringify({
    schemaVersion: '1',
    ...(kind ? { kind } : {}),
    truncated: { reason: "too large for one SNS message: the responder's log has the whole outcome" },
  });
  return { subject, text: cutLines(text, 4 * 1024), json: minimal, attributes };
}
