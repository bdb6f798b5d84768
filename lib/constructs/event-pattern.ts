import type { Playbook } from '../../lambdas/model/playbook';

export interface EventPattern {
  source: string[];
  detailType: string[];
  resources?: string[];
  detail: Record<string, unknown>;
}

/**
 * The EventBridge pattern for a playbook's trigger. GuardDuty: prefix match on the type, numeric on the severity,
 * exact on the resource type. Config: the rule identifiers by wildcard (so prefixed and suffixed deployments of a
 * managed rule match), any compliance change (a COMPLIANT one reports an earlier incident resolved).
 */
export function eventPatternFor(playbook: Playbook): EventPattern {
  const { trigger } = playbook;
  if (trigger.source === 'config') {
    // A catch-all playbook notifies about new non-compliance only; the others also hear COMPLIANT (to report resolved).
    const rules = trigger.configRules.includes('*')
      ? { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } }
      : { configRuleName: trigger.configRules.map((rule) => ({ wildcard: `*${rule}*` })) };
    return {
      source: ['aws.config'],
      detailType: ['Config Rules Compliance Change'],
      detail: { ...rules, ...(trigger.resourceTypes ? { resourceType: [...trigger.resourceTypes] } : {}) },
    };
  }
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

/** A line for the rule's description. */
export function triggerSummary(playbook: Playbook): string {
  const { trigger } = playbook;
  if (trigger.source === 'config') return `Config compliance changes of ${trigger.configRules.join(', ')}`;
  return `GuardDuty findings of ${trigger.resourceTypes.join(', ')} at severity >= ${trigger.minimumSeverity}`;
}
