import { showValue } from '../common/describe-issues';
import type { AsffResult } from './asff-guardduty';
import { configFindingId } from './config-finding-id';
import { configSubject } from './config-subject';
import { severityLabel, type ComplianceType, type Finding } from '../model/finding';
import type { AsffFinding, AsffResource } from './securityhub-event-schema';
import type { AuthenticProduct } from './securityhub-product';

const CONFIG_SEVERITY = 5;
const RULE_NAME = /^[\w-]{1,128}$/;
const COMPLIANCE: readonly ComplianceType[] = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'];
/** Security Hub's Compliance.Status for each Config compliance type (INSUFFICIENT_DATA is not imported). */
const STATUS: Partial<Record<ComplianceType, string>> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
};

/**
 * An AWS Config evaluation as Security Hub imported it, mapped to the model the native normalizer produces. The
 * finding id is the native one (rule, Config resource type and id, and `UpdatedAt`, which Security Hub copies from
 * `resultRecordedTime`), so both deliveries are one incident. A resource whose Config type and id cannot be read
 * back from ASFF is ignored with the reason: guessing would make a second incident for the same evaluation.
 */
export function configFromAsff(
  asff: AsffFinding,
  product: AuthenticProduct,
  eventId: string,
  raw: unknown,
): AsffResult {
  const { partition, region } = product;
  const pf = asff.ProductFields;
  const ruleName = pf['aws/config/ConfigRuleName'];
  const ruleArn = pf['aws/config/ConfigRuleArn'];
  const compliance = pf['aws/config/ConfigComplianceType'] as ComplianceType | undefined;
  const problems: string[] = [];
  if (!ruleName || !RULE_NAME.test(ruleName))
    problems.push(
      `ProductFields["aws/config/ConfigRuleName"]: expected a Config rule name, got ${showValue(ruleName)}`,
    );
  const rulePattern = new RegExp(
    `^arn:${partition}:config:${region}:${asff.AwsAccountId}:config-rule/config-rule-[a-z0-9]{1,64}$`,
  );
  if (!ruleArn || !rulePattern.test(ruleArn))
    problems.push(
      `ProductFields["aws/config/ConfigRuleArn"]: expected a Config rule ARN of account ${asff.AwsAccountId} in ${region}, got ${showValue(ruleArn)}`,
    );
  else if (!asff.Id.startsWith(`${ruleArn}/finding/`))
    problems.push(`Id: expected ${ruleArn}/finding/<hash>, got ${showValue(asff.Id)}`);
  if (!compliance || !COMPLIANCE.includes(compliance))
    problems.push(
      `ProductFields["aws/config/ConfigComplianceType"]: expected one of ${COMPLIANCE.join(', ')}, got ${showValue(compliance)}`,
    );
  if (problems.length > 0) return { kind: 'rejected', problems };
  if (asff.Compliance?.Status !== undefined && STATUS[compliance!] !== asff.Compliance.Status) {
    return {
      kind: 'rejected',
      problems: [
        `Compliance.Status ${showValue(asff.Compliance.Status)} disagrees with ProductFields["aws/config/ConfigComplianceType"] ${compliance}`,
      ],
    };
  }
  if (asff.Resources.length !== 1)
    return {
      kind: 'ignored',
      reason: `the Config finding names ${asff.Resources.length} resources; a Config evaluation is about one`,
    };
  const resource = configResource(asff.Resources[0]!, asff.AwsAccountId, partition, region);
  if (typeof resource === 'string')
    return { kind: 'ignored', reason: `${resource}; the native Config event, if any, is handled by the Config rule` };

  const recordedAt = asff.UpdatedAt;
  const finding: Finding = {
    id: configFindingId(ruleName!, resource.type, resource.id, recordedAt),
    source: 'config',
    type: `Config:${ruleName}`,
    title: `${ruleName}: ${resource.type} ${resource.id} is ${compliance}`,
    severity: CONFIG_SEVERITY,
    severityLabel: severityLabel(CONFIG_SEVERITY),
    accountId: asff.AwsAccountId,
    region,
    partition,
    arn: ruleArn!,
    createdAt: recordedAt,
    updatedAt: recordedAt,
    lastSeen: recordedAt,
    sample: false,
    resourceType: resource.type,
    subject: configSubject(resource.type, resource.id, asff.AwsAccountId),
    activity: {},
    config: {
      ruleName: ruleName!,
      ruleArn: ruleArn!,
      compliance: compliance!,
      resourceType: resource.type,
      resourceId: resource.id,
    },
    eventId,
    via: 'securityhub',
    securityHub: { id: asff.Id, productArn: asff.ProductArn },
    raw,
  };
  return { kind: 'finding', finding };
}

/** The Config resource type and id as the native event names them, or why they cannot be known. */
function configResource(
  resource: AsffResource,
  accountId: string,
  partition: string,
  region: string,
): { type: string; id: string } | string {
  switch (resource.Type) {
    case 'AwsEc2SecurityGroup': {
      const match = new RegExp(`^arn:${partition}:ec2:${region}:${accountId}:security-group/(sg-[0-9a-f]+)$`).exec(
        resource.Id,
      );
      return match
        ? { type: 'AWS::EC2::SecurityGroup', id: match[1]! }
        : `Resources[0].Id ${showValue(resource.Id)} is not a security group ARN of account ${accountId} in ${region}`;
    }
    case 'AwsIamUser': {
      // Config names a user by its unique id (AIDA...); the ARN in Resources[0].Id has the name instead.
      const userId = (resource.Details?.AwsIamUser as { UserId?: unknown } | undefined)?.UserId;
      return typeof userId === 'string' && /^AIDA[A-Z0-9]{12,124}$/.test(userId)
        ? { type: 'AWS::IAM::User', id: userId }
        : `Resources[0].Details.AwsIamUser.UserId ${showValue(userId)} is not an IAM user id (AIDA...), which the Config evaluation is keyed by`;
    }
    case 'AwsAccount':
    case 'Other':
      return resource.Id === `AWS::::Account:${accountId}`
        ? { type: 'AWS::::Account', id: accountId }
        : `Resources[0] ${resource.Type} ${showValue(resource.Id)} is not the account ${accountId}`;
    default:
      return `Resources[0].Type ${showValue(resource.Type)} has no known AWS Config resource type here`;
  }
}
