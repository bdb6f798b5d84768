import { defineKind } from './support/define-kind';

/** Anything Firebreak cannot act on safely (a GuardDuty resource type or Config rule it has no kind for): it tells. */
export const unsupported = defineKind({
  id: 'unsupported',
  resource: 'unresolved',
  resolvePermissions: {},
  arnPatterns: () => [],
  subjects: {
    unsupported: {
      resolve: async () => ({ kind: 'resolved', resource: { kind: 'unresolved' } }),
      assume: () => ({ kind: 'unresolved' }),
      protectionArns: () => [],
      followUpSteps: (subject, { source, config, accountId, region }) =>
        source === 'config'
          ? [
              `Config rule ${config?.ruleName} found ${subject.description} non-compliant` +
                `${config?.annotation ? ` (${config.annotation})` : ''}: Firebreak has no automatic fix for it. ` +
                `Fix it by hand in account ${accountId}, ${region}.`,
            ]
          : [
              `Open the finding in the GuardDuty console (Region ${region}, account ${accountId}) and contain the ` +
                `resource by hand: ${subject.reason}.`,
            ],
      describe: (subject) => subject.description,
      incidentKey: () => 'unsupported',
    },
  },
});
