import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { Permission, ReleaseResult } from '../../model/action';
import { awsCall, isNoSuchEntity } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';
import {
  FIREBREAK_POLICY_PREFIX,
  decodePolicyDocument,
  sameDocument,
  type PolicyDocument,
} from './iam-policy-documents';
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
export async function readInlinePolicy(
  holder: PolicyHolder,
  policyName: string,
  clients: AwsClients,
): Promise<string | null> {
  const operation = holder.kind === 'user' ? 'iam:GetUserPolicy' : 'iam:GetRolePolicy';
  try {
    const response = await awsCall<{ PolicyDocument?: string }>(
      operation,
      `${describeHolder(holder)} policy ${policyName}`,
      () =>
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

/** A policy write Firebreak could never have made (a name outside its prefix, a statement that allows). */
export class PolicyWriteRefusedError extends Error {
  override readonly name = 'PolicyWriteRefusedError';
}

/**
 * Firebreak only ever writes or deletes its own inline deny policies: a name with the `firebreak-` prefix, and a
 * document whose every statement denies. Anything else in a write (a ledger record rewritten by someone else, a bug)
 * is refused before it reaches IAM.
 */
export function assertFirebreakDenyPolicy(policyName: string, document: unknown | undefined): void {
  if (
    typeof policyName !== 'string' ||
    !policyName.startsWith(FIREBREAK_POLICY_PREFIX) ||
    !/^[\w+=,.@-]{1,128}$/.test(policyName)
  ) {
    throw new PolicyWriteRefusedError(
      `policyName: Firebreak writes only inline policies named ${FIREBREAK_POLICY_PREFIX}*, ` +
        `got ${JSON.stringify(String(policyName).slice(0, 200))}: nothing was written`,
    );
  }
  if (document === undefined) return;
  const parsed = typeof document === 'string' ? parseDocument(document) : document;
  const statements = (parsed as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statements) ? (statements as unknown[]) : statements === undefined ? [] : [statements];
  const allowing = list.findIndex((statement) => (statement as { Effect?: unknown } | null)?.Effect !== 'Deny');
  if (list.length === 0 || allowing >= 0) {
    const found =
      list.length === 0
        ? 'no statement'
        : `Statement[${allowing}] with Effect ${JSON.stringify((list[allowing] as { Effect?: unknown } | null)?.Effect ?? null)}`;
    throw new PolicyWriteRefusedError(
      `document of ${policyName}: Firebreak writes only policies whose every statement denies, got ${found}: nothing was written`,
    );
  }
}

function parseDocument(document: string): unknown {
  try {
    return JSON.parse(document) as unknown;
  } catch {
    return null;
  }
}

export async function putInlinePolicy(write: InlinePolicyWrite, clients: AwsClients): Promise<void> {
  const { holder, policyName } = write;
  assertFirebreakDenyPolicy(policyName, write.document);
  const document = JSON.stringify(write.document);
  const operation = holder.kind === 'user' ? 'iam:PutUserPolicy' : 'iam:PutRolePolicy';
  await awsCall<unknown>(operation, `${describeHolder(holder)} policy ${policyName}`, () =>
    holder.kind === 'user'
      ? clients.iam.send(
          new PutUserPolicyCommand({ UserName: holder.name, PolicyName: policyName, PolicyDocument: document }),
        )
      : clients.iam.send(
          new PutRolePolicyCommand({ RoleName: holder.name, PolicyName: policyName, PolicyDocument: document }),
        ),
  );
}

/** Undo: remove the policy if there was none, or put the replaced document back. */
export function inlinePolicyReleaseCommands(
  holder: PolicyHolder,
  policyName: string,
  replaced: string | null,
): string[] {
  const nameFlag = holder.kind === 'user' ? '--user-name' : '--role-name';
  const noun = holder.kind === 'user' ? 'user' : 'role';
  if (replaced === null) {
    return [
      `aws iam delete-${noun}-policy ${nameFlag} ${shellQuote(holder.name)} --policy-name ${shellQuote(policyName)}`,
    ];
  }
  return [
    `aws iam put-${noun}-policy ${nameFlag} ${shellQuote(holder.name)} --policy-name ${shellQuote(policyName)} --policy-document ${shellQuote(replaced)}`,
  ];
}

export function holderName(holder: PolicyHolder): string {
  return describeHolder(holder);
}

async function deleteInlinePolicy(holder: PolicyHolder, policyName: string, clients: AwsClients): Promise<void> {
  assertFirebreakDenyPolicy(policyName, undefined);
  const operation = holder.kind === 'user' ? 'iam:DeleteUserPolicy' : 'iam:DeleteRolePolicy';
  await awsCall<unknown>(operation, `${describeHolder(holder)} policy ${policyName}`, () =>
    holder.kind === 'user'
      ? clients.iam.send(new DeleteUserPolicyCommand({ UserName: holder.name, PolicyName: policyName }))
      : clients.iam.send(new DeleteRolePolicyCommand({ RoleName: holder.name, PolicyName: policyName })),
  );
}

export function inlinePolicyReleasePermissions(kind: PolicyHolder['kind']): Permission[] {
  return kind === 'user'
    ? [
        { action: 'iam:GetUserPolicy', resource: 'iam-user', write: false },
        { action: 'iam:PutUserPolicy', resource: 'iam-user', write: true },
        { action: 'iam:DeleteUserPolicy', resource: 'iam-user', write: true },
      ]
    : [
        { action: 'iam:GetRolePolicy', resource: 'iam-role', write: false },
        { action: 'iam:PutRolePolicy', resource: 'iam-role', write: true },
        { action: 'iam:DeleteRolePolicy', resource: 'iam-role', write: true },
      ];
}

/**
 * Undoes a Firebreak policy write: removes the policy if there was none before, or puts the replaced document back.
 * Only while the policy is still the one Firebreak wrote: a document changed since (by a person, or a later
 * incident) is kept, and the result says so.
 */
export async function releaseInlinePolicy(
  write: InlinePolicyWrite,
  replaced: string | null,
  clients: AwsClients,
): Promise<ReleaseResult> {
  const { holder, policyName } = write;
  // Checked before reading, so a record that asks for a write Firebreak could never have made changes nothing.
  assertFirebreakDenyPolicy(policyName, write.document);
  if (replaced !== null) assertFirebreakDenyPolicy(policyName, replaced);
  const current = await readInlinePolicy(holder, policyName, clients);
  const where = `${policyName} on ${describeHolder(holder)}`;
  if (current === null) {
    if (replaced === null) return { status: 'already-restored', summary: `${where} is already gone` };
    await putInlinePolicy({ holder, policyName, document: JSON.parse(replaced) as PolicyDocument }, clients);
    return { status: 'restored', summary: `${where}: the document it replaced is back` };
  }
  if (!sameDocument(current, write.document)) {
    if (replaced !== null && current === replaced)
      return { status: 'already-restored', summary: `${where} already holds the document it replaced` };
    return {
      status: 'kept',
      summary: `${where} changed since Firebreak wrote it (another incident or a person): left as it is`,
    };
  }
  if (replaced === null) {
    await deleteInlinePolicy(holder, policyName, clients);
    return { status: 'restored', summary: `${where} removed` };
  }
  await putInlinePolicy({ holder, policyName, document: JSON.parse(replaced) as PolicyDocument }, clients);
  return { status: 'restored', summary: `${where}: the document it replaced is back` };
}

/** The replaced document recorded by a policy write (`{ policyName, document }`). */
export function replacedDocument(replaced: unknown): string | null {
  const document = (replaced as { document?: unknown } | null)?.document;
  return typeof document === 'string' ? document : null;
}
