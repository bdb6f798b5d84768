import type { Subject } from '../model/finding';
import { subjectForm } from './registry';

/** What tells a subject apart within one finding id, as its kind says: the ledger's incident id is `<finding id>/<key>`. */
export function incidentKeyOf(subject: Subject): string {
  return subjectForm(subject.kind).incidentKey(subject);
}
