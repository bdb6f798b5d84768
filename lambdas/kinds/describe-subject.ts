import type { Subject } from '../model/finding';
import { subjectForm } from './registry';

/** How messages name what a finding is about (`IAM user ci-deploy`), as its kind says. */
export function describeSubject(subject: Subject): string {
  return subjectForm(subject.kind).describe(subject);
}
