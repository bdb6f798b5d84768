import type { AwsClients } from '../aws/aws-clients';
import { FindingRejectedError } from '../findings/finding-rejected-error';
import { parseEvent } from '../findings/parse-event';
import { buildNotification, publishNotification } from '../notify/publish-outcome';
import { renderRejection } from '../notify/render-rejection';
import { hasFailures, type Outcome } from './outcome';
import type { ResponderSettings } from './responder-settings';
import { runPlaybook } from './run-playbook';

/** The part of a structured logger the core uses; Powertools Logger fits it, tests pass a recorder. */
export interface Log {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface HandlerDependencies {
  readonly settings: ResponderSettings;
  readonly clients: AwsClients;
  readonly topicArn: string;
  readonly log: Log;
  readonly now?: () => Date;
}

export type HandleResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'handled'; readonly outcome: Outcome; readonly messageId?: string };

/** Thrown after notifying, so the event lands in the dead-letter queue (kept and alarmed) when a step failed. */
export class ContainmentIncompleteError extends Error {
  override readonly name = 'ContainmentIncompleteError';
}

/**
 * One EventBridge event in, at most one notification out. Ends in exactly one of: ignored (not a finding, logged),
 * handled (notified), or thrown after notifying (rejected input or a failed step) so the event is kept in the DLQ.
 */
export async function handleEvent(event: unknown, deps: HandlerDependencies): Promise<HandleResult> {
  const now = deps.now ?? (() => new Date());
  const receivedAt = now();
  const { settings, log } = deps;
  const playbook = settings.playbook.id;
  const eventId = eventIdOf(event);

  let parsed;
  try {
    parsed = parseEvent(event);
  } catch (error) {
    if (!(error instanceof FindingRejectedError)) throw error;
    log.error('Event rejected; nothing was changed', { playbook, eventId, outcome: 'rejected', problems: error.problems });
    await publishNotification(renderRejection(error.problems, playbook, eventId), deps.topicArn, deps.clients);
    throw error;
  }
  if (parsed.kind === 'ignored') {
    log.info('Event ignored', { playbook, eventId, outcome: 'ignored', reason: parsed.reason, detailType: parsed.detailType });
    return { kind: 'ignored', reason: parsed.reason };
  }

  const { finding } = parsed;
  const keys = { findingId: finding.id, playbook, accountId: finding.accountId, region: finding.region, mode: settings.playbook.mode };
  log.info('Finding received', { ...keys, findingType: finding.type, severity: finding.severity, sample: finding.sample, subject: finding.subject.kind });

  const outcome = await runPlaybook(finding, { settings, clients: deps.clients, receivedAt, now });
  for (const step of outcome.steps) {
    const entry = { ...keys, action: step.action, resource: outcome.resourceArn, outcome: step.status, summary: step.summary, durationMs: step.durationMs };
    if (step.status === 'failed') log.error('Step failed', { ...entry, error: step.error, replaced: step.replaced });
    else log.info('Step', { ...entry, ...(step.replaced !== undefined ? { replaced: step.replaced } : {}), verification: step.verification });
  }
  log.info('Finding handled', { ...keys, resource: outcome.resourceArn, outcome: outcome.status, reason: outcome.reason, timings: outcome.timings });

  const messageId = await publishNotification(buildNotification(outcome), deps.topicArn, deps.clients);
  if (hasFailures(outcome)) {
    const failed = outcome.steps.filter((step) => step.status === 'failed').map((step) => `${step.action}: ${step.error?.message ?? 'failed'}`);
    throw new ContainmentIncompleteError(`Finding ${finding.id} is ${outcome.status}; notified; failed steps: ${failed.join('; ')}`);
  }
  return { kind: 'handled', outcome, ...(messageId ? { messageId } : {}) };
}

function eventIdOf(event: unknown): string {
  const id = event !== null && typeof event === 'object' ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : '(none)';
}
