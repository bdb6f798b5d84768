import { GetRolePolicyCommand, GetUserPolicyCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { awsCall, isNoSuchEntity } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';
import { decodePolicyDocument, type PolicyDocument } from './iam-policy-documents';
import { shellQuote } from './shell-quote';

/** The IAM identity an inline policy is put on. */
export interface PolicyHolder {
  readonly kind: 'user' | 'role';
  readonly name: string;
}

/** A policy write: the whole of what apply needs and verify checks. */
export interface InlinePolicyWrite {
  readonly holder: PolicyHolder;
  readonly policyName: string;
  readonly document: PolicyDocument;
}

function describeHolder(holder: PolicyHolder): string {
  return `${holder.kind} ${holder.name}`;
}

/** The decoded document of an inline policy, or null when there is none of that name. */
export async function readInlinePolicy(holder: PolicyHolder, policyName: string, clients: AwsClients): Promise<string | null> {
  const operation = holder.kind === 'user' ? 'iam:GetUserPolicy' : 'iam:GetRolePolicy';
  try {
    const response = await awsCall<{ PolicyDocument?: string }>(operation, `${describeHolder(holder)} policy ${policyName}`, () =>
      holder.kind === 'user'
        ? clients.iam.send(new GetUserPolicyCommand({ UserName: holder.name, PolicyName: policyName }))
        : clients.iam.send(new GetRolePolicyCommand({ RoleName: holder.name, PolicyName: policyName })),
    );
    return response.PolicyDocument ? decodePolicyDocument(response.PolicyDocument) : null;
  } catch (error) {
    if (isNoSuchEntity(error)) return null;
    throw error;
  }
}

export async function putInlinePolicy(write: InlinePolicyWrite, clients: AwsClients): Promise<void> {
  const { holder, policyName } = write;
  const document = JSON.stringify(write.document);
  const operation = holder.kind === 'user' ? 'iam:PutUserPolicy' : 'iam:PutRolePolicy';
  await awsCall<unknown>(operation, `${describeHolder(holder)} policy ${policyName}`, () =>
    holder.kind === 'user'
      ? clients.iam.send(new PutUserPolicyCommand({ UserName: holder.name, PolicyName: policyName, PolicyDocument: document }))
      : clients.iam.send(new PutRolePolicyCommand({ RoleName: holder.name, PolicyName: policyName, PolicyDocument: document })),
  );
}

/** Undo: remove the policy if there was none, or put the replaced document back. */
export function inlinePolicyReleaseCommands(holder: PolicyHolder, policyName: string, replaced: string | null): string[] {
  const nameFlag = holder.kind === 'user' ? '--user-name' : '--role-name';
  const noun = holder.kind === 'user' ? 'user' : 'role';
  if (replaced === null) {
    return [`aws iam delete-${noun}-policy ${nameFlag} ${shellQuote(holder.name)} --policy-name ${shellQuote(policyName)}`];
  }
  return [
    `aws iam put-${noun}-policy ${nameFlag} ${shellQuote(holder.name)} --policy-name ${shellQuote(policyName)} --policy-document ${shellQuote(replaced)}`,
  ];
}

export function holderName(holder: PolicyHolder): string {
  return describeHolder(holder);
}
