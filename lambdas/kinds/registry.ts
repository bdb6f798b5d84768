import type { SubjectKind } from '../model/finding';
import type { SubjectForm } from './support/define-kind';
import { awsAccount } from './aws-account';
import { ec2Instance } from './ec2-instance';
import { federatedUser } from './federated-user';
import { iamRole } from './iam-role';
import { iamUser } from './iam-user';
import { root } from './root';
import { securityGroup } from './security-group';
import { unsupported } from './unsupported';

/**
 * Every resource kind, in the order their resolve permissions are listed. Adding a kind is its file, one line here
 * and one line in SUBJECT_FORMS; the conformance tests (test/kinds) loop over this list.
 */
export const KINDS = [
  iamUser,
  iamRole,
  ec2Instance,
  securityGroup,
  awsAccount,
  root,
  federatedUser,
  unsupported,
] as const;

export type RegisteredKind = (typeof KINDS)[number];

/**
 * How each subject kind a finding can name is handled, keyed by subject kind: the type requires every kind of the
 * Subject union, so a subject kind without a plugin does not compile.
 */
const SUBJECT_FORMS: { readonly [S in SubjectKind]: SubjectForm<S> } = {
  ...iamUser.subjects,
  ...iamRole.subjects,
  ...ec2Instance.subjects,
  ...securityGroup.subjects,
  ...awsAccount.subjects,
  ...root.subjects,
  ...federatedUser.subjects,
  ...unsupported.subjects,
};

/** The functions for one subject kind, typed for that kind (call it with the subject's own `kind`). */
export function subjectForm<S extends SubjectKind>(kind: S): SubjectForm<S> {
  return SUBJECT_FORMS[kind];
}
