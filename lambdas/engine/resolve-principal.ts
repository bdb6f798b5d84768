import { GetRoleCommand, GetUserCommand, type Tag } from '@aws-sdk/client-iam';
import { awsCall, isNoSuchEntity } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Finding } from '../findings/finding';
import type { Permission } from './action';
import type { Principal } from './principal';

export type Resolution =
  | { readonly kind: 'resolved'; readonly principal: Principal }
  /** The principal the finding names is not the one IAM has now: nothing to act on, and acting could hit the wrong identity. */
  | { readonly kind: 'mismatch'; readonly reason: string };

/** What resolving needs; the CDK adds these to a responder whose steps act on users or roles. */
export const RESOLVE_PERMISSIONS: readonly Permission[] = [
  { action: 'iam:GetUser', resource: 'iam-user', write: false },
  { action: 'iam:GetRole', resource: 'iam-role', write: false },
];

function tagsOf(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

/**
 * Reads the principal the finding names (GetUser / GetRole: ARN with path, unique id, tags) and checks that its
 * unique id is the one in the finding, so a user or role deleted and re-created under the same name is not touched.
 */
export async function resolvePrincipal(finding: Finding, clients: AwsClients): Promise<Resolution> {
  const { subject } = finding;
  try {
    if (subject.kind === 'iam-user') {
      const response = await awsCall('iam:GetUser', `user ${subject.userName}`, () =>
        clients.iam.send(new GetUserCommand({ UserName: subject.userName })),
      );
      const user = response.User;
      if (!user?.UserId || !user.Arn) return { kind: 'mismatch', reason: `IAM returned no id for user ${subject.userName}` };
      if (subject.credential === 'long-term' && user.UserId !== subject.principalId) {
        return {
          kind: 'mismatch',
          reason: `user ${subject.userName} now has id ${user.UserId}, the finding names ${subject.principalId}: the user was re-created since`,
        };
      }
      return { kind: 'resolved', principal: { kind: 'iam-user', userName: subject.userName, userId: user.UserId, arn: user.Arn, tags: tagsOf(user.Tags) } };
    }
    if (subject.kind === 'assumed-role') {
      const response = await awsCall('iam:GetRole', `role ${subject.roleName}`, () =>
        clients.iam.send(new GetRoleCommand({ RoleName: subject.roleName })),
      );
      const role = response.Role;
      if (!role?.RoleId || !role.Arn) return { kind: 'mismatch', reason: `IAM returned no id for role ${subject.roleName}` };
      if (role.RoleId !== subject.roleId) {
        return {
          kind: 'mismatch',
          reason: `role ${subject.roleName} now has id ${role.RoleId}, the session belonged to ${subject.roleId}: the role was re-created since`,
        };
      }
      return {
        kind: 'resolved',
        principal: { kind: 'iam-role', roleName: subject.roleName, roleId: role.RoleId, arn: role.Arn, path: role.Path ?? '/', tags: tagsOf(role.Tags) },
      };
    }
  } catch (error) {
    if (isNoSuchEntity(error)) return { kind: 'mismatch', reason: `${subject.kind === 'iam-user' ? 'user' : 'role'} no longer exists in account ${finding.accountId}` };
    throw error;
  }
  return { kind: 'resolved', principal: { kind: 'unresolved' } };
}

/** What `simulate` assumes without AWS: the principal exists as the finding names it, at the root path, untagged. */
export function assumePrincipal(finding: Finding): Principal {
  const { subject, partition, accountId } = finding;
  if (subject.kind === 'iam-user') {
    return { kind: 'iam-user', userName: subject.userName, userId: subject.principalId, arn: `arn:${partition}:iam::${accountId}:user/${subject.userName}`, tags: {} };
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
  return { kind: 'unresolved' };
}
