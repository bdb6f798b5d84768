import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { awsCall, errorCodeOf } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';

/** Firebreak's groups are found by this tag, so an existing group is reused instead of created again. */
export const GROUP_ROLE_TAG = 'firebreak:group-role';
export type GroupRole = 'quarantine' | 'all-traffic-transition';

export interface VpcGroups {
  quarantine?: string;
  transition?: string;
}

const ALL_TRAFFIC: IpPermission[] = [
  { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
];

export function groupName(role: GroupRole, vpcId: string): string {
  return role === 'quarantine' ? `firebreak-quarantine-${vpcId}` : `firebreak-all-traffic-${vpcId}`;
}

/** Firebreak's quarantine and transition groups in each VPC, found by tag (one call for all VPCs). */
export async function findFirebreakGroups(
  vpcIds: readonly string[],
  clients: AwsClients,
): Promise<Record<string, VpcGroups>> {
  return (await readFirebreakGroups(vpcIds, clients)).groups;
}

/** As findFirebreakGroups, with the groups as described (their rules) by the same call. */
export async function readFirebreakGroups(
  vpcIds: readonly string[],
  clients: AwsClients,
): Promise<{ groups: Record<string, VpcGroups>; described: SecurityGroup[] }> {
  if (vpcIds.length === 0) return { groups: {}, described: [] };
  const response = await awsCall('ec2:DescribeSecurityGroups', `VPCs ${vpcIds.join(', ')}`, () =>
    clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [...vpcIds] },
          { Name: `tag:${GROUP_ROLE_TAG}`, Values: ['quarantine', 'all-traffic-transition'] },
        ],
      }),
    ),
  );
  const found: Record<string, VpcGroups> = Object.fromEntries(vpcIds.map((vpcId) => [vpcId, {}]));
  for (const group of response.SecurityGroups ?? []) {
    const role = group.Tags?.find((tag) => tag.Key === GROUP_ROLE_TAG)?.Value;
    const slot = group.VpcId ? found[group.VpcId] : undefined;
    if (!slot || !group.GroupId) continue;
    if (role === 'quarantine' && !slot.quarantine) slot.quarantine = group.GroupId;
    if (role === 'all-traffic-transition' && !slot.transition) slot.transition = group.GroupId;
  }
  return { groups: found, described: response.SecurityGroups ?? [] };
}

export async function describeGroups(groupIds: readonly string[], clients: AwsClients): Promise<SecurityGroup[]> {
  if (groupIds.length === 0) return [];
  const response = await awsCall('ec2:DescribeSecurityGroups', `groups ${groupIds.join(', ')}`, () =>
    clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] })),
  );
  return response.SecurityGroups ?? [];
}

/**
 * Creates a Firebreak group in a VPC. A quarantine group ends with no rules at all (a new group's default allow-all
 * egress is revoked); a transition group allows all traffic both ways, IPv4 and IPv6, so that flows through it are
 * untracked. If another invocation created the group first, that group is used.
 */
export async function createGroup(role: GroupRole, vpcId: string, clients: AwsClients): Promise<string> {
  const name = groupName(role, vpcId);
  let groupId: string;
  try {
    const created = await awsCall('ec2:CreateSecurityGroup', `${name} in ${vpcId}`, () =>
      clients.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: name,
          VpcId: vpcId,
          Description:
            role === 'quarantine'
              ? 'Firebreak quarantine: no inbound and no outbound traffic'
              : 'Firebreak transition: attached for seconds so tracked connections become untracked, then replaced',
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: GROUP_ROLE_TAG, Value: role },
                { Key: 'Name', Value: name },
              ],
            },
          ],
        }),
      ),
    );
    groupId = created.GroupId!;
  } catch (error) {
    if (errorCodeOf((error as { cause?: unknown }).cause) !== 'InvalidGroup.Duplicate') throw error;
    const existing = await awsCall('ec2:DescribeSecurityGroups', `${name} in ${vpcId}`, () =>
      clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: [name] },
          ],
        }),
      ),
    );
    const id = existing.SecurityGroups?.[0]?.GroupId;
    if (!id) throw error;
    return id;
  }
  if (role === 'quarantine') {
    const [group] = await describeGroups([groupId], clients);
    const egress = group?.IpPermissionsEgress ?? [];
    if (egress.length > 0) {
      await awsCall('ec2:RevokeSecurityGroupEgress', `${name} (${groupId})`, () =>
        clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress })),
      );
    }
  } else {
    await Promise.all([
      awsCall('ec2:AuthorizeSecurityGroupIngress', `${name} (${groupId})`, () =>
        clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ALL_TRAFFIC })),
      ),
      // IPv4 all-traffic egress is the default of a new group; IPv6 is added.
      awsCall('ec2:AuthorizeSecurityGroupEgress', `${name} (${groupId})`, () =>
        clients.ec2.send(
          new AuthorizeSecurityGroupEgressCommand({
            GroupId: groupId,
            IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
          }),
        ),
      ),
    ]);
  }
  return groupId;
}

/** Number of rules in a group: a quarantine group must have none. */
export function ruleCount(group: SecurityGroup | undefined): number {
  const count = (permissions: IpPermission[] | undefined) =>
    (permissions ?? []).reduce(
      (sum, permission) =>
        sum +
        Math.max(
          1,
          (permission.IpRanges?.length ?? 0) +
            (permission.Ipv6Ranges?.length ?? 0) +
            (permission.UserIdGroupPairs?.length ?? 0) +
            (permission.PrefixListIds?.length ?? 0),
        ),
      0,
    );
  return count(group?.IpPermissions) + count(group?.IpPermissionsEgress);
}

/** Removes every rule of a Firebreak quarantine group that someone (or a failed creation) left in it. */
export async function clearRules(groupId: string, clients: AwsClients): Promise<void> {
  // A concurrent invocation may be emptying the same group (a group it just created still has its default egress
  // when another one reads it): a rule already gone fails the whole revoke, so read again and revoke what is left.
  for (let attempt = 1; ; attempt += 1) {
    const [group] = await describeGroups([groupId], clients);
    const ingress = group?.IpPermissions ?? [];
    const egress = group?.IpPermissionsEgress ?? [];
    try {
      await Promise.all([
        ingress.length
          ? awsCall('ec2:RevokeSecurityGroupIngress', `quarantine group ${groupId}`, () =>
              clients.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress })),
            )
          : undefined,
        egress.length
          ? awsCall('ec2:RevokeSecurityGroupEgress', `quarantine group ${groupId}`, () =>
              clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress })),
            )
          : undefined,
      ]);
      return;
    } catch (error) {
      if (attempt >= 3 || errorCodeOf((error as { cause?: unknown }).cause) !== 'InvalidPermission.NotFound')
        throw error;
    }
  }
}

/** Puts back the all-traffic rules of a transition group that lost them (without them flows stay tracked). */
export async function completeTransitionGroup(groupId: string, clients: AwsClients): Promise<void> {
  const tolerateDuplicate = (error: unknown) => {
    if (errorCodeOf((error as { cause?: unknown }).cause) !== 'InvalidPermission.Duplicate') throw error;
  };
  await Promise.all([
    awsCall('ec2:AuthorizeSecurityGroupIngress', `transition group ${groupId}`, () =>
      clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ALL_TRAFFIC })),
    ).catch(tolerateDuplicate),
    awsCall('ec2:AuthorizeSecurityGroupEgress', `transition group ${groupId}`, () =>
      clients.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: ALL_TRAFFIC })),
    ).catch(tolerateDuplicate),
  ]);
}

/** A transition group is complete when it allows all traffic both ways, IPv4 and IPv6. */
export function isCompleteTransition(group: SecurityGroup | undefined): boolean {
  const allTraffic = (permissions: IpPermission[] | undefined) => {
    const all = (permissions ?? []).filter((permission) => permission.IpProtocol === '-1');
    return (
      all.some((permission) => permission.IpRanges?.some((range) => range.CidrIp === '0.0.0.0/0')) &&
      all.some((permission) => permission.Ipv6Ranges?.some((range) => range.CidrIpv6 === '::/0'))
    );
  };
  return allTraffic(group?.IpPermissions) && allTraffic(group?.IpPermissionsEgress);
}
