import type { Finding } from '../model/finding';
import { matchProtected, subjectArns } from '../kinds/protected-principals';
import type { ResponderSettings } from './responder-settings';

/** The reason a finding gets no write before anything is read, or undefined when it may go on. Pure. */
export function gateFinding(finding: Finding, settings: ResponderSettings): string | undefined {
  const { trigger } = settings.playbook;
  if (finding.sample) {
    return 'GuardDuty sample finding (service.additionalInfo.sample): Firebreak never acts on samples. Routing and notification work.';
  }
  if (trigger.source === 'guardduty' && finding.severity < trigger.minimumSeverity) {
    return `severity ${finding.severity} is below this playbook's minimum ${trigger.minimumSeverity}`;
  }
  if (finding.config && finding.config.compliance !== 'NON_COMPLIANT') {
    return `Config rule ${finding.config.ruleName} now finds ${finding.config.resourceType} ${finding.config.resourceId} ${finding.config.compliance}: nothing to fix`;
  }
  if (finding.accountId !== settings.homeAccountId && !settings.memberRoleName) {
    return `the finding is about account ${finding.accountId}; this deployment acts only in its own account ${settings.homeAccountId} (set organization.memberRoleName and deploy the member-account stack to act in member accounts)`;
  }
  const match = matchProtected(subjectArns(finding), settings.protectedPrincipals);
  if (match) return `${match.arn} is a protected principal (pattern ${match.pattern})`;
  return undefined;
}

/** Checks made once IAM has been read: the real ARN (with its path) and the exemption tag. */
export function gateResolved(
  arn: string | undefined,
  tags: Readonly<Record<string, string>>,
  settings: ResponderSettings,
): string | undefined {
  if (arn) {
    const match = matchProtected([arn], settings.protectedPrincipals);
    if (match) return `${match.arn} is a protected principal (pattern ${match.pattern})`;
  }
  const exemption = tags[settings.exemptionTagKey];
  if (exemption !== undefined && exemption.toLowerCase() === 'true') {
    return `${arn ?? 'the principal'} carries the exemption tag ${settings.exemptionTagKey}=${exemption}`;
  }
  return undefined;
}
