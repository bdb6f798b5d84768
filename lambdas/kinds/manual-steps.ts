import type { Finding } from '../model/finding';
import { subjectForm } from './registry';

/** What a human still has to do for a subject, whatever Firebreak did: its kind's steps, in the order to do them. */
export function followUpSteps(finding: Finding): string[] {
  return subjectForm(finding.subject.kind).followUpSteps(finding.subject, finding);
}
