import { configEvaluationKey } from '../ledger/incident-id';
import type { Finding } from '../model/finding';
import { renderResolved } from '../notify/render-resolved';
import { clockOf, type HandlerDependencies } from './handle-dependencies';
import type { HandleResult } from './handle-result';
import { channelsOf } from './notify-channels';

/**
 * A Config rule finds a resource compliant (or not applicable) again: recorded, and reported as resolved when the
 * ledger holds an open incident for that rule and resource. Nothing is written to the resource.
 */
export async function handleComplianceRestored(finding: Finding, deps: HandlerDependencies): Promise<HandleResult> {
  const { log, settings } = deps;
  const now = clockOf(deps);
  const config = finding.config!;
  const keys = {
    findingId: finding.id,
    playbook: settings.playbook.id,
    accountId: finding.accountId,
    region: finding.region,
    rule: config.ruleName,
    resource: `${config.resourceType} ${config.resourceId}`,
  };
  const incidentId = deps.ledger ? await deps.ledger.latestConfigIncident(configEvaluationKey(finding)) : undefined;
  const incident = incidentId ? await deps.ledger!.getIncident(incidentId) : undefined;
  if (!incident || incident.resolvedAt || config.compliance !== 'COMPLIANT') {
    const already = incident?.resolvedAt ? '; its incident was already reported resolved' : '';
    const reason = `Config finds it ${config.compliance}${already || (incident ? '' : '; no open incident')}: nothing to do`;
    log.info('Compliance change recorded', {
      ...keys,
      outcome: 'recorded',
      compliance: config.compliance,
      previous: config.previousCompliance,
      reason,
    });
    return { kind: 'ignored', reason };
  }
  const messageId = await channelsOf(deps).publish(renderResolved(finding, incident));
  const {
    steps: _steps,
    releasedAt: _releasedAt,
    releasedBy: _releasedBy,
    exemptUntil: _exemptUntil,
    ...summary
  } = incident;
  await deps.ledger!.putIncident(
    { ...summary, resolvedAt: now().toISOString() },
    new Date(now().getTime() + settings.ledgerRetentionDays * 86_400_000),
  );
  log.info('Incident resolved', { ...keys, incidentId: incident.incidentId, outcome: 'resolved' });
  return { kind: 'resolved', incidentId: incident.incidentId, ...(messageId ? { messageId } : {}) };
}
