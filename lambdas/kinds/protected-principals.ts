import type { Finding } from '../model/finding';

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** The first pattern that matches any of the ARNs, if one does. */
export function matchProtected(
  arns: readonly string[],
  patterns: readonly string[],
): { arn: string; pattern: string } | undefined {
  for (const pattern of patterns) {
    const regexp = patternToRegExp(pattern);
    const arn = arns.find((candidate) => regexp.test(candidate));
    if (arn !== undefined) return { arn, pattern };
  }
  return undefined;
}

/** The ARNs a finding's subject is known by before IAM is read (without an IAM path). */
export function subjectArns(finding: Finding): string[] {
  const { partition: p, accountId: a, subject } = finding;
  switch (subject.kind) {
    case 'iam-user':
      return [`arn:${p}:iam::${a}:user/${subject.userName}`];
    case 'assumed-role':
      return [
        `arn:${p}:iam::${a}:role/${subject.roleName}`,
        `arn:${p}:sts::${a}:assumed-role/${subject.roleName}/${subject.sessionName}`,
      ];
    case 'root':
      return [`arn:${p}:iam::${a}:root`];
    case 'federated-user':
      return [`arn:${p}:sts::${a}:federated-user/${subject.userName}`];
    case 'ec2-instance':
      return [`arn:${p}:ec2:${finding.region}:${a}:instance/${subject.instanceId}`];
    case 'security-group':
      return [`arn:${p}:ec2:${finding.region}:${a}:security-group/${subject.groupId}`];
    case 'iam-user-id':
    case 'account':
    case 'unsupported':
      return [];
  }
}
