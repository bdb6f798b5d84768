import { triggerMismatch } from '../findings/trigger-match';
import { FindingRejectedError } from '../findings/finding-rejected-error';
import {
  parseSecurityHubEvent,
  type SecurityHubEvent,
  type SecurityHubFindingResult,
} from '../findings/parse-securityhub-event';
import { renderRejection } from '../notify/render-rejection';
import { CONTAIN_ACTION_ID } from '../securityhub/custom-actions';
import type { Outcome } from '../model/outcome';
import { clockOf, type HandlerDependencies } from './handle-dependencies';
import { handleFinding } from './handle-finding';
import { eventIdOf, parseOrReject } from './handle-rejection';
import {
  ContainmentIncompleteError,
  type HandleResult,
  type SecurityHubFindingOutcome,
  type SecurityHubResult,
} from './handle-result';
import { channelsOf } from './notify-channels';

export type { SecurityHubFindingOutcome, SecurityHubResult };

/**
 * A Security Hub event (imported findings, or the "Firebreak: contain" custom action): each finding is handled
 * on its own, through the same gates, ledger and message as a native one. EventBridge delivers the event to every
 * playbook whose pattern matches any of its findings, so a finding this playbook does not take is ignored here with
 * the reason. Every finding ends handled, ignored or rejected; if any was rejected or failed, the event is thrown
 * after the others were handled, so it is kept in the dead-letter queue (re-driving it is safe: the ledger).
 */
export async function handleSecurityHubEvent(event: unknown, deps: HandlerDependencies): Promise<HandleResult> {
  const receivedAt = clockOf(deps)();
  const { settings, log } = deps;
  const playbook = settings.playbook.id;
  const eventId = eventIdOf(event);
  const parsed: SecurityHubEvent = await parseOrReject(() => parseSecurityHubEvent(event), eventId, deps);
  if (parsed.kind === 'ignored') {
    log.info('Event ignored', { playbook, eventId, outcome: 'ignored', reason: parsed.reason });
    return { kind: 'ignored', reason: parsed.reason };
  }
  if (parsed.kind === 'custom-action' && !parsed.actionTargetArn.endsWith(`/${CONTAIN_ACTION_ID}`)) {
    const reason = `custom action ${parsed.actionTargetArn} is not ${CONTAIN_ACTION_ID}: a responder only contains`;
    log.warn('Event ignored', { playbook, eventId, outcome: 'ignored', reason });
    return { kind: 'ignored', reason };
  }
  const trigger = parsed.kind === 'imported' ? 'imported' : 'contain';

  const tally: Tally = { outcomes: [], rejected: [], failed: [] };
  for (const entry of parsed.findings) {
    const keys = {
      playbook,
      eventId,
      trigger,
      index: entry.index,
      ...(entry.asffId ? { securityHubId: entry.asffId } : {}),
    };
    await handleOne(event, entry, { deps, receivedAt, keys }, tally);
  }

  const { outcomes, rejected, failed } = tally;
  if (rejected.length > 0) await channelsOf(deps).publish(renderRejection(rejected, playbook, eventId));
  if (failed.length > 0) {
    throw new ContainmentIncompleteError(
      `Security Hub event ${eventId}: ${failed.length} of ${parsed.findings.length} findings not fully handled: ` +
        failed.join('; '),
      undefined,
      undefined,
      findingOutcomesOf(outcomes),
    );
  }
  if (rejected.length > 0) throw new FindingRejectedError(rejected);
  return { kind: 'securityhub', trigger, findings: outcomes };
}

/** What the event's findings came to so far: each one's result, the rejections and the failures. */
interface Tally {
  readonly outcomes: SecurityHubFindingOutcome[];
  readonly rejected: string[];
  readonly failed: string[];
}

interface OneFinding {
  readonly deps: HandlerDependencies;
  readonly receivedAt: Date;
  readonly keys: Record<string, unknown>;
}

/** One finding of the event: ignored, rejected, not this playbook's, or handled like a native one. */
async function handleOne(
  event: unknown,
  { index, asffId, result }: SecurityHubFindingResult,
  { deps, receivedAt, keys }: OneFinding,
  tally: Tally,
): Promise<void> {
  const { log, settings } = deps;
  const at = { index, ...(asffId ? { asffId } : {}) };
  if (result.kind === 'ignored') {
    log.warn('Security Hub finding ignored; nothing was changed', {
      ...keys,
      outcome: 'ignored',
      reason: result.reason,
    });
    tally.outcomes.push({ ...at, result });
    return;
  }
  if (result.kind === 'rejected') {
    log.error('Security Hub finding rejected; nothing was changed', {
      ...keys,
      outcome: 'rejected',
      problems: result.problems,
    });
    tally.rejected.push(...result.problems);
    tally.outcomes.push({ ...at, result });
    return;
  }
  const mismatch = triggerMismatch(settings.playbook, result.finding);
  if (mismatch) {
    const reason = `not for playbook ${settings.playbook.id}: ${mismatch}`;
    log.info('Security Hub finding ignored', { ...keys, findingId: result.finding.id, outcome: 'ignored', reason });
    tally.outcomes.push({ ...at, result: { kind: 'ignored', reason } });
    return;
  }
  try {
    const options = { event: singleFindingEvent(event, index) };
    tally.outcomes.push({ ...at, result: await handleFinding(result.finding, deps, receivedAt, options) });
  } catch (error) {
    // Already notified and logged by handleFinding; the other findings of the event are still handled.
    tally.failed.push(`${result.finding.id}: ${(error as Error).message}`);
    const handled =
      error instanceof ContainmentIncompleteError && error.outcome
        ? { outcome: error.outcome, ...(error.notifiedAt ? { notifiedAt: error.notifiedAt } : {}) }
        : {};
    tally.outcomes.push({ ...at, result: { kind: 'failed', error: (error as Error).message, ...handled } });
  }
}

/** The outcome of every finding that was handled (fully or not), for the response metrics. */
export function findingOutcomesOf(
  outcomes: readonly SecurityHubFindingOutcome[],
): { outcome: Outcome; notifiedAt?: string }[] {
  return outcomes.flatMap(({ result }) => {
    if (result.kind === 'handled')
      return [{ outcome: result.outcome, ...(result.notifiedAt ? { notifiedAt: result.notifiedAt } : {}) }];
    if (result.kind === 'failed' && result.outcome)
      return [{ outcome: result.outcome, ...(result.notifiedAt ? { notifiedAt: result.notifiedAt } : {}) }];
    return [];
  });
}

/** The event narrowed to one of its findings: what an approval request stores to re-run that finding alone. */
function singleFindingEvent(event: unknown, index: number): unknown {
  const { detail, ...envelope } = event as { detail: { findings: unknown[] } };
  return { ...envelope, detail: { ...detail, findings: [detail.findings[index]] } };
}
