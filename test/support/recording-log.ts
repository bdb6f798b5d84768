import type { Log } from '../../lambdas/pipeline/handle-event';

/** A Log that keeps every entry, for tests that assert what was logged. */
export function recordingLog() {
  const entries: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const log: Log = {
    info: (message, attributes) => entries.push({ level: 'info', message, attributes }),
    warn: (message, attributes) => entries.push({ level: 'warn', message, attributes }),
    error: (message, attributes) => entries.push({ level: 'error', message, attributes }),
  };
  return { log, entries };
}
