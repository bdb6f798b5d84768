import type { Outcome } from '../model/outcome';
import { NO_LIMITS, shrunkJsonText, type RenderLimits } from './message-size';
import { escapeInvisibleInJson } from './sanitize';

export const NOTIFICATION_SCHEMA_VERSION = '1';

/** The machine form's value: the whole outcome without the raw event (which stays in the logs), versioned. */
export function outcomeJsonValue(outcome: Outcome): Record<string, unknown> {
  const { raw: _raw, ...finding } = outcome.finding;
  return { schemaVersion: NOTIFICATION_SCHEMA_VERSION, kind: 'firebreak.outcome', ...outcome, finding };
}

/**
 * The machine form: the whole outcome without the raw event, versioned. Invisible characters are written as `\uXXXX`
 * escapes (same value; nothing hidden from an email-json reader). `limits` (default: none) cut lists and strings for
 * a message that must fit in SNS; a `truncated` member then says what was cut.
 */
export function renderJson(outcome: Outcome, limits: RenderLimits = NO_LIMITS): string {
  return renderJsonValue(outcomeJsonValue(outcome), limits);
}

export function renderJsonValue(value: Record<string, unknown>, limits: RenderLimits = NO_LIMITS): string {
  return escapeInvisibleInJson(shrunkJsonText(value, limits));
}
