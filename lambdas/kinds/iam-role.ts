import { GetRoleCommand } from '@aws-sdk/client-iam';
import { awsCall, isNoSuchEntity } from '../aws/aws-call-error';
import { cloudTrailLookup } from './support/cloudtrail-lookup';
import { defineKind } from './support/define-kind';
import { mismatchIfGone } from './support/mismatch-if-gone';
import { tagsOf } from './support/tags-of';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/**
 * An IAM role, named by a session of it (ASIA...). GetRole checks the role's unique id (AROA...), the part of
 * `aws:userid` before the colon, so a role deleted and re-created under the same name is not touched.
 */
export const iamRole = defineKind({
  id: 'iam-role',
  resource: 'iam-role',
  resolvePermissions: { AccessKey: [{ action: 'iam:GetRole', resource: 'iam-role', write: false }] },
  arnPatterns: (partition, _region, account) => [`arn:${partition}:iam::${account}:role/*`],
  subjects: {
    'assumed-role': {
      resolve: (subject, finding, clients) =>
        mismatchIfGone(isNoSuchEntity, `role no longer exists in account ${finding.accountId}`, async () => {
          const response = await awsCall('iam:GetRole', `role ${subject.roleName}`, () =>
            clients.iam.send(new GetRoleCommand({ RoleName: subject.roleName })),
          );
          const role = response.Role;
          if (!role?.RoleId || !role.Arn)
            return { kind: 'mismatch', reason: `IAM returned no id for role ${subject.roleName}` };
          if (role.RoleId !== subject.roleId) {
            return {
              kind: 'mismatch',
              reason:
                `role ${subject.roleName} now has id ${role.RoleId}, the session belonged to ${subject.roleId}: ` +
                'the role was re-created since',
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
        }),
      // Simulate: the role exists as named, untagged, at the root path (or Identity Center's, by its name).
      assume: (subject, { partition, accountId }) => ({
        kind: 'iam-role',
        roleName: subject.roleName,
        roleId: subject.roleId,
        arn: `arn:${partition}:iam::${accountId}:role/${subject.roleName}`,
        path: subject.roleName.startsWith('AWSReservedSSO_') ? '/aws-reserved/sso.amazonaws.com/' : '/',
        tags: {},
      }),
      protectionArns: (subject, { partition, accountId }) => [
        `arn:${partition}:iam::${accountId}:role/${subject.roleName}`,
        `arn:${partition}:sts::${accountId}:assumed-role/${subject.roleName}/${subject.sessionName}`,
      ],
      followUpSteps: (subject, finding) => [
        `Find how session ${subject.sessionName} was obtained: ` +
          `${cloudTrailLookup(finding, 'Username', subject.sessionName)} and the AssumeRole events for role ` +
          `${subject.roleName}.`,
        'If whoever obtained the session can still call sts:AssumeRole, fix the trust policy or contain that caller ' +
          'too: denying one session does not stop new ones.',
        INSTANCE_ID.test(subject.sessionName)
          ? `The session name is an EC2 instance id: investigate instance ${subject.sessionName}; ` +
            'its instance-profile credentials were used.'
          : 'If the role itself is compromised, re-run the step with scope all-sessions-before-now to deny every ' +
            'older session of the role.',
      ],
      describe: (subject) => `role ${subject.roleName} session ${subject.sessionName}`,
      incidentKey: (subject) => `role/${subject.roleName}/${subject.sessionName}`,
    },
  },
});
