import type { Approval } from '../ledger/approvals';
import type { Notification } from './publish-outcome';
import { escapeInvisibleInJson, oneLine, personText, snsSubject } from './sanitize';
import { STEP_WORDS } from './status-words';

/**
 * The one short message for a plan that will never be applied: denied by a human, or expired with `onTimeout: drop`.
 * An expired plan is urgent: nobody decided, and the finding is not contained.
 */
export function renderApprovalDecision(approval: Approval): Notification {
  const denied = approval.status === 'denied';
  const word = denied ? 'DENIED' : 'URGENT APPROVAL EXPIRED';
  const headline = denied
    ? `The plan for incident ${oneLine(approval.incidentId, 300)} was denied by ` +
      `${oneLine(approval.decidedBy ?? 'a human', 200)} at ${approval.decidedAt ?? '?'}. Nothing was changed.`
    : `Nobody approved or denied the plan for incident ${oneLine(approval.incidentId, 300)} before ` +
      `${approval.approvalExpiresAt} (onTimeout: drop). Nothing was changed: the finding is NOT contained.`;
  const text = personText(
    [
      denied ? 'DENIED' : 'URGENT - APPROVAL EXPIRED',
      headline,
      '-'.repeat(72),
      `THE PLAN (made ${approval.requestedAt}; never applied)`,
      ...approval.plan.map(
        (step, index) => `  ${index + 1}. [${STEP_WORDS[step.status]}] ${oneLine(step.summary, 400)}`,
      ),
      '',
      'Re-deliveries of this finding are not contained and not asked again. Contain by hand if needed.',
      '-'.repeat(72),
      `Firebreak · playbook ${approval.playbook} · incident ${oneLine(approval.incidentId, 300)}`,
    ].join('\n'),
  );
  return {
    subject: snsSubject(`Firebreak ${word} | ${approval.playbook} | ${approval.incidentId}`),
    text,
    json: escapeInvisibleInJson(
      JSON.stringify({ schemaVersion: '1', kind: 'firebreak.approval', ...approval, event: undefined }),
    ),
    attributes: {
      playbook: { DataType: 'String', StringValue: approval.playbook },
      outcome: { DataType: 'String', StringValue: denied ? 'approval-denied' : 'approval-expired' },
      urgent: { DataType: 'String', StringValue: String(!denied) },
    },
  };
}
