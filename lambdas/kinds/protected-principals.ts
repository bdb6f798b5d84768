import type { Finding } from '../model/finding';
import { subjectForm } from './registry';

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

/** The ARNs a finding's subject is known by before IAM is read (without an IAM path), as its kind says. */
export function subjectArns(finding: Finding): string[] {
  return subjectForm(finding.subject.kind).protectionArns(finding.subject, finding);
}
