import type { Outcome } from '../engine/outcome';

export const NOTIFICATION_SCHEMA_VERSION = '1';

/** The machine form: the whole outcome without the raw event (which stays in the logs), versioned. */
export function renderJson(outcome: Outcome): string {
  const { raw: _raw, ...finding } = outcome.finding;
  return JSON.stringify({ schemaVersion: NOTIFICATION_SCHEMA_VERSION, kind: 'firebreak.outcome', ...outcome, finding });
}
