import type { Playbook } from '../../lambdas/model/playbook';
import { CUSTOM_ACTION, FINDINGS_IMPORTED, SECURITY_HUB_SOURCE } from '../../lambdas/findings/parse-securityhub-event';
import type { EventPattern } from './event-pattern';

/** The ASFF resource type of each GuardDuty resource type a playbook can take through Security Hub. */
const ASFF_RESOURCE_TYPES: Record<string, string> = { AccessKey: 'AwsIamAccessKey', Instance: 'AwsEc2Instance' };
/** The highest GuardDuty severity of each ASFF label. */
const LABEL_MAX: readonly [string, number][] = [
  ['LOW', 3.9],
  ['MEDIUM', 6.9],
  ['HIGH', 8.9],
  ['CRITICAL', 10],
];

/**
 * The pattern of a playbook's Security Hub rule: findings imported by GuardDuty or Config (ProductArn suffix; the
 * function authenticates the whole ARN again), of the playbook's types, untriaged (Workflow NEW: Firebreak's own
 * NOTIFIED update does not start it again). EventBridge matches when any finding of the event matches, so the
 * function checks each finding against the trigger. For a custom action: the action's ARN, any workflow status.
 * Undefined when the playbook takes nothing Security Hub carries (a GuardDuty resource type without an ASFF form).
 */
export function securityHubPatternFor(playbook: Playbook, customActionArn?: string): EventPattern | undefined {
  const { trigger } = playbook;
  const untriaged = customActionArn ? {} : { Workflow: { Status: ['NEW'] }, RecordState: ['ACTIVE'] };
  let findings: Record<string, unknown>;
  if (trigger.source === 'config') {
    findings = {
      ProductArn: [{ suffix: '::product/aws/config' }],
      ProductFields: trigger.configRules.includes('*')
        ? { 'aws/config/ConfigComplianceType': ['NON_COMPLIANT'] }
        : { 'aws/config/ConfigRuleName': trigger.configRules.map((rule) => ({ wildcard: `*${rule}*` })) },
      ...untriaged,
    };
  } else {
    const resourceTypes = trigger.resourceTypes
      .map((type) => ASFF_RESOURCE_TYPES[type])
      .filter((type): type is string => type !== undefined);
    if (resourceTypes.length === 0) return undefined;
    findings = {
      ProductArn: [{ suffix: '::product/aws/guardduty' }],
      // ASFF writes UnauthorizedAccess:IAMUser/X as <namespace>/.../UnauthorizedAccess:IAMUser-X.
      FindingProviderFields: {
        Types: trigger.findingTypePrefixes.map((prefix) => ({ wildcard: `*/${prefix.replace('/', '-')}*` })),
        Severity: { Label: LABEL_MAX.filter(([, max]) => max >= trigger.minimumSeverity).map(([label]) => label) },
      },
      Resources: { Type: resourceTypes },
      ...untriaged,
    };
  }
  return {
    source: [SECURITY_HUB_SOURCE],
    detailType: [customActionArn ? CUSTOM_ACTION : FINDINGS_IMPORTED],
    ...(customActionArn ? { resources: [customActionArn] } : {}),
    detail: { findings },
  };
}
