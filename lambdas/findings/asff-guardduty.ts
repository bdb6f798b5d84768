import { showValue } from '../common/describe-issues';
import { accessKeySubject } from './access-key-subject';
import { severityLabel, type Activity, type Finding, type Subject } from '../model/finding';
import { instanceSubject } from './instance-subject';
import { isSampleFinding } from './sample-finding';
import type { AsffFinding, AsffResource } from './securityhub-event-schema';
import type { AuthenticProduct } from './securityhub-product';

export type AsffResult =
  | { readonly kind: 'finding'; readonly finding: Finding }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly problems: readonly string[] };

const FINDING_TYPE = /^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.!&_-]{1,200}$/;
/** ASFF writes a GuardDuty type `Backdoor:EC2/C&CActivity.B!DNS` as `TTPs/.../Backdoor:EC2-C&CActivity.B!DNS`. */
const ASFF_TYPE = /^([A-Za-z]+):([A-Za-z0-9]+)-(.+)$/;
const KEY_RESOURCE_ID = /^AWS::IAM::AccessKey:(.+)$/;
const PF = 'aws/guardduty/service/';

/** The GuardDuty type from an ASFF `Types` entry, or undefined when the entry is not one. */
export function guardDutyTypeOf(asffType: string): string | undefined {
  const last = asffType.split('/').pop() ?? '';
  const match = ASFF_TYPE.exec(last);
  if (!match) return undefined;
  const type = `${match[1]}:${match[2]}/${match[3]}`;
  return FINDING_TYPE.test(type) ? type : undefined;
}

/**
 * A GuardDuty finding as Security Hub imported it, mapped to the model the native normalizer produces: the same
 * finding id (the last part of the ASFF Id, which is the GuardDuty finding ARN), the same subject, so the same
 * incident. Where ASFF lacks what a playbook needs, the subject is unsupported (reported, never written to).
 */
export function guardDutyFromAsff(
  asff: AsffFinding,
  product: AuthenticProduct,
  eventId: string,
  raw: unknown,
): AsffResult {
  const { partition, region } = product;
  const idMatch = new RegExp(
    `^arn:${partition}:guardduty:${region}:(\\d{12}):detector/[0-9a-z]{1,64}/finding/([A-Za-z0-9._:-]{1,128})$`,
  ).exec(asff.Id);
  if (!idMatch)
    return rejected(
      `Id: expected a GuardDuty finding ARN arn:${partition}:guardduty:${region}:<account>:detector/<detector ` +
        `id>/finding/<finding id>, got ${showValue(asff.Id)}`,
    );
  if (idMatch[1] !== asff.AwsAccountId)
    return rejected(`Id: the account ${idMatch[1]} in the finding ARN is not AwsAccountId ${asff.AwsAccountId}`);

  const providerTypes = asff.FindingProviderFields?.Types ?? [];
  const type = providerTypes.map(guardDutyTypeOf).find((candidate) => candidate !== undefined);
  if (!type)
    return rejected(
      `FindingProviderFields.Types: expected a GuardDuty finding type such as TTPs/Initial ` +
        `Access/UnauthorizedAccess:IAMUser-MaliciousIPCaller, got ${showValue(providerTypes)}`,
    );

  const severity = trustedSeverity(asff);
  if (typeof severity === 'string') return { kind: 'ignored', reason: severity };

  const pf = asff.ProductFields;
  const count = Number(pf[`${PF}count`]);
  const finding: Finding = {
    id: idMatch[2]!,
    source: 'guardduty',
    type,
    title: asff.Title ?? type,
    severity,
    severityLabel: severityLabel(severity),
    accountId: asff.AwsAccountId,
    region,
    partition,
    arn: asff.Id,
    createdAt: asff.CreatedAt,
    updatedAt: asff.UpdatedAt,
    ...optional('firstSeen', timestamp(pf[`${PF}eventFirstSeen`]) ?? asff.FirstObservedAt),
    ...optional('lastSeen', timestamp(pf[`${PF}eventLastSeen`]) ?? asff.LastObservedAt),
    ...(Number.isInteger(count) && count >= 0 && pf[`${PF}count`] !== undefined ? { count } : {}),
    sample:
      asff.Sample === true ||
      isSampleFinding({ sample: pf[`${PF}additionalInfo/sample`], value: pf[`${PF}additionalInfo/value`] }, asff.Title),
    ...resourceAndSubject(asff.Resources, pf[`${PF}resourceRole`], asff.AwsAccountId, partition, region),
    activity: activityOf(pf),
    eventId,
    via: 'securityhub',
    securityHub: { id: asff.Id, productArn: asff.ProductArn },
    raw,
  };
  return { kind: 'finding', finding };
}

/**
 * The GuardDuty severity as GuardDuty set it: `FindingProviderFields.Severity` (`Original`, else `Product`), which
 * BatchUpdateFindings cannot change. The top-level `Severity` can be changed by anyone allowed to update findings, so
 * it is never read: a finding without a provider number is not trusted. The number must agree with the provider's
 * label. Returns the reason as a string when it is not trusted.
 */
function trustedSeverity(asff: AsffFinding): number | string {
  const provider = asff.FindingProviderFields?.Severity;
  const original = Number(provider?.Original ?? Number.NaN);
  const severity = Number.isFinite(original) ? original : provider?.Product;
  if (severity === undefined || !Number.isFinite(severity) || severity < 0.1 || severity > 10) {
    return (
      `no GuardDuty severity in FindingProviderFields.Severity (Original or Product, from 0.1 to 10), ` +
      `got ${showValue(severity)}; the top-level Severity can be changed after import and is not used`
    );
  }
  if (!provider?.Label)
    return 'FindingProviderFields.Severity.Label is missing, so the severity cannot be checked against what GuardDuty reported';
  if (severityLabel(severity).toUpperCase() !== provider.Label.toUpperCase()) {
    return (
      `severity ${severity} (${severityLabel(severity)}) disagrees with GuardDuty's ` +
      `FindingProviderFields.Severity.Label ${showValue(provider.Label)}: it is not trusted`
    );
  }
  return severity;
}

function resourceAndSubject(
  resources: readonly AsffResource[],
  resourceRole: string | undefined,
  accountId: string,
  partition: string,
  region: string,
): Pick<Finding, 'resourceType' | 'subject'> {
  const types = resources.map((resource) => resource.Type);
  if (resources.length !== 1) {
    return {
      resourceType: types.join('+'),
      subject: unsupported(
        `${types.join(', ')} resources`,
        `the finding names ${resources.length} resources (${types.join(', ')}); Firebreak ` +
          `acts through Security Hub only on findings about exactly one access key or instance`,
      ),
    };
  }
  const resource = resources[0]!;
  if (resource.Type === 'AwsIamAccessKey') {
    const details = resource.Details?.AwsIamAccessKey as
      { PrincipalId?: unknown; PrincipalType?: unknown; PrincipalName?: unknown; UserName?: unknown } | undefined;
    const accessKeyId = KEY_RESOURCE_ID.exec(resource.Id)?.[1];
    // The same routing as a native finding: the same subject, hence the same incident.
    const subject = accessKeySubject({
      accessKeyId,
      principalId: details?.PrincipalId,
      userName: details?.PrincipalName ?? details?.UserName,
      userType: details?.PrincipalType,
    });
    return { resourceType: 'AccessKey', subject };
  }
  if (resource.Type === 'AwsEc2Instance') {
    const instanceArn = new RegExp(`^arn:${partition}:ec2:${region}:${accountId}:instance/(i-[0-9a-f]+)$`).exec(
      resource.Id,
    );
    if (!instanceArn) {
      return {
        resourceType: 'Instance',
        subject: unsupported(
          'EC2 instance',
          `Resources[0].Id ${showValue(resource.Id)} is not an instance ARN of account ${accountId} in ${region}`,
        ),
      };
    }
    return { resourceType: 'Instance', subject: instanceSubject({ instanceId: instanceArn[1] }, resourceRole) };
  }
  return {
    resourceType: resource.Type,
    subject: unsupported(
      `${resource.Type} resource`,
      `resource type ${showValue(resource.Type)} has no containment in this playbook`,
    ),
  };
}

function activityOf(pf: Record<string, string>): Activity {
  const call = `${PF}action/awsApiCallAction/`;
  const ip = `${call}remoteIpDetails/`;
  const entries: [keyof Activity, string | undefined][] = [
    ['actionType', pf[`${PF}action/actionType`]],
    ['api', pf[`${call}api`]],
    ['serviceName', pf[`${call}serviceName`]],
    ['sourceIp', pf[`${ip}ipAddressV4`] ?? pf[`${ip}ipAddressV6`]],
    ['sourceCountry', pf[`${ip}country/countryName`]],
    [
      'sourceOrganization',
      pf[`${ip}organization/asnOrg`] ?? pf[`${ip}organization/org`] ?? pf[`${ip}organization/isp`],
    ],
    ['userAgent', pf[`${call}userAgent/fullUserAgent`] ?? pf[`${call}userAgent`]],
  ];
  return Object.fromEntries(
    entries
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => [key, value!.slice(0, 1024)]),
  ) as Activity;
}

function timestamp(value: string | undefined): string | undefined {
  return value && !Number.isNaN(Date.parse(value)) ? value : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

function unsupported(description: string, reason: string): Subject {
  return { kind: 'unsupported', description, reason };
}

function rejected(problem: string): AsffResult {
  return { kind: 'rejected', problems: [problem] };
}
