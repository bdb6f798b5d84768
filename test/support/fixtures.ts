import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../lambdas/model/finding';
import { parseEvent } from '../../lambdas/findings/parse-event';

const EVENTS = join(__dirname, '..', 'fixtures', 'events');

/** A fixture event as parsed JSON, e.g. `loadEvent('guardduty/root')`. */
export function loadEvent(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EVENTS, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A fixture parsed into a Finding; fails the test if the fixture is not a finding. */
export function loadFinding(name: string): Finding {
  const parsed = parseEvent(loadEvent(name));
  if (parsed.kind !== 'finding') throw new Error(`fixture ${name} is not a finding: ${parsed.reason}`);
  return parsed.finding;
}

/** A copy of a fixture with one change made by `edit`. */
// Fixture edits reach deep into untyped JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function editedEvent(name: string, edit: (event: Record<string, any>) => void): Record<string, unknown> {
  const event = structuredClone(loadEvent(name));
  edit(event);
  return event;
}
