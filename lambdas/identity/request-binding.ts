import { createHash } from 'node:crypto';

/**
 * What ties a caller proof to one request. The CLI signs an STS GetCallerIdentity request with the person's own
 * credentials and includes this header, signed, whose value is the hash of the request it is about: STS checks the
 * signature (so the header cannot be changed), the function checks the header (so the proof cannot be reused for
 * another incident, operation or function). Shared by the CLI (lib/caller-proof.ts) and the functions.
 */
export const BINDING_HEADER = 'x-firebreak-request';

/** The only body a caller proof may carry: STS answers it with the caller's ARN, account and user id, and changes nothing. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** How old (or how far ahead of the function's clock) a signed proof may be. */
export const PROOF_MAX_AGE_MS = 5 * 60_000;

/** The person's commands that must carry an identity AWS vouches for (a drill contains and releases a canary). */
export type ProtectedOperation = 'release' | 'approve' | 'deny' | 'drill';

/** The request a proof is bound to: which function, doing what, with which payload (without the proof itself). */
export interface BoundRequest {
  readonly operation: ProtectedOperation;
  /** The function's name (not an ARN, no qualifier): what AWS_LAMBDA_FUNCTION_NAME says inside it. */
  readonly functionName: string;
  readonly request: Readonly<Record<string, unknown>>;
}

/** The signed GetCallerIdentity request, as the payload field `callerProof` carries it. */
export interface CallerProof {
  /** Informative only: the function never sends the proof anywhere but its own Region's STS endpoint. */
  readonly url?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The regional STS endpoint's host name of `region` (the China Regions' in their own domain). */
export function stsHost(region: string): string {
  if (!REGION.test(region)) throw new Error(`not an AWS Region name: ${JSON.stringify(region.slice(0, 40))}`);
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/** JSON with object keys sorted at every level, so both sides hash the same text for the same request. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** The text the binding header hashes: the function, the operation and the payload without `callerProof`. */
export function bindingText(bound: BoundRequest): string {
  const { callerProof: _proof, ...request } = bound.request;
  return canonicalJson({ functionName: bound.functionName, operation: bound.operation, request });
}

/** The binding header's value: hex SHA-256 of bindingText. */
export function requestBinding(bound: BoundRequest): string {
  return createHash('sha256').update(bindingText(bound), 'utf8').digest('hex');
}

/** The function name inside a name, a partial ARN or an ARN, without a version or alias qualifier. */
export function functionNameOf(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  if (parts[0] === 'arn') return parts[6] ?? nameOrArn;
  const at = parts.indexOf('function');
  if (at >= 0) return parts[at + 1] ?? nameOrArn;
  return parts[0] ?? nameOrArn;
}
