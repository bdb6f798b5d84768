import type { Finding } from '../model/finding';
import type { Incident } from '../ledger/ledger';
import type { Notification } from './publish-outcome';
import { escapeInvisibleInJson, oneLine, personText, snsSubject } from './sanitize';

/** A Config rule found a resource compliant again after an incident Firebreak reported. */
export function renderResolved(finding: Finding, incident: Incident): Notification {
  const config = finding.config!;
  const text = personText(
    [
      'RESOLVED',
      `Config rule ${config.ruleName} finds ${config.resourceType} ${oneLine(config.resourceId, 200)} ${config.compliance} again.`,
      '-'.repeat(72),
      `  Incident     ${oneLine(incident.incidentId, 300)}`,
      `  Reported     ${incident.status}${incident.containedAt ? `, contained at ${incident.containedAt}` : ''}`,
      `  Account      ${finding.accountId}`,
      `  Region       ${finding.region}`,
      `  Evaluated    ${finding.lastSeen ?? finding.updatedAt}`,
      '',
      'Nothing else to do for this incident. Firebreak changed nothing for this evaluation.',
      '-'.repeat(72),
      `Firebreak · playbook ${incident.playbook} · event ${oneLine(finding.eventId, 80)}`,
    ].join('\n'),
  );
  return {
    subject: snsSubject(`Firebreak RESOLVED | ${config.ruleName} | ${config.resourceType} ${config.resourceId}`),
    text,
    json: escapeInvisibleInJson(
      JSON.stringify({
        schemaVersion: '1',
        kind: 'firebreak.resolved',
        incidentId: incident.incidentId,
        rule: config.ruleName,
        resourceType: config.resourceType,
        resourceId: config.resourceId,
        compliance: config.compliance,
      }),
    ),
    attributes: {
      playbook: { DataType: 'String', StringValue: incident.playbook },
      accountId: { DataType: 'String', StringValue: finding.accountId },
      outcome: { DataType: 'String', StringValue: 'resolved' },
      urgent: { DataType: 'String', StringValue: 'false' },
    },
  };
}
