import type { Notification } from '../notify/publish-outcome';
import { oneLine, snsSubject } from '../notify/sanitize';

export interface ReleaseRequested {
  readonly incidentId: string;
  readonly playbook: string;
  /** What was contained, as the incident records it. */
  readonly subject: string;
  /** The account whose Security Hub sent the custom action (the event names no person). */
  readonly securityHubAccount: string;
  /** The release function and its Region, for the command to run. */
  readonly functionName: string;
  readonly region: string;
}

/**
 * The message for "Firebreak: release" chosen in the Security Hub console: Security Hub does not say who chose it
 * (and a direct invocation can forge its event), so nothing is released; this says how to release with a person's
 * own, verified identity.
 */
export function renderReleaseRequested(request: ReleaseRequested): Notification {
  const incident = oneLine(request.incidentId, 300);
  const functionName = oneLine(request.functionName, 140);
  const region = oneLine(request.region, 30);
  const text = [
    'RELEASE REQUESTED - NOTHING RELEASED YET',
    `Release requested from the Security Hub console for incident ${incident} (Security Hub does not say by whom).`,
    'Firebreak released nothing: a release must name a person AWS vouches for, and this request names none.',
    '-'.repeat(72),
    'TO RELEASE, RUN (with your own AWS credentials, which the release function checks with STS):',
    `  $ npm run firebreak -- release '${incident}' --function ${functionName} --region ${region}`,
    '',
    `What is contained: ${oneLine(request.subject, 300)} (playbook ${oneLine(request.playbook, 80)}).`,
    'If nobody on the team chose "Firebreak: release" just now, someone with access to Security Hub custom actions (or',
    'to invoking the release function) is trying to undo a containment: check CloudTrail.',
    '-'.repeat(72),
    `Firebreak · release requested · Security Hub account ${oneLine(request.securityHubAccount, 12)}`,
  ].join('\n');
  return {
    subject: snsSubject(`Firebreak RELEASE REQUESTED | ${request.playbook} | ${request.incidentId}`),
    text,
    json: JSON.stringify({ schemaVersion: '1', kind: 'firebreak.release-requested', released: false, ...request }),
    attributes: {
      playbook: { DataType: 'String', StringValue: request.playbook },
      outcome: { DataType: 'String', StringValue: 'release-requested' },
      urgent: { DataType: 'String', StringValue: 'false' },
    },
  };
}
