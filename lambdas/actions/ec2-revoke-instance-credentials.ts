import { AssociateIamInstanceProfileCommand, DisassociateIamInstanceProfileCommand } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand } from '@aws-sdk/client-iam';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import { awsCall, isNoSuchEntity } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import { SESSION_POLICY_PREFIX, denyOneSession, sameDocument } from './support/iam-policy-documents';
import {
  inlinePolicyReleaseCommands,
  inlinePolicyReleasePermissions,
  putInlinePolicy,
  readInlinePolicy,
  releaseInlinePolicy,
  type InlinePolicyWrite,
} from './support/inline-policy';
import { instanceOf } from './support/instance-of';
import { readProfileAssociation, type ProfileAssociation } from './support/instance-profile-association';

interface InstanceRole {
  readonly roleName: string;
  readonly roleId: string;
  /** With its path: the protected-principal patterns are matched against it. Absent in records made before. */
  readonly arn?: string;
}

interface State {
  readonly instanceId: string;
  /** 'unknown' in simulate. */
  readonly association: ProfileAssociation | null | 'unknown';
  /** 'unknown' in simulate: the profile's role is read from IAM at run time. */
  readonly role: InstanceRole | null | 'unknown';
  readonly denyPolicy: string | null;
}

interface Write {
  readonly instanceId: string;
  readonly disassociate?: ProfileAssociation;
  readonly deny?: InlinePolicyWrite;
}

/** What a disassociation replaces: the profile release associates again (the association's id dies with it). */
function profileOf(association: ProfileAssociation | null): Pick<ProfileAssociation, 'instanceProfileArn'> | null {
  return association ? { instanceProfileArn: association.instanceProfileArn } : null;
}

function profileName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

async function roleOfProfile(arn: string, clients: AwsClients): Promise<InstanceRole | null> {
  try {
    const response = await awsCall('iam:GetInstanceProfile', `instance profile ${arn}`, () =>
      clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profileName(arn) })),
    );
    const role = response.InstanceProfile?.Roles?.[0];
    return role?.RoleName && role.RoleId
      ? { roleName: role.RoleName, roleId: role.RoleId, ...(role.Arn ? { arn: role.Arn } : {}) }
      : null;
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw error;
  }
}

/**
 * Takes the instance profile off the instance, and denies the instance role's sessions that were issued to this
 * instance (`aws:userid` = `<roleId>:<instanceId>`): credentials already taken from the metadata service keep
 * working until they expire otherwise. Other instances sharing the role keep working.
 */
export const ec2RevokeInstanceCredentials: Action<Record<string, never>, State, Write> = {
  id: 'ec2-revoke-instance-credentials',
  title: "Cut the instance's credentials",
  containment: true,
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'ec2:DescribeIamInstanceProfileAssociations', resource: 'unscoped', write: false },
    { action: 'ec2:DisassociateIamInstanceProfile', resource: 'ec2', write: true },
    { action: 'iam:GetInstanceProfile', resource: 'iam-instance-profile', write: false },
    { action: 'iam:GetRolePolicy', resource: 'iam-role', write: false },
    { action: 'iam:PutRolePolicy', resource: 'iam-role', write: true },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    const { instanceId, instanceProfileArn } = instanceOf(target, 'ec2-revoke-instance-credentials');
    // The profile the instance names (GuardDuty's finding names it too) is read beside its association, not after it:
    // the read of the role's deny policy then goes out in the second round trip, and the deny in the third.
    const namedRole = instanceProfileArn ? roleOfProfile(instanceProfileArn, clients) : undefined;
    namedRole?.catch(() => undefined); // awaited only if the association names this profile
    const association = await readProfileAssociation(instanceId, clients);
    // After a disassociation the instance description may still name the profile: use it to find the role.
    const arn = association?.instanceProfileArn ?? instanceProfileArn;
    const role = !arn
      ? null
      : arn === instanceProfileArn && namedRole
        ? await namedRole
        : await roleOfProfile(arn, clients);
    const denyPolicy = role
      ? await readInlinePolicy({ kind: 'role', name: role.roleName }, `${SESSION_POLICY_PREFIX}${instanceId}`, clients)
      : null;
    return { instanceId, association, role, denyPolicy };
  },

  assume(target) {
    const { instanceId, instanceProfileArn } = instanceOf(target, 'ec2-revoke-instance-credentials');
    return {
      instanceId,
      association: instanceProfileArn ? { associationId: '(read at run time)', instanceProfileArn } : 'unknown',
      role: instanceProfileArn ? 'unknown' : null,
      denyPolicy: null,
    };
  },

  plan(target, state) {
    const { instanceId, association, role } = state;
    if (association === 'unknown') {
      return {
        kind: 'no-op',
        summary:
          `The instance profile of ${instanceId} is read from AWS at run time; if one is ` +
          `attached it is disassociated and its role's sessions for this instance denied`,
      };
    }
    const policyName = `${SESSION_POLICY_PREFIX}${instanceId}`;
    if (role === 'unknown') {
      return {
        kind: 'write',
        summary:
          `Cut the credentials of ${instanceId}: ${association ? `disassociate instance profile ${association.instanceProfileArn}; ` : ''}deny ` +
          `the profile role's sessions issued to ${instanceId} (the role is read from IAM at run time); other instances of the role keep working`,
        write: { instanceId },
        // As assumed: no deny for this instance yet. When the real state is that, the write takes the lease's intent.
        replaced: { instanceProfile: profileOf(association), rolePolicy: { policyName, document: null } },
        release: association
          ? [
              `aws ec2 associate-iam-instance-profile --instance-id ${instanceId} --iam-instance-profile Arn=${association.instanceProfileArn}`,
            ]
          : [],
      };
    }
    const document = role ? denyOneSession(`${role.roleId}:${instanceId}`) : undefined;
    const needsDeny =
      role !== null &&
      document !== undefined &&
      !(state.denyPolicy !== null && sameDocument(state.denyPolicy, document));
    if (!association && !needsDeny) {
      return {
        kind: 'no-op',
        summary: role
          ? `Instance ${instanceId} has no instance profile and its sessions of role ${role.roleName} are already denied`
          : `Instance ${instanceId} has no instance profile`,
      };
    }
    const changes = [
      association ? `disassociate instance profile ${association.instanceProfileArn}` : '',
      needsDeny && role
        ? `deny role ${role.roleName}'s sessions issued to ${instanceId} (aws:userid ${role.roleId}:${instanceId}; inline policy ${policyName})`
        : '',
    ].filter(Boolean);
    const holder = role ? ({ kind: 'role', name: role.roleName } as const) : undefined;
    return {
      kind: 'write',
      summary: `Cut the credentials of ${instanceId}: ${changes.join('; ')}; other instances of the role keep working`,
      write: {
        instanceId,
        ...(association ? { disassociate: association } : {}),
        ...(needsDeny && holder && document ? { deny: { holder, policyName, document } } : {}),
      },
      replaced: {
        instanceProfile: profileOf(association),
        rolePolicy: needsDeny ? { policyName, document: state.denyPolicy } : undefined,
      },
      // The role is another principal than the finding's instance: it passes the protected-principal gate too.
      ...(role
        ? {
            principals: [
              role.arn ?? `arn:${target.finding.partition}:iam::${target.finding.accountId}:role/${role.roleName}`,
            ],
          }
        : {}),
      release: [
        ...(needsDeny && holder ? inlinePolicyReleaseCommands(holder, policyName, state.denyPolicy) : []),
        ...(association
          ? [
              `aws ec2 associate-iam-instance-profile --instance-id ${instanceId} --iam-instance-profile Arn=${association.instanceProfileArn}`,
            ]
          : []),
      ],
    };
  },

  // The deny goes first: once the profile is gone the instance no longer names its role, so a deny that failed
  // after the disassociation could not be found and retried by the next delivery (the fault-injection tests showed it).
  async apply(write, clients) {
    if (write.deny) await putInlinePolicy(write.deny, clients);
    if (write.disassociate) {
      await awsCall(
        'ec2:DisassociateIamInstanceProfile',
        `instance ${write.instanceId} (${write.disassociate.associationId})`,
        () =>
          clients.ec2.send(
            new DisassociateIamInstanceProfileCommand({ AssociationId: write.disassociate!.associationId }),
          ),
      );
    }
  },

  async verify(write, clients) {
    const [association, policy] = await Promise.all([
      write.disassociate ? readProfileAssociation(write.instanceId, clients) : null,
      write.deny ? readInlinePolicy(write.deny.holder, write.deny.policyName, clients) : null,
    ]);
    const problems = [
      association ? `instance profile ${association.instanceProfileArn} is still associated` : '',
      write.deny && !(policy !== null && sameDocument(policy, write.deny.document))
        ? `policy ${write.deny.policyName} is not yet visible`
        : '',
    ].filter(Boolean);
    return {
      confirmed: problems.length === 0,
      detail: problems.length === 0 ? 'no instance profile; the instance sessions are denied' : problems.join('; '),
    };
  },

  releasePermissions: [
    { action: 'ec2:DescribeIamInstanceProfileAssociations', resource: 'unscoped', write: false },
    { action: 'ec2:AssociateIamInstanceProfile', resource: 'ec2', write: true },
    // Associating a profile passes its role to EC2.
    { action: 'iam:PassRole', resource: 'iam-role', write: true, authorizationOnly: true },
    ...inlinePolicyReleasePermissions('role'),
    { action: 'iam:GetInstanceProfile', resource: 'iam-instance-profile', write: false },
  ],

  async release(applied, clients) {
    const write = applied.write;
    const rolePolicy = (applied.replaced as { rolePolicy?: { document?: string | null } } | null)?.rolePolicy;
    const parts: string[] = [];
    let restored = false;
    if (write.disassociate) {
      const current = await readProfileAssociation(write.instanceId, clients);
      if (current) {
        parts.push(`instance profile ${current.instanceProfileArn} is associated`);
      } else {
        await awsCall('ec2:AssociateIamInstanceProfile', `instance ${write.instanceId}`, () =>
          clients.ec2.send(
            new AssociateIamInstanceProfileCommand({
              InstanceId: write.instanceId,
              IamInstanceProfile: { Arn: write.disassociate!.instanceProfileArn },
            }),
          ),
        );
        parts.push(`instance profile ${write.disassociate.instanceProfileArn} associated again`);
        restored = true;
      }
    }
    // A retry after a half-done attempt records only the disassociation: the deny that attempt put on the role is
    // found through the profile's role, by its fixed name and exact document.
    const deny =
      write.deny ??
      (write.disassociate
        ? await denyOfProfile(write.instanceId, write.disassociate.instanceProfileArn, clients)
        : undefined);
    if (deny) {
      const result = await releaseInlinePolicy(deny, rolePolicy?.document ?? null, clients);
      parts.push(result.summary);
      restored ||= result.status === 'restored';
    }
    return {
      status: restored ? 'restored' : 'already-restored',
      summary: `Instance ${write.instanceId}: ${parts.join('; ')}`,
    };
  },
};

async function denyOfProfile(
  instanceId: string,
  instanceProfileArn: string,
  clients: AwsClients,
): Promise<InlinePolicyWrite | undefined> {
  const role = await roleOfProfile(instanceProfileArn, clients);
  return role
    ? {
        holder: { kind: 'role', name: role.roleName },
        policyName: `${SESSION_POLICY_PREFIX}${instanceId}`,
        document: denyOneSession(`${role.roleId}:${instanceId}`),
      }
    : undefined;
}
