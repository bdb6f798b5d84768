import type { Finding } from '../model/finding';

/** One incident per (finding, subject): the same finding id about another key or session is another incident. */
export function incidentIdOf(finding: Finding): string {
  const { subject } = finding;
  switch (subject.kind) {
    case 'iam-user':
      return `${finding.id}/user/${subject.userName}/${subject.accessKeyId}`;
    case 'assumed-role':
      return `${finding.id}/role/${subject.roleName}/${subject.sessionName}`;
    case 'ec2-instance':
      return `${finding.id}/instance/${subject.instanceId}`;
    case 'security-group':
      return `${finding.id}/security-group/${subject.groupId}`;
    case 'iam-user-id':
      return `${finding.id}/user-id/${subject.userId}`;
    case 'account':
      return `${finding.id}/account/${subject.accountId}`;
    case 'root':
      return `${finding.id}/root`;
    case 'federated-user':
      return `${finding.id}/federated-user/${subject.userName}`;
    case 'unsupported':
      return `${finding.id}/unsupported`;
  }
}

/** One (rule, resource) in one account and Region. */
export function configEvaluationKey(finding: Finding): string {
  const config = finding.config!;
  return `${finding.accountId}|${finding.region}|${config.ruleName}|${config.resourceType}|${config.resourceId}`;
}
