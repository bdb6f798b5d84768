import type { Finding } from '../lambdas/findings/finding';
import type { Playbook } from '../lambdas/engine/playbook';

/**
 * Why the playbook's EventBridge rule would not deliver this finding, or undefined if it would. The same
 * conditions as `eventPatternFor`, evaluated locally so `simulate` routes a file as the deployed rules would.
 */
export function triggerMismatch(playbook: Playbook, finding: Finding): string | undefined {
  const { trigger } = playbook;
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
