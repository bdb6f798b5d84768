import type { ReleaseReport } from '../model/release-report';
import type { Notification } from './publish-outcome';
import { oneLine, snsSubject } from './sanitize';

const WORDS: Readonly<Record<ReleaseReport['steps'][number]['status'], string>> = {
  restored: 'RESTORED',
  'already-restored': 'ALREADY AS BEFORE',
  'already-released': 'RELEASED BEFORE',
  kept: 'KEPT',
  unconfirmed: 'CHECK BY HAND',
  failed: 'FAILED',
  refused: 'REFUSED',
};

/** The message after a release: what was put back, what was kept, and until when the incident is exempt. */
export function renderRelease(report: ReleaseReport, releasedBy: string): Notification {
  if (report.refused && report.refused.length > 0) return renderRefusedRelease(report, releasedBy);
  const text = [
    report.complete ? 'RELEASED' : 'URGENT - RELEASE INCOMPLETE',
    `Incident ${oneLine(report.incidentId, 300)} was released by ${oneLine(releasedBy, 200)}.`,
    '-'.repeat(72),
    'WHAT FIREBREAK RESTORED (reverse order of the containment)',
    ...report.steps.map(
      (step, index) => `  ${index + 1}. [${WORDS[step.status]}] ${step.action}: ${oneLine(step.summary, 600)}`,
    ),
    '',
    `Re-delivered findings for this incident are not contained again before ${report.exemptUntil}. Snapshots and tags stay as evidence.`,
    '-'.repeat(72),
    `Firebreak · playbook ${report.playbook} · finding ${oneLine(report.findingId, 128)} · account ${report.accountId}`,
  ].join('\n');
  return {
    subject: snsSubject(
      `Firebreak ${report.complete ? 'RELEASED' : 'URGENT RELEASE INCOMPLETE'} | ${report.playbook} | ${report.incidentId}`,
    ),
    text,
    json: JSON.stringify({ schemaVersion: '1', kind: 'firebreak.released', releasedBy, ...report }),
    attributes: {
      playbook: { DataType: 'String', StringValue: report.playbook },
      accountId: { DataType: 'String', StringValue: report.accountId },
      outcome: { DataType: 'String', StringValue: report.complete ? 'released' : 'release-incomplete' },
      urgent: { DataType: 'String', StringValue: String(!report.complete) },
    },
  };
}

/** A release stopped by a ledger record Firebreak did not write: nothing was written; someone must look at the table. */
function renderRefusedRelease(report: ReleaseReport, releasedBy: string): Notification {
  const refused = report.refused ?? [];
  const text = [
    'URGENT - RELEASE REFUSED: LEDGER RECORD CHANGED',
    `Release of incident ${oneLine(report.incidentId, 300)}, asked by ${oneLine(releasedBy, 200)}, ` +
      `was refused: nothing was written and the incident stays contained.`,
    `${refused.length} ledger record${refused.length === 1 ? '' : 's'} of this incident did not pass the integrity check (a MAC with Firebreak's KMS key):`,
    ...report.steps.map(
      (step, index) => `  ${index + 1}. [${WORDS[step.status]}] ${step.action}: ${oneLine(step.summary, 600)}`,
    ),
    '',
    'Someone other than Firebreak may have written to the ledger table. Check the ' +
      "table's CloudTrail data events (dynamodb:PutItem / UpdateItem on these keys),",
    'then undo the containment by hand from the first notification of this incident, which lists the exact commands.',
    '-'.repeat(72),
    `Firebreak · playbook ${report.playbook} · finding ${oneLine(report.findingId, 128)} · account ${report.accountId}`,
  ].join('\n');
  return {
    subject: snsSubject(`Firebreak URGENT RELEASE REFUSED | ${report.playbook} | ${report.incidentId}`),
    text,
    json: JSON.stringify({ schemaVersion: '1', kind: 'firebreak.release-refused', releasedBy, ...report }),
    attributes: {
      playbook: { DataType: 'String', StringValue: report.playbook },
      accountId: { DataType: 'String', StringValue: report.accountId },
      outcome: { DataType: 'String', StringValue: 'release-refused' },
      urgent: { DataType: 'String', StringValue: 'true' },
    },
  };
}
