import type { Plan, Target } from '../../model/action';
import {
  SESSIONS_ISSUED_BEFORE_POLICY,
  denySessionsIssuedBefore,
  iamTimestamp,
  issuedBeforeOf,
} from './iam-policy-documents';
import { holderName, inlinePolicyReleaseCommands, type InlinePolicyWrite, type PolicyHolder } from './inline-policy';

/**
 * Plans a `aws:TokenIssueTime` deny on a user or role. An existing Firebreak deny is enough when its cut-off is
 * after the finding's last observed activity: the sessions that were used are already denied. Otherwise the
 * cut-off moves to now, and the replaced document is recorded.
 */
export function planSessionsIssuedBefore(
  target: Target,
  holder: PolicyHolder,
  existing: string | null,
  now: Date,
): Plan<InlinePolicyWrite> {
  const lastActivity = target.finding.lastSeen ?? target.finding.updatedAt;
  const existingCutoff = existing === null ? undefined : issuedBeforeOf(existing);
  if (existingCutoff !== undefined && Date.parse(existingCutoff) >= Date.parse(lastActivity)) {
    return {
      kind: 'no-op',
      summary: `${capitalise(holderName(holder))} already denies sessions issued before ${existingCutoff} (activity last seen ${lastActivity})`,
    };
  }
  const cutoff = iamTimestamp(now);
  return {
    kind: 'write',
    summary:
      `Deny every session of ${holderName(holder)} issued before ${cutoff} (inline policy ` +
      `${SESSIONS_ISSUED_BEFORE_POLICY}${existing === null ? '' : ', replacing an older cut-off'})`,
    write: { holder, policyName: SESSIONS_ISSUED_BEFORE_POLICY, document: denySessionsIssuedBefore(cutoff) },
    replaced: { policyName: SESSIONS_ISSUED_BEFORE_POLICY, document: existing },
    release: inlinePolicyReleaseCommands(holder, SESSIONS_ISSUED_BEFORE_POLICY, existing),
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
