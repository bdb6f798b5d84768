import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, type Instance } from '@aws-sdk/client-ec2';
import { GetRoleCommand, GetUserCommand, ListUsersCommand, type Tag } from '@aws-sdk/client-iam';
import { rulesOf } from '../actions/support/security-group-rules';
import { awsCall, errorCodeOf, isNoSuchEntity } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Finding } from '../model/finding';
import type { Permission } from '../model/action';
import type { Ec2InstanceResource, Resource } from '../model/resource';

export type Resolution =
  | { readonly kind: 'resolved'; readonly resource: Resource }
  /** What the finding names is not what AWS has now (gone, re-created, terminated): acting could hit the wrong thing. */
  | { readonly kind: 'mismatch'; readonly reason: string };

/** What resolving needs, by the GuardDuty resource type a playbook receives; the CDK adds these to its responder. */
export const RESOLVE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  AccessKey: [
    { action: 'iam:GetUser', resource: 'iam-user', write: false },
    { action: 'iam:GetRole', resource: 'iam-role', write: false },
  ],
  Instance: [{ action: 'ec2:DescribeInstances', resource: 'unscoped', write: false }],
  'AWS::EC2::SecurityGroup': [{ action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false }],
  'AWS::IAM::User': [
    { action: 'iam:ListUsers', resource: 'iam-user', write: false },
    { action: 'iam:GetUser', resource: 'iam-user', write: false },
  ],
};

function tagsOf(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

/**
 * Reads what the finding names. IAM: GetUser / GetRole (ARN with path, unique id, tags), checking the unique id so a
 * user or role deleted and re-created under the same name is not touched. EC2: DescribeInstances (interfaces with
 * their groups and VPCs, volumes, instance profile, tags), refusing a terminated instance.
 */
export async function resolveResource(finding: Finding, clients: AwsClients): Promise<Resolution> {
  const { subject } = finding;
  try {
    if (subject.kind === 'iam-user') {
      const response = await awsCall('iam:GetUser', `user ${subject.userName}`, () =>
        clients.iam.send(new GetUserCommand({ UserName: subject.userName })),
      );
      const user = response.User;
      if (!user?.UserId || !user.Arn)
        return { kind: 'mismatch', reason: `IAM returned no id for user ${subject.userName}` };
      // principalId is the user's unique id (AIDA...) for its long-term keys and for the sessions it mints.
      if (user.UserId !== subject.principalId) {
        return {
          kind: 'mismatch',
          reason: `user ${subject.userName} now has id ${user.UserId}, the finding names ${subject.principalId}: the user was re-created since`,
        };
      }
      return {
        kind: 'resolved',
        resource: {
          kind: 'iam-user',
          userName: subject.userName,
          userId: user.UserId,
          arn: user.Arn,
          tags: tagsOf(user.Tags as Tag[] | undefined),
        },
      };
    }
    if (subject.kind === 'assumed-role') {
      const response = await awsCall('iam:GetRole', `role ${subject.roleName}`, () =>
        clients.iam.send(new GetRoleCommand({ RoleName: subject.roleName })),
      );
      const role = response.Role;
      if (!role?.RoleId || !role.Arn)
        return { kind: 'mismatch', reason: `IAM returned no id for role ${subject.roleName}` };
      if (role.RoleId !== subject.roleId) {
        return {
          kind: 'mismatch',
          reason: `role ${subject.roleName} now has id ${role.RoleId}, the session belonged to ${subject.roleId}: the role was re-created since`,
        };
      }
      return {
        kind: 'resolved',
        resource: {
          kind: 'iam-role',
          roleName: subject.roleName,
          roleId: role.RoleId,
          arn: role.Arn,
          path: role.Path ?? '/',
          tags: tagsOf(role.Tags),
        },
      };
    }
    if (subject.kind === 'security-group') {
      const response = await awsCall('ec2:DescribeSecurityGroups', `group ${subject.groupId}`, () =>
        clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [subject.groupId] })),
      );
      const group = response.SecurityGroups?.find((candidate) => candidate.GroupId === subject.groupId);
      if (!group)
        return {
          kind: 'mismatch',
          reason: `security group ${subject.groupId} no longer exists in account ${finding.accountId}`,
        };
      return {
        kind: 'resolved',
        resource: {
          kind: 'security-group',
          groupId: subject.groupId,
          groupName: group.GroupName ?? '',
          vpcId: group.VpcId ?? '',
          arn: `arn:${finding.partition}:ec2:${finding.region}:${finding.accountId}:security-group/${subject.groupId}`,
          tags: tagsOf(group.Tags),
          ingress: rulesOf(group.IpPermissions),
          egress: rulesOf(group.IpPermissionsEgress),
        },
      };
    }
    if (subject.kind === 'iam-user-id') {
      // Config names an IAM user by its unique id; IAM reads users by name.
      const userName = await userNameOf(subject.userId, clients);
      if (!userName)
        return {
          kind: 'mismatch',
          reason: `no IAM user has the id ${subject.userId} in account ${finding.accountId} any more`,
        };
      const response = await awsCall('iam:GetUser', `user ${userName}`, () =>
        clients.iam.send(new GetUserCommand({ UserName: userName })),
      );
      const user = response.User;
      if (user?.UserId !== subject.userId || !user.Arn)
        return { kind: 'mismatch', reason: `user ${userName} changed while it was being read` };
      return {
        kind: 'resolved',
        resource: {
          kind: 'iam-user',
          userName,
          userId: user.UserId,
          arn: user.Arn,
          tags: tagsOf(user.Tags as Tag[] | undefined),
        },
      };
    }
    if (subject.kind === 'account') {
      return {
        kind: 'resolved',
        resource: {
          kind: 'aws-account',
          accountId: subject.accountId,
          arn: `arn:${finding.partition}:iam::${subject.accountId}:root`,
          tags: {},
        },
      };
    }
    if (subject.kind === 'ec2-instance') {
      const response = await awsCall('ec2:DescribeInstances', `instance ${subject.instanceId}`, () =>
        clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [subject.instanceId] })),
      );
      const instance = response.Reservations?.flatMap((reservation) => reservation.Instances ?? []).find(
        (candidate) => candidate.InstanceId === subject.instanceId,
      );
      if (!instance)
        return {
          kind: 'mismatch',
          reason: `instance ${subject.instanceId} no longer exists in account ${finding.accountId}`,
        };
      const state = instance.State?.Name ?? 'unknown';
      if (state === 'terminated' || state === 'shutting-down') {
        return {
          kind: 'mismatch',
          reason: `instance ${subject.instanceId} is ${state}: there is nothing left to isolate`,
        };
      }
      return { kind: 'resolved', resource: instanceResource(finding, instance) };
    }
  } catch (error) {
    if (isNoSuchEntity(error))
      return {
        kind: 'mismatch',
        reason: `${subject.kind === 'iam-user' ? 'user' : 'role'} no longer exists in account ${finding.accountId}`,
      };
    if (errorCodeOf((error as { cause?: unknown }).cause) === 'InvalidInstanceID.NotFound') {
      return {
        kind: 'mismatch',
        reason: `instance ${subject.kind === 'ec2-instance' ? subject.instanceId : ''} no longer exists in account ${finding.accountId}`,
      };
    }
    throw error;
  }
  return { kind: 'resolved', resource: { kind: 'unresolved' } };
}

async function userNameOf(userId: string, clients: AwsClients): Promise<string | undefined> {
  let marker: string | undefined;
  do {
    const page = await awsCall('iam:ListUsers', `user id ${userId}`, () =>
      clients.iam.send(new ListUsersCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) })),
    );
    const user = page.Users?.find((candidate) => candidate.UserId === userId);
    if (user?.UserName) return user.UserName;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return undefined;
}

function instanceResource(finding: Finding, instance: Instance): Ec2InstanceResource {
  const instanceId = instance.InstanceId!;
  return {
    kind: 'ec2-instance',
    instanceId,
    arn: `arn:${finding.partition}:ec2:${finding.region}:${finding.accountId}:instance/${instanceId}`,
    state: instance.State?.Name ?? 'unknown',
    spot: instance.InstanceLifecycle === 'spot',
    ...(instance.RootDeviceName ? { rootDeviceName: instance.RootDeviceName } : {}),
    interfaces: (instance.NetworkInterfaces ?? [])
      .map((eni) => ({
        networkInterfaceId: eni.NetworkInterfaceId ?? '',
        vpcId: eni.VpcId ?? instance.VpcId ?? '',
        deviceIndex: eni.Attachment?.DeviceIndex ?? 0,
        groupIds: (eni.Groups ?? []).map((group) => group.GroupId ?? ''),
      }))
      .sort((a, b) => a.deviceIndex - b.deviceIndex),
    volumes: (instance.BlockDeviceMappings ?? [])
      .filter((mapping) => mapping.Ebs?.VolumeId)
      .map((mapping) => ({
        volumeId: mapping.Ebs!.VolumeId!,
        deviceName: mapping.DeviceName ?? '',
        deleteOnTermination: mapping.Ebs!.DeleteOnTermination ?? false,
      })),
    ...(instance.IamInstanceProfile?.Arn ? { instanceProfileArn: instance.IamInstanceProfile.Arn } : {}),
    tags: tagsOf(instance.Tags),
  };
}

/**
 * What `simulate` assumes without AWS. IAM: the principal exists as named, at the root path, untagged. EC2: the
 * interfaces, groups, volumes and profile the finding's instanceDetails lists (GuardDuty's copy of them).
 */
export function assumeResource(finding: Finding): Resource {
  const { subject, partition, accountId, region } = finding;
  if (subject.kind === 'iam-user') {
    return {
      kind: 'iam-user',
      userName: subject.userName,
      userId: subject.principalId,
      arn: `arn:${partition}:iam::${accountId}:user/${subject.userName}`,
      tags: {},
    };
  }
  if (subject.kind === 'assumed-role') {
    return {
      kind: 'iam-role',
      roleName: subject.roleName,
      roleId: subject.roleId,
      arn: `arn:${partition}:iam::${accountId}:role/${subject.roleName}`,
      path: subject.roleName.startsWith('AWSReservedSSO_') ? '/aws-reserved/sso.amazonaws.com/' : '/',
      tags: {},
    };
  }
  if (subject.kind === 'ec2-instance') {
    return assumedInstance(finding, subject.instanceId, partition, accountId, region);
  }
  if (subject.kind === 'security-group') {
    // Simulate cannot know the rules: the plan says they are read at run time.
    return {
      kind: 'security-group',
      groupId: subject.groupId,
      groupName: '(read at run time)',
      vpcId: '(read at run time)',
      arn: `arn:${partition}:ec2:${region}:${accountId}:security-group/${subject.groupId}`,
      tags: {},
      ingress: [],
      egress: [],
      assumed: true,
    };
  }
  if (subject.kind === 'iam-user-id') {
    return {
      kind: 'iam-user',
      userName: `(user ${subject.userId})`,
      userId: subject.userId,
      arn: `arn:${partition}:iam::${accountId}:user/(id ${subject.userId})`,
      tags: {},
    };
  }
  if (subject.kind === 'account')
    return {
      kind: 'aws-account',
      accountId: subject.accountId,
      arn: `arn:${partition}:iam::${subject.accountId}:root`,
      tags: {},
    };
  return { kind: 'unresolved' };
}

interface FindingInstanceDetails {
  networkInterfaces?: { networkInterfaceId?: unknown; vpcId?: unknown; securityGroups?: { groupId?: unknown }[] }[];
  iamInstanceProfile?: { arn?: unknown };
  tags?: { key?: unknown; value?: unknown }[];
}

function assumedInstance(
  finding: Finding,
  instanceId: string,
  partition: string,
  accountId: string,
  region: string,
): Ec2InstanceResource {
  const raw = (finding.raw as { detail?: { resource?: { instanceDetails?: unknown } } })?.detail?.resource
    ?.instanceDetails;
  const details = (raw !== null && typeof raw === 'object' ? raw : {}) as FindingInstanceDetails;
  const profile =
    details.iamInstanceProfile !== null && typeof details.iamInstanceProfile === 'object'
      ? details.iamInstanceProfile
      : undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  // GuardDuty's copy is data from the event: any entry may be missing or of the wrong type.
  const objects = <T>(value: unknown): T[] =>
    Array.isArray(value) ? value.filter((entry): entry is T => entry !== null && typeof entry === 'object') : [];
  const interfaces = objects<NonNullable<FindingInstanceDetails['networkInterfaces']>[number]>(
    details.networkInterfaces,
  );
  return {
    kind: 'ec2-instance',
    instanceId,
    arn: `arn:${partition}:ec2:${region}:${accountId}:instance/${instanceId}`,
    state: 'running',
    spot: false,
    interfaces: interfaces.map((eni, index) => ({
      networkInterfaceId: text(eni.networkInterfaceId) || `(interface ${index + 1}, unknown without AWS)`,
      vpcId: text(eni.vpcId) || '(unknown VPC)',
      deviceIndex: index,
      groupIds: objects<{ groupId?: unknown }>(eni.securityGroups).map((group) => text(group.groupId)),
    })),
    // GuardDuty's instanceDetails lists no volumes: simulate cannot know them.
    volumes: [],
    ...(text(profile?.arn) ? { instanceProfileArn: text(profile?.arn) } : {}),
    assumed: true,
    tags: Object.fromEntries(
      objects<{ key?: unknown; value?: unknown }>(details.tags).map((tag) => [text(tag.key), text(tag.value)]),
    ),
  };
}
