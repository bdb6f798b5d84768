import type { Finding } from '../../model/finding';
import type { Ec2InstanceResource } from '../../model/resource';

interface FindingInstanceDetails {
  networkInterfaces?: unknown;
  iamInstanceProfile?: unknown;
  tags?: unknown;
}

interface FindingInterface {
  networkInterfaceId?: unknown;
  vpcId?: unknown;
  securityGroups?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** GuardDuty's copy is data from the event: any entry may be missing or of the wrong type. */
const objects = <T extends object>(value: unknown): T[] =>
  Array.isArray(value) ? value.filter((entry): entry is T => entry !== null && typeof entry === 'object') : [];

const objectOr = <T extends object>(value: unknown): T | undefined =>
  value !== null && typeof value === 'object' ? (value as T) : undefined;

/**
 * What `simulate` assumes of an instance without AWS: the interfaces, groups, profile and tags that the finding's
 * `detail.resource.instanceDetails` lists. GuardDuty lists no volumes: simulate cannot know them.
 */
export function instanceFromFinding(finding: Finding, arn: string, instanceId: string): Ec2InstanceResource {
  const detail = objectOr<{ resource?: unknown }>(objectOr<{ detail?: unknown }>(finding.raw)?.detail);
  const details =
    objectOr<FindingInstanceDetails>(objectOr<{ instanceDetails?: unknown }>(detail?.resource)?.instanceDetails) ?? {};
  const profile = objectOr<{ arn?: unknown }>(details.iamInstanceProfile);
  return {
    kind: 'ec2-instance',
    instanceId,
    arn,
    state: 'running',
    spot: false,
    interfaces: objects<FindingInterface>(details.networkInterfaces).map((eni, index) => ({
      networkInterfaceId: text(eni.networkInterfaceId) || `(interface ${index + 1}, unknown without AWS)`,
      vpcId: text(eni.vpcId) || '(unknown VPC)',
      deviceIndex: index,
      groupIds: objects<{ groupId?: unknown }>(eni.securityGroups).map((group) => text(group.groupId)),
    })),
    volumes: [],
    ...(text(profile?.arn) ? { instanceProfileArn: text(profile?.arn) } : {}),
    assumed: true,
    tags: Object.fromEntries(
      objects<{ key?: unknown; value?: unknown }>(details.tags).map((tag) => [text(tag.key), text(tag.value)]),
    ),
  };
}
