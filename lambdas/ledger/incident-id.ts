import type { Finding } from '../model/finding';
import { incidentKeyOf } from '../kinds/incident-key';

/** One incident per (finding, subject): the same finding id about another key or session is another incident. */
export function incidentIdOf(finding: Finding): string {
  return `${finding.id}/${incidentKeyOf(finding.subject)}`;
}

/** One (rule, resource) in one account and Region. */
export function configEvaluationKey(finding: Finding): string {
  const config = finding.config!;
  return `${finding.accountId}|${finding.region}|${config.ruleName}|${config.resourceType}|${config.resourceId}`;
}
