import type { Playbook } from '../lambdas/engine/playbook';

/** The EventBridge pattern for a playbook's trigger: prefix match on the type, numeric on the severity. */
export function eventPatternFor(playbook: Playbook): {
  source: string[];
  detailType: string[];
  detail: Record<string, unknown>;
} {
  const { trigger } = playbook;
  return {
    source: ['aws.guardduty'],
    detailType: ['GuardDuty Finding'],
    detail: {
      type: trigger.findingTypePrefixes.map((prefix) => ({ prefix })),
      severity: [{ numeric: ['>=', trigger.minimumSeverity] }],
      resource: { resourceType: [...trigger.resourceTypes] },
    },
  };
}
