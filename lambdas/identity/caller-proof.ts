import * as z from 'zod/mini';
import { describeIssues, showValue } from '../common/describe-issues';
import { refuse } from './caller-not-authenticated';
import {
  BINDING_HEADER,
  bindingText,
  GET_CALLER_IDENTITY_BODY,
  PROOF_MAX_AGE_MS,
  requestBinding,
  type BoundRequest,
} from './request-binding';

/** A caller proof as given: its headers keyed by lower-case name. */
export interface ProofRequest {
  readonly url: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the Authorization header's credential scope says. */
export interface ProofSignature {
  readonly scopeDate: string;
}

const MAX_HEADERS = 24;

const proofSchema = z.strictObject({
  url: z.optional(z.string().check(z.maxLength(300))),
  headers: z.record(z.string().check(z.minLength(1), z.maxLength(64)), z.string().check(z.maxLength(8192))),
  body: z.string().check(z.maxLength(512)),
});

// AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/sts/aws4_request, SignedHeaders=<a;b;c>, Signature=<hex>
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The Authorization header without its signature, for messages. */
function withoutSignature(authorization: string): string {
  return authorization.replace(/Signature=\S*/, 'Signature=…');
}

/** Reads the proof's shape: present, the schema's fields, at most MAX_HEADERS headers, none given twice. */
export function parseProof(proof: unknown): ProofRequest {
  if (proof === undefined)
    refuse(
      'callerProof: required (a GetCallerIdentity request signed with your AWS credentials), ' +
        'got nothing (the field is missing): use the firebreak CLI, which signs it',
    );
  const parsed = proofSchema.safeParse(proof);
  if (!parsed.success) return refuse(describeIssues(parsed.error, proof, 'callerProof').join('; '));
  const { url, body } = parsed.data;
  return { url, headers: lowerCaseHeaders(parsed.data.headers), body };
}

function lowerCaseHeaders(given: Record<string, string>): Record<string, string> {
  // No prototype: a header named like an Object property (constructor, __proto__) is just a header.
  const headers = Object.create(null) as Record<string, string>;
  const names = Object.keys(given);
  if (names.length > MAX_HEADERS) refuse(`callerProof.headers: at most ${MAX_HEADERS} headers, got ${names.length}`);
  for (const name of names) {
    const lower = name.toLowerCase();
    if (lower in headers)
      refuse(
        `callerProof.headers: header ${lower} given twice, got ${showValue(names.filter((other) => other.toLowerCase() === lower))}`,
      );
    headers[lower] = given[name]!;
  }
  return headers;
}

/**
 * Checks the proof is a GetCallerIdentity request to this Region's STS host, and returns the endpoint it goes to.
 * Where the proof goes is this function's choice, never the payload's: an attacker's "STS" would vouch for anyone.
 */
export function checkDestination({ url, headers, body }: ProofRequest, host: string): string {
  const endpoint = `https://${host}/`;
  if (url !== undefined && url !== endpoint)
    refuse(
      `callerProof.url: expected ${endpoint} (the STS endpoint of this function's Region), got ${showValue(url)}; the proof is only ever sent to that endpoint`,
    );
  if (headers.host !== host)
    refuse(
      `callerProof.headers.host: expected ${host} (the STS endpoint of this function's Region), got ${showValue(headers.host)}`,
    );
  if (body !== GET_CALLER_IDENTITY_BODY)
    refuse(`callerProof.body: expected exactly ${showValue(GET_CALLER_IDENTITY_BODY)}, got ${showValue(body)}`);
  return endpoint;
}

/** Checks the Authorization header: a SigV4 signature scoped to sts in `region`, signing host, date and binding. */
export function checkAuthorization(headers: ProofRequest['headers'], region: string): ProofSignature {
  const authorization = headers.authorization;
  const signature = authorization ? AUTHORIZATION.exec(authorization) : null;
  if (!authorization || !signature) {
    return refuse(
      `callerProof.headers.authorization: expected an AWS4-HMAC-SHA256 signature (Credential=<key>/<date>/${region}/sts/aws4_request, ` +
        `SignedHeaders=..., Signature=...), got ${showValue(authorization && withoutSignature(authorization))}`,
    );
  }
  const [, , scopeDate, scopeRegion, scopeService, signedList] = signature as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (scopeRegion !== region || scopeService !== 'sts')
    refuse(
      `callerProof.headers.authorization: expected a credential scope for sts in ${region}, got ${showValue(`${scopeRegion}/${scopeService}`)}`,
    );
  const signedHeaders = signedList.split(';');
  for (const required of ['host', 'x-amz-date', BINDING_HEADER]) {
    if (!signedHeaders.includes(required))
      refuse(`callerProof.headers.authorization: SignedHeaders must include ${required}, got ${showValue(signedList)}`);
  }
  return { scopeDate };
}

/** Checks the binding header is the hash of this very request (incident, operation, function). */
export function checkBinding(headers: ProofRequest['headers'], bound: BoundRequest): void {
  const expected = requestBinding(bound);
  if (headers[BINDING_HEADER] !== expected) {
    refuse(
      `callerProof.headers.${BINDING_HEADER}: expected ${expected} (SHA-256 of ${showValue(bindingText(bound))}), got ` +
        `${showValue(headers[BINDING_HEADER])}: the proof was signed for another request (another incident, operation or function); sign this one`,
    );
  }
}

/** Checks the proof was signed within PROOF_MAX_AGE_MS of this function's clock, on the date its scope names. */
export function checkSigningTime(
  headers: ProofRequest['headers'],
  { scopeDate }: ProofSignature,
  clock: () => Date,
): void {
  const amzDate = headers['x-amz-date'];
  const signedAt = amzDate ? signingTime(amzDate) : undefined;
  if (!amzDate || signedAt === undefined)
    return refuse(
      `callerProof.headers.x-amz-date: expected a signing time like 20261121T080000Z, got ${showValue(amzDate)}`,
    );
  const now = clock();
  if (!Number.isFinite(signedAt) || Math.abs(now.getTime() - signedAt) > PROOF_MAX_AGE_MS) {
    refuse(
      `callerProof.headers.x-amz-date: signed at ${showValue(amzDate)}, more than ${PROOF_MAX_AGE_MS / 60_000} ` +
        `minutes from this function's clock (${now.toISOString()}): sign the request again (and check your clock)`,
    );
  }
  if (scopeDate !== amzDate.slice(0, 8))
    refuse(
      `callerProof.headers.authorization: credential scope date ${showValue(scopeDate)} is not the signing date ${showValue(amzDate.slice(0, 8))}`,
    );
}

/** The time an x-amz-date names, in ms since the epoch; undefined when it is not one. */
function signingTime(amzDate: string): number | undefined {
  const dateParts = AMZ_DATE.exec(amzDate);
  if (!dateParts) return undefined;
  const [, year, month, day, hour, minute, second] = dateParts as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
}
