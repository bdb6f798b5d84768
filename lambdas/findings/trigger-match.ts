import type { Finding } from '../model/finding';
import { configRuleMatches, type Playbook } from '../model/playbook';

/**
 * Why the playbook's EventBridge rule would not deliver this finding, or undefined if it would. The same
 * conditions as `eventPatternFor`, evaluated locally so `simulate` routes a file as the deployed rules would.
 */
export function triggerMismatch(playbook: Playbook, finding: Finding): string | undefined {
  const { trigger } = playbook;
  if (trigger.source === 'config') {
    if (!finding.config) return 'the playbook takes AWS Config compliance changes';
    if (!trigger.configRules.some((rule) => configRuleMatches(finding.config!.ruleName, rule))) {
      return `Config rule ${finding.config.ruleName} matches none of ${trigger.configRules.join(', ')}`;
    }
    if (trigger.resourceTypes && !trigger.resourceTypes.includes(finding.config.resourceType)) {
      return `resource type ${finding.config.resourceType} is not one of ${trigger.resourceTypes.join(', ')}`;
    }
    return undefined;
  }
  if (finding.source !== 'guardduty') return 'the playbook takes GuardDuty findings';
  if (!trigger.resourceTypes.includes(finding.resourceType)) {
    return `resource type ${finding.resourceType} is not one of ${trigger.resourceTypes.join(', ')}`;
  }
  if (!trigger.findingTypePrefixes.some((prefix) => finding.type.startsWith(prefix))) {
    return `finding type ${finding.type} starts with none of the playbook's prefixes`;
  }
  if (finding.severity < trigger.minimumSeverity) {
    return `severity ${finding.severity} is below the minimum ${trigger.minimumSeverity}`;
  }
  return undefined;
}
