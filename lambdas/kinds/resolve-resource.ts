import type { AwsClients } from '../aws/aws-clients';
import type { Permission } from '../model/action';
import type { Finding } from '../model/finding';
import type { Resource } from '../model/resource';
import { KINDS, subjectForm } from './registry';
import type { Resolution } from './support/define-kind';

export type { Resolution } from './support/define-kind';

/**
 * What resolving needs, by the resource type a playbook receives (GuardDuty `AccessKey`, Config `AWS::IAM::User`):
 * the union over the registered kinds. The CDK adds these to the responder.
 */
export const RESOLVE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = KINDS.reduce<
  Record<string, readonly Permission[]>
>((merged, kind) => {
  for (const [type, permissions] of Object.entries(kind.resolvePermissions))
    merged[type] = [...(merged[type] ?? []), ...permissions];
  return merged;
}, {});

/** Reads what the finding names, as its kind does (lambdas/kinds/<kind>.ts); a changed or gone one is a mismatch. */
export function resolveResource(finding: Finding, clients: AwsClients): Promise<Resolution> {
  return subjectForm(finding.subject.kind).resolve(finding.subject, finding, clients);
}

/** What `simulate` assumes without AWS, as the subject's kind says. */
export function assumeResource(finding: Finding): Resource {
  return subjectForm(finding.subject.kind).assume(finding.subject, finding);
}
