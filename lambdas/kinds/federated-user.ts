import { defineKind } from './support/define-kind';

/**
 * A federated user session (GetFederationToken): it is contained through the IAM user that issued it, which the
 * finding does not name, so Firebreak writes nothing and says how to find that user.
 */
export const federatedUser = defineKind({
  id: 'federated-user',
  resource: 'unresolved',
  resolvePermissions: {},
  arnPatterns: () => [],
  subjects: {
    'federated-user': {
      resolve: async () => ({ kind: 'resolved', resource: { kind: 'unresolved' } }),
      assume: () => ({ kind: 'unresolved' }),
      protectionArns: (subject, { partition, accountId }) => [
        `arn:${partition}:sts::${accountId}:federated-user/${subject.userName}`,
      ],
      followUpSteps: (subject, { accountId }) => [
        `Find the IAM user that called GetFederationToken for ${subject.userName} ` +
          `(CloudTrail GetFederationToken events in account ${accountId}).`,
        "Deny that user's sessions issued before now (inline policy with aws:TokenIssueTime) and deactivate the key " +
          'it used: that ends every federated session it issued.',
      ],
      describe: (subject) => `federated user ${subject.userName}`,
      incidentKey: (subject) => `federated-user/${subject.userName}`,
    },
  },
});
