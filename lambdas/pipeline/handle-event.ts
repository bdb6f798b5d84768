import { parseEvent } from '../findings/parse-event';
import { isSecurityHubEvent } from '../findings/parse-securityhub-event';
import { handleDrillRequest, isDrillRequest } from './drill-request';
import { handleInternalEvent, isInternalEvent } from './handle-approval';
import { clockOf, type HandlerDependencies } from './handle-dependencies';
import { handleFinding } from './handle-finding';
import { eventIdOf, parseOrReject } from './handle-rejection';
import type { HandleResult } from './handle-result';
import { handleSecurityHubEvent } from './handle-securityhub-event';

export type { FindingOptions, HandlerDependencies, Log } from './handle-dependencies';
export { ContainmentIncompleteError, type HandleResult } from './handle-result';

/**
 * One EventBridge event in, at most one notification out. Ends in exactly one of: ignored (not a finding, logged),
 * handled (notified), or thrown after notifying (rejected input or a failed step) so the event is kept in the DLQ.
 * Security Hub events carry several findings (handle-securityhub-event); Firebreak's own commands (approve, deny,
 * the approval sweep) come by direct invocation (handle-approval), as does a drill (drill-request); GuardDuty and Config
 * events carry one finding.
 */
export async function handleEvent(event: unknown, deps: HandlerDependencies): Promise<HandleResult> {
  if (isSecurityHubEvent(event)) return handleSecurityHubEvent(event, deps);
  if (isDrillRequest(event)) return handleDrillRequest(event, deps);
  if (isInternalEvent(event)) return handleInternalEvent(event, deps);
  return handleNativeEvent(event, deps);
}

/** A GuardDuty finding or a Config compliance change: parsed (or rejected and notified), then its one finding. */
async function handleNativeEvent(event: unknown, deps: HandlerDependencies): Promise<HandleResult> {
  const receivedAt = clockOf(deps)();
  const playbook = deps.settings.playbook.id;
  const eventId = eventIdOf(event);
  const parsed = await parseOrReject(() => parseEvent(event), eventId, deps);
  if (parsed.kind === 'ignored') {
    deps.log.info('Event ignored', {
      playbook,
      eventId,
      outcome: 'ignored',
      reason: parsed.reason,
      detailType: parsed.detailType,
    });
    return { kind: 'ignored', reason: parsed.reason };
  }
  return handleFinding(parsed.finding, deps, receivedAt, { event });
}
