import { GetUserCommand, ListUsersCommand, type User } from '@aws-sdk/client-iam';
import { awsCall, isNoSuchEntity } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Finding } from '../model/finding';
import type { IamUserPrincipal } from '../model/resource';
import { cloudTrailLookup } from './support/cloudtrail-lookup';
import { defineKind } from './support/define-kind';
import { mismatchIfGone } from './support/mismatch-if-gone';
import { tagsOf } from './support/tags-of';

/**
 * An IAM user. GuardDuty names it by name (the user of an access key); Config names it by its unique id (AIDA...),
 * which IAM cannot read directly. GetUser checks the unique id, so a user deleted and re-created under the same name
 * is not touched.
 */
export const iamUser = defineKind({
  id: 'iam-user',
  resource: 'iam-user',
  resolvePermissions: {
    AccessKey: [{ action: 'iam:GetUser', resource: 'iam-user', write: false }],
    'AWS::IAM::User': [
      { action: 'iam:ListUsers', resource: 'iam-user', write: false },
      { action: 'iam:GetUser', resource: 'iam-user', write: false },
    ],
  },
  arnPatterns: (partition, _region, account) => [`arn:${partition}:iam::${account}:user/*`],
  subjects: {
    'iam-user': {
      resolve: (subject, finding, clients) =>
        mismatchIfGone(isNoSuchEntity, `user no longer exists in account ${finding.accountId}`, async () => {
          const user = await getUser(subject.userName, clients);
          if (!user?.UserId || !user.Arn)
            return { kind: 'mismatch', reason: `IAM returned no id for user ${subject.userName}` };
          // principalId is the user's unique id (AIDA...) for its long-term keys and for the sessions it mints.
          if (user.UserId !== subject.principalId) {
            return {
              kind: 'mismatch',
              reason:
                `user ${subject.userName} now has id ${user.UserId}, the finding names ${subject.principalId}: ` +
                'the user was re-created since',
            };
          }
          return { kind: 'resolved', resource: principal(subject.userName, user.UserId, user.Arn, user) };
        }),
      assume: (subject, { partition, accountId }) =>
        principal(subject.userName, subject.principalId, `arn:${partition}:iam::${accountId}:user/${subject.userName}`),
      protectionArns: (subject, { partition, accountId }) => [
        `arn:${partition}:iam::${accountId}:user/${subject.userName}`,
      ],
      followUpSteps: (subject, finding) => [
        `Find what was done with the credential: ${cloudTrailLookup(finding, 'AccessKeyId', subject.accessKeyId)}. ` +
          'Look for persistence: CreateUser, CreateAccessKey, CreateLoginProfile, AttachUserPolicy, PutRolePolicy, ' +
          'UpdateAssumeRolePolicy.',
        `Confirm with the owner of ${subject.userName} whether the activity was theirs before releasing.`,
        'After the investigation, issue the owner a new key and delete the compromised one; ' +
          'reset the console password if it may be known.',
      ],
      describe: (subject) => `IAM user ${subject.userName}`,
      incidentKey: (subject) => `user/${subject.userName}/${subject.accessKeyId}`,
    },
    'iam-user-id': {
      resolve: (subject, finding, clients) =>
        // NoSuchEntity here: the user was deleted between ListUsers and GetUser.
        mismatchIfGone(isNoSuchEntity, `user no longer exists in account ${finding.accountId}`, async () => {
          // Config names an IAM user by its unique id; IAM reads users by name.
          const userName = await userNameOf(subject.userId, clients);
          if (!userName) {
            return {
              kind: 'mismatch',
              reason: `no IAM user has the id ${subject.userId} in account ${finding.accountId} any more`,
            };
          }
          const user = await getUser(userName, clients);
          if (user?.UserId !== subject.userId || !user.Arn)
            return { kind: 'mismatch', reason: `user ${userName} changed while it was being read` };
          return { kind: 'resolved', resource: principal(userName, user.UserId, user.Arn, user) };
        }),
      assume: (subject, { partition, accountId }) =>
        principal(
          `(user ${subject.userId})`,
          subject.userId,
          `arn:${partition}:iam::${accountId}:user/(id ${subject.userId})`,
        ),
      // Known by its id only until IAM is read: the resolved ARN is checked instead.
      protectionArns: () => [],
      followUpSteps: (subject, finding) => [
        'Issue the user a new key if it still needs one, then delete the deactivated keys once nothing uses them ' +
          `(IAM: Security credentials of user ${subject.userId}).`,
        `Re-evaluate the rule: aws configservice start-config-rules-evaluation --config-rule-names ${ruleOf(finding)}.`,
      ],
      describe: (subject) => `IAM user ${subject.userId}`,
      incidentKey: (subject) => `user-id/${subject.userId}`,
    },
  },
});

function principal(userName: string, userId: string, arn: string, user?: User): IamUserPrincipal {
  return { kind: 'iam-user', userName, userId, arn, tags: tagsOf(user?.Tags) };
}

function ruleOf(finding: Finding): string {
  return finding.config?.ruleName ?? '<rule>';
}

async function getUser(userName: string, clients: AwsClients): Promise<User | undefined> {
  const response = await awsCall('iam:GetUser', `user ${userName}`, () =>
    clients.iam.send(new GetUserCommand({ UserName: userName })),
  );
  return response.User;
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
