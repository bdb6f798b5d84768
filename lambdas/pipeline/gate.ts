import { followUpSteps } from '../kinds/manual-steps';
import { matchProtected, subjectArns } from '../kinds/protected-principals';
import type { Resolution } from '../kinds/resolve-resource';
import type { Finding } from '../model/finding';
import type { Resource } from '../model/resource';
import { failedRead, type Verdict } from './assemble-outcome';
import type { ResponderSettings } from './responder-settings';
import type { Settled } from './settle';

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
    const { ruleName, resourceType, resourceId, compliance } = finding.config;
    return `Config rule ${ruleName} now finds ${resourceType} ${resourceId} ${compliance}: nothing to fix`;
  }
  if (finding.accountId !== settings.homeAccountId && !settings.memberRoleName) {
    return (
      `the finding is about account ${finding.accountId}; this deployment acts only in its own account ` +
      `${settings.homeAccountId} (set organization.memberRoleName and deploy the member-account stack to act in ` +
      'member accounts)'
    );
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

/** What was resolved, once it passed the gate. */
export interface Resolved {
  readonly resource: Resource;
  readonly resourceArn: string | undefined;
}

/**
 * The resource as AWS has it: a failed read is not contained (nothing changed), a resource that is not what the
 * finding names is skipped, and the resolved one passes `gateResolved`.
 */
export function gateResolution(
  resolution: Settled<Resolution>,
  finding: Finding,
  settings: ResponderSettings,
): Verdict<Resolved> {
  if (!resolution.ok) {
    const failure = failedRead('resolve-resource', 'Read the resource the finding names', resolution.error);
    return { stop: { status: 'not-contained', steps: [failure], manualSteps: followUpSteps(finding) } };
  }
  if (resolution.value.kind === 'mismatch') {
    const reason = resolution.value.reason;
    return { stop: { status: 'skipped', reason, steps: [], manualSteps: followUpSteps(finding) } };
  }
  const { resource } = resolution.value;
  const resourceArn = resource.kind === 'unresolved' ? undefined : resource.arn;
  const reason = gateResolved(resourceArn, resource.kind === 'unresolved' ? {} : resource.tags, settings);
  if (reason) return { stop: { status: 'skipped', reason, steps: [], resourceArn } };
  return { go: { resource, resourceArn } };
}
