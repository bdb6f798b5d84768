import { describeIssues, showValue } from '../common/describe-issues';
import { configDetailSchema } from './config-event-schema';
import { configFindingId } from './config-finding-id';
import { configSubject } from './config-subject';
import { accessKeySubject } from './access-key-subject';
import { instanceSubject } from './instance-subject';
import type { Activity, Finding, Subject } from '../model/finding';
import { severityLabel } from '../model/finding';
import { FindingRejectedError } from './finding-rejected-error';
import { envelopeSchema, guardDutyDetailSchema, type GuardDutyDetail } from './guardduty-event-schema';
import { isSampleFinding } from './sample-finding';

export type ParsedEvent =
  | { readonly kind: 'finding'; readonly finding: Finding }
  | { readonly kind: 'ignored'; readonly reason: string; readonly source: string; readonly detailType: string };

const GUARDDUTY_SOURCE = 'aws.guardduty';
const GUARDDUTY_FINDING = 'GuardDuty Finding';
const CONFIG_SOURCE = 'aws.config';
const CONFIG_COMPLIANCE_CHANGE = 'Config Rules Compliance Change';
/** Config has no severity: its findings are Medium, and the playbook decides what to do by rule. */
const CONFIG_SEVERITY = 5;

/**
 * Reads one EventBridge event. The source and detail-type authenticate it: only AWS services can publish
 * `aws.*` sources. Other GuardDuty events (API calls via CloudTrail, health, ...) are ignored with a reason;
 * anything else, and any finding that does not match the documented format, is rejected.
 */
export function parseEvent(event: unknown): ParsedEvent {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) {
    throw new FindingRejectedError(describeIssues(envelope.error, event));
  }
  const { source, 'detail-type': detailType } = envelope.data;
  if (source === CONFIG_SOURCE) return parseConfigEvent(envelope.data, event);
  if (source !== GUARDDUTY_SOURCE) {
    throw new FindingRejectedError([
      `source: expected "${GUARDDUTY_SOURCE}" or "${CONFIG_SOURCE}", got ${showValue(source)}; ` +
        `this function handles GuardDuty findings and Config compliance changes`,
    ]);
  }
  if (detailType !== GUARDDUTY_FINDING) {
    return {
      kind: 'ignored',
      source,
      detailType,
      reason: `a ${GUARDDUTY_SOURCE} event of detail-type ${showValue(detailType)} is not a finding`,
    };
  }
  const detail = guardDutyDetailSchema.safeParse(envelope.data.detail);
  if (!detail.success) {
    throw new FindingRejectedError(describeIssues(detail.error, envelope.data.detail, 'detail'));
  }
  return { kind: 'finding', finding: toFinding(detail.data, envelope.data.id ?? '(none)', event) };
}

function toFinding(detail: GuardDutyDetail, eventId: string, raw: unknown): Finding {
  const sample = isSampleFinding(detail.service.additionalInfo, detail.title);
  return {
    id: detail.id,
    source: 'guardduty',
    type: detail.type,
    title: detail.title ?? detail.type,
    severity: detail.severity,
    severityLabel: severityLabel(detail.severity),
    accountId: detail.accountId,
    region: detail.region,
    partition: detail.partition,
    ...(detail.arn ? { arn: detail.arn } : {}),
    createdAt: detail.createdAt,
    updatedAt: detail.updatedAt,
    ...(detail.service.eventFirstSeen ? { firstSeen: detail.service.eventFirstSeen } : {}),
    ...(detail.service.eventLastSeen ? { lastSeen: detail.service.eventLastSeen } : {}),
    ...(detail.service.count !== undefined ? { count: detail.service.count } : {}),
    sample,
    resourceType: detail.resource.resourceType,
    subject: subjectOf(detail),
    activity: activityOf(detail),
    eventId,
    via: 'native',
    raw,
  };
}

function subjectOf(detail: GuardDutyDetail): Subject {
  if (detail.resource.resourceType === 'AccessKey') return accessKeySubject(detail.resource.accessKeyDetails);
  if (detail.resource.resourceType === 'Instance')
    return instanceSubject(detail.resource.instanceDetails, detail.service.resourceRole);
  return {
    kind: 'unsupported',
    description: `${detail.resource.resourceType} resource`,
    reason: `resource type ${showValue(detail.resource.resourceType)} has no containment in this playbook`,
  };
}

function activityOf(detail: GuardDutyDetail): Activity {
  const call = detail.service.action?.awsApiCallAction;
  const ip = call?.remoteIpDetails;
  const entries: [keyof Activity, string | undefined][] = [
    ['actionType', detail.service.action?.actionType],
    ['api', call?.api],
    ['serviceName', call?.serviceName],
    ['sourceIp', ip?.ipAddressV4 ?? ip?.ipAddressV6],
    ['sourceCountry', ip?.country?.countryName],
    ['sourceOrganization', ip?.organization?.asnOrg ?? ip?.organization?.org ?? ip?.organization?.isp],
    ['userAgent', userAgentOf(call?.userAgent, detail.service.additionalInfo)],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined && value !== '')) as Activity;
}

/** In `awsApiCallAction.userAgent` (a string or an object), or in `additionalInfo.userAgent` on anomaly findings. */
function userAgentOf(
  fromCall: string | { fullUserAgent?: string | undefined; userAgent?: string | undefined } | undefined,
  additionalInfo: unknown,
): string | undefined {
  if (typeof fromCall === 'string') return fromCall;
  const fromObject = fromCall?.fullUserAgent ?? fromCall?.userAgent;
  if (fromObject) return fromObject;
  const info = additionalInfo as { userAgent?: { fullUserAgent?: unknown } } | null | undefined;
  const fromInfo = info && typeof info === 'object' ? info.userAgent?.fullUserAgent : undefined;
  return typeof fromInfo === 'string' ? fromInfo.slice(0, 1024) : undefined;
}

function parseConfigEvent(
  envelope: { 'detail-type': string; id?: string | undefined; detail: unknown },
  raw: unknown,
): ParsedEvent {
  const detailType = envelope['detail-type'];
  if (detailType !== CONFIG_COMPLIANCE_CHANGE) {
    return {
      kind: 'ignored',
      source: CONFIG_SOURCE,
      detailType,
      reason: `a ${CONFIG_SOURCE} event of detail-type ${showValue(detailType)} is not a compliance change`,
    };
  }
  const parsed = configDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) throw new FindingRejectedError(describeIssues(parsed.error, envelope.detail, 'detail'));
  const detail = parsed.data;
  const evaluation = detail.newEvaluationResult;
  const previous = detail.oldEvaluationResult?.complianceType;
  const partition = /^arn:(aws[a-z-]*):/.exec(detail.configRuleARN ?? '')?.[1] ?? 'aws';
  const subject = configSubject(detail.resourceType, detail.resourceId, detail.awsAccountId);
  return {
    kind: 'finding',
    finding: {
      // One incident per rule, resource and evaluation: a resource that turns non-compliant again is a new incident.
      id: configFindingId(detail.configRuleName, detail.resourceType, detail.resourceId, evaluation.resultRecordedTime),
      source: 'config',
      type: `Config:${detail.configRuleName}`,
      title:
        `${detail.configRuleName}: ${detail.resourceType} ${detail.resourceId} is ` +
        `${evaluation.complianceType}${evaluation.annotation ? ` (${evaluation.annotation})` : ''}`,
      severity: CONFIG_SEVERITY,
      severityLabel: severityLabel(CONFIG_SEVERITY),
      accountId: detail.awsAccountId,
      region: detail.awsRegion,
      partition,
      ...(detail.configRuleARN ? { arn: detail.configRuleARN } : {}),
      createdAt: evaluation.resultRecordedTime,
      updatedAt: detail.notificationCreationTime ?? evaluation.resultRecordedTime,
      ...(evaluation.configRuleInvokedTime ? { firstSeen: evaluation.configRuleInvokedTime } : {}),
      lastSeen: evaluation.resultRecordedTime,
      sample: false,
      resourceType: detail.resourceType,
      subject,
      activity: {},
      config: {
        ruleName: detail.configRuleName,
        ...(detail.configRuleARN ? { ruleArn: detail.configRuleARN } : {}),
        compliance: evaluation.complianceType,
        ...(previous ? { previousCompliance: previous } : {}),
        ...(evaluation.annotation ? { annotation: evaluation.annotation } : {}),
        resourceType: detail.resourceType,
        resourceId: detail.resourceId,
      },
      eventId: envelope.id ?? '(none)',
      via: 'native',
      raw,
    },
  };
}
