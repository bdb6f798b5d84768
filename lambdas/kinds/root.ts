import { cloudTrailLookup } from './support/cloudtrail-lookup';
import { defineKind } from './support/define-kind';

/** The root user of an account: IAM policies cannot restrict it, so Firebreak never acts on it; it only tells. */
export const root = defineKind({
  id: 'root',
  resource: 'unresolved',
  resolvePermissions: {},
  arnPatterns: () => [],
  subjects: {
    root: {
      resolve: async () => ({ kind: 'resolved', resource: { kind: 'unresolved' } }),
      assume: () => ({ kind: 'unresolved' }),
      protectionArns: (_subject, { partition, accountId }) => [`arn:${partition}:iam::${accountId}:root`],
      followUpSteps: (_subject, finding) => [
        `Sign in as the root user of account ${finding.accountId} and change its password and MFA; ` +
          'delete any root access keys (Security credentials page).',
        'With centralized root access in AWS Organizations, a member account root key can be removed with ' +
          'sts:AssumeRoot and the task policy IAMDeleteRootUserCredentials.',
        `Review what was done as root: ${cloudTrailLookup(finding, 'Username', 'root')}. ` +
          'Open a case with AWS Support if the account may be taken over.',
        'IAM policies cannot restrict the root user: Firebreak does not act on it.',
      ],
      describe: () => 'root user',
      incidentKey: () => 'root',
    },
  },
});
