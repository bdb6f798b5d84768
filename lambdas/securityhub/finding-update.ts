import type { BatchUpdateFindingsCommandInput } from '@aws-sdk/client-securityhub';
import type { Outcome } from '../model/outcome';
import type { Finding, SecurityHubIdentity } from '../model/finding';
import { oneLine } from '../notify/sanitize';
import { OUTCOME_WORDS } from '../notify/status-words';

export const NOTE_MAX_CHARS = 512;
export const UPDATED_BY = 'Firebreak';

export type FindingUpdate =
  | { readonly kind: 'update'; readonly input: BatchUpdateFindingsCommandInput }
  | { readonly kind: 'skip'; readonly reason: string };

export interface FindingUpdateOptions {
  /** Also update native GuardDuty findings, whose ASFF identity is their GuardDuty ARN. */
  readonly updateNativeFindings: boolean;
}

/**
 * The Security Hub update for an outcome: workflow NOTIFIED and a note with what was done and how to release it.
 * Never RESOLVED: containment ends the attacker's access, not the investigation (a person still has to look at
 * what the principal or instance did), and a Config fix is confirmed only by Config's next evaluation, which
 * Security Hub itself turns into RESOLVED (Compliance.Status PASSED). A concurrent duplicate updates nothing.
 */
export function findingUpdateFor(outcome: Outcome, options: FindingUpdateOptions): FindingUpdate {
  if (outcome.status === 'duplicate')
    return { kind: 'skip', reason: 'another delivery of this finding is handling it' };
  const identity = securityHubIdentityOf(outcome.finding, options);
  if (typeof identity === 'string') return { kind: 'skip', reason: identity };
  return {
    kind: 'update',
    input: {
      FindingIdentifiers: [{ Id: identity.id, ProductArn: identity.productArn }],
      Workflow: { Status: 'NOTIFIED' },
      Note: { Text: noteFor(outcome), UpdatedBy: UPDATED_BY },
    },
  };
}

/** The ASFF identity: carried by a Security Hub finding, built for a native GuardDuty finding from its ARN. */
export function securityHubIdentityOf(finding: Finding, options: FindingUpdateOptions): SecurityHubIdentity | string {
  if (finding.securityHub) return finding.securityHub;
  if (!options.updateNativeFindings)
    return 'the finding did not arrive through Security Hub (securityHub.updateNativeFindings is off)';
  if (finding.source !== 'guardduty')
    return 'a native Config evaluation has no ASFF id that can be built (Security Hub hashes it); its Security Hub finding is left as it is';
  const match =
    /^arn:(aws[a-z-]*):guardduty:([a-z0-9-]+):(\d{12}):detector\/[0-9a-z]{1,64}\/finding\/([A-Za-z0-9._:-]{1,128})$/.exec(
      finding.arn ?? '',
    );
  if (!match || match[4] !== finding.id || match[3] !== finding.accountId || match[2] !== finding.region) {
    return (
      `the GuardDuty finding ARN ${JSON.stringify(finding.arn ?? null)} is not ` +
      `arn:<partition>:guardduty:<region>:<account>:detector/<detector id>/finding/${finding.id}`
    );
  }
  return { id: finding.arn!, productArn: `arn:${match[1]}:securityhub:${match[2]}::product/aws/guardduty` };
}

/** At most 512 characters: what was done, the incident, and how to release it; the release part is kept whole. */
export function noteFor(outcome: Outcome): string {
  const done = outcome.steps.filter((step) => step.status === 'done').length;
  const failed = outcome.steps.filter((step) => step.status === 'failed').length;
  const wrote = outcome.steps.some(
    (step) => step.status === 'done' || (step.status === 'failed' && step.replaced !== undefined),
  );
  const head =
    `Firebreak ${OUTCOME_WORDS[outcome.status]} (playbook ${outcome.playbook.id}, ` +
    `${outcome.playbook.mode}): ${done} step(s) done, ${failed} failed.`;
  const why = outcome.reason ? ` ${outcome.reason}.` : '';
  const incident = outcome.incidentId ?? '(no ledger)';
  const release = wrote
    ? ` Release: npm run firebreak -- release '${incident}' --function <ReleaseFunctionName> (the custom action "Firebreak: release" only asks for it)`
    : ` Incident ${incident}: nothing was changed, nothing to release.`;
  const tail = oneLine(release, NOTE_MAX_CHARS);
  return oneLine(`${head}${why}`, NOTE_MAX_CHARS - tail.length - 1) + ' ' + tail.trimStart();
}
