import { cloudTrailLookup } from './support/cloudtrail-lookup';
import { defineKind } from './support/define-kind';

const accountArn = (partition: string, account: string) => `arn:${partition}:iam::${account}:root`;

/** An account-level Config evaluation (root access keys, public snapshots): nothing to read but the account id. */
export const awsAccount = defineKind({
  id: 'aws-account',
  resource: 'aws-account',
  resolvePermissions: {},
  arnPatterns: (partition, _region, account) => [accountArn(partition, account)],
  subjects: {
    account: {
      resolve: async (subject, { partition }) => ({
        kind: 'resolved',
        resource: {
          kind: 'aws-account',
          accountId: subject.accountId,
          arn: accountArn(partition, subject.accountId),
          tags: {},
        },
      }),
      assume: (subject, { partition }) => ({
        kind: 'aws-account',
        accountId: subject.accountId,
        arn: accountArn(partition, subject.accountId),
        tags: {},
      }),
      // Config's account evaluations name no principal.
      protectionArns: () => [],
      followUpSteps: (_subject, finding) =>
        finding.config?.ruleName.includes('iam-root-access-key-check')
          ? [
              `Sign in as the root user of account ${finding.accountId}, open Security credentials, and delete the ` +
                'root access keys (root should have none; they cannot be restricted by IAM).',
              'With centralized root access in AWS Organizations: sts:AssumeRoot with the task policy ' +
                'IAMDeleteRootUserCredentials removes them from the management account.',
              `Look for what the keys did: ${cloudTrailLookup(finding, 'Username', 'root')}.`,
            ]
          : [
              `Review the ${finding.config?.ruleName ?? 'Config'} evaluation of account ${finding.accountId} in the ` +
                'Config console and fix it by hand.',
            ],
      describe: (subject) => `account ${subject.accountId}`,
      incidentKey: (subject) => `account/${subject.accountId}`,
    },
  },
});
