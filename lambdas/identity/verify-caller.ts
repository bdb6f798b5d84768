import * as z from 'zod/mini';
import { describeIssues, showValue } from '../common/describe-issues';
import { ACCOUNT_ID } from '../findings/guardduty-event-schema';
import {
  BINDING_HEADER,
  bindingText,
  GET_CALLER_IDENTITY_BODY,
  PROOF_MAX_AGE_MS,
  requestBinding,
  stsHost,
  type BoundRequest,
} from './request-binding';

/** Who AWS says signed the proof: GetCallerIdentity's answer. */
export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

export interface VerifyCallerOptions {
  /** The function's own Region: the proof is only ever sent to this Region's STS endpoint. */
  readonly region: string;
  /** The only account whose identities are accepted (the stack's account). */
  readonly homeAccountId: string;
  /** Sends the request to STS; default: Node's global fetch. */
  readonly fetch?: typeof fetch;
  /**
   * Where the checked proof is sent instead of the Region's STS URL: the deployment's own endpoint override
   * (AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL in the function's environment, as the SDK honours them), for an emulator.
   * The proof itself must still be signed for this Region's STS host; the payload never chooses where it goes.
   */
  readonly stsEndpoint?: string;
  readonly now?: () => Date;
  /** How long STS may take to answer; default 5 s. */
  readonly timeoutMs?: number;
}

/** A request whose caller could not be authenticated: nothing was done. `problem` names the field and the value. */
export class CallerNotAuthenticatedError extends Error {
  override readonly name = 'CallerNotAuthenticatedError';
  constructor(
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
  }
}

const MAX_HEADERS = 24;
const MAX_ANSWER_CHARS = 64 * 1024;

const proofSchema = z.strictObject({
  url: z.optional(z.string().check(z.maxLength(300))),
  headers: z.record(z.string().check(z.minLength(1), z.maxLength(64)), z.string().check(z.maxLength(8192))),
  body: z.string().check(z.maxLength(512)),
});

// AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/sts/aws4_request, SignedHeaders=<a;b;c>, Signature=<hex>
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const CALLER_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):[\w+=,.@/:-]{1,2000}$/;
const USER_ID = /^[\w+=,.@:-]{1,400}$/;

/** The Authorization header without its signature, for messages. */
function withoutSignature(authorization: string): string {
  return authorization.replace(/Signature=\S*/, 'Signature=…');
}

/**
 * Verifies a caller proof before anything else is done, and returns who AWS says made it. The proof is a
 * GetCallerIdentity request signed with the caller's credentials; it is checked here (STS host of this Region, exact
 * body, the binding header signed and equal to the hash of this request, signed within 5 minutes of now), then sent
 * to STS, which checks the signature. Only an identity of the home account is accepted. Throws
 * CallerNotAuthenticatedError naming what failed.
 */
export async function verifyCallerProof(
  proof: unknown,
  bound: BoundRequest,
  options: VerifyCallerOptions,
): Promise<CallerIdentity> {
  const refuse = (problem: string, cause?: unknown): never => {
    throw new CallerNotAuthenticatedError(problem, cause === undefined ? undefined : { cause });
  };
  if (!ACCOUNT_ID.test(options.homeAccountId))
    refuse(
      `this function does not know its home account (FIREBREAK_HOME_ACCOUNT / homeAccountId is ${showValue(options.homeAccountId)}): redeploy the stack`,
    );
  let host = '';
  try {
    host = stsHost(options.region);
  } catch (error) {
    refuse(`this function does not know its Region (AWS_REGION): ${(error as Error).message}`);
  }
  if (proof === undefined)
    refuse(
      'callerProof: required (a GetCallerIdentity request signed with your AWS credentials), ' +
        'got nothing (the field is missing): use the firebreak CLI, which signs it',
    );
  const parsed = proofSchema.safeParse(proof);
  if (!parsed.success) return refuse(describeIssues(parsed.error, proof, 'callerProof').join('; '));
  const { url, body } = parsed.data;

  // No prototype: a header named like an Object property (constructor, __proto__) is just a header.
  const headers = Object.create(null) as Record<string, string>;
  const given = Object.keys(parsed.data.headers);
  if (given.length > MAX_HEADERS) refuse(`callerProof.headers: at most ${MAX_HEADERS} headers, got ${given.length}`);
  for (const name of given) {
    const lower = name.toLowerCase();
    if (lower in headers)
      refuse(
        `callerProof.headers: header ${lower} given twice, got ${showValue(given.filter((other) => other.toLowerCase() === lower))}`,
      );
    headers[lower] = parsed.data.headers[name]!;
  }

  // Where the proof goes is this function's choice, never the payload's: an attacker's "STS" would vouch for anyone.
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

  const authorization = headers.authorization;
  const signature = authorization ? AUTHORIZATION.exec(authorization) : null;
  if (!authorization || !signature) {
    return refuse(
      `callerProof.headers.authorization: expected an AWS4-HMAC-SHA256 signature (Credential=<key>/<date>/${options.region}/sts/aws4_request, ` +
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
  if (scopeRegion !== options.region || scopeService !== 'sts')
    refuse(
      `callerProof.headers.authorization: expected a credential scope for sts in ${options.region}, got ${showValue(`${scopeRegion}/${scopeService}`)}`,
    );
  const signedHeaders = signedList.split(';');
  for (const required of ['host', 'x-amz-date', BINDING_HEADER]) {
    if (!signedHeaders.includes(required))
      refuse(`callerProof.headers.authorization: SignedHeaders must include ${required}, got ${showValue(signedList)}`);
  }

  const expected = requestBinding(bound);
  if (headers[BINDING_HEADER] !== expected) {
    refuse(
      `callerProof.headers.${BINDING_HEADER}: expected ${expected} (SHA-256 of ${showValue(bindingText(bound))}), got ` +
        `${showValue(headers[BINDING_HEADER])}: the proof was signed for another request (another incident, operation or function); sign this one`,
    );
  }

  const amzDate = headers['x-amz-date'];
  const dateParts = amzDate ? AMZ_DATE.exec(amzDate) : null;
  if (!amzDate || !dateParts)
    return refuse(
      `callerProof.headers.x-amz-date: expected a signing time like 20261121T080000Z, got ${showValue(amzDate)}`,
    );
  const [, year, month, day, hour, minute, second] = dateParts as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const signedAt = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const now = (options.now ?? (() => new Date()))();
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

  // The request STS receives is the proof as checked, to the fixed endpoint; fetch sets the host from the URL.
  const { host: _host, ...sent } = headers;
  let status = 0;
  let answer = '';
  try {
    const response = await (options.fetch ?? fetch)(options.stsEndpoint ?? endpoint, {
      method: 'POST',
      headers: sent,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    status = response.status;
    answer = (await response.text()).slice(0, MAX_ANSWER_CHARS);
  } catch (error) {
    refuse(
      `callerProof: STS (${endpoint}) could not be reached to check it, so the caller is not known: ${(error as Error).message}`,
      error,
    );
  }
  if (status < 200 || status > 299) {
    const code = xmlText(answer, 'Code') ?? 'no error code';
    const message = xmlText(answer, 'Message') ?? answer.slice(0, 200);
    refuse(`callerProof: STS did not accept it (HTTP ${status}, ${code}): ${message}`);
  }
  const result = xmlText(answer, 'GetCallerIdentityResult');
  const arn = result && xmlText(result, 'Arn');
  const account = result && xmlText(result, 'Account');
  const userId = result && xmlText(result, 'UserId');
  if (!arn || !account || !userId)
    return refuse(`callerProof: STS answered without Arn, Account and UserId: ${showValue(answer.slice(0, 300))}`);
  const arnAccount = CALLER_ARN.exec(arn)?.[1];
  if (!ACCOUNT_ID.test(account) || arnAccount !== account || !USER_ID.test(userId))
    refuse(
      `callerProof: STS answered an identity Firebreak cannot read: Arn ${showValue(arn)}, Account ${showValue(account)}, UserId ${showValue(userId)}`,
    );
  if (account !== options.homeAccountId) {
    refuse(
      `callerProof: signed by ${arn}, of account ${account}, not of this stack's account ` +
        `${options.homeAccountId}: only identities of the home account may ${bound.operation}`,
    );
  }
  return { arn, account, userId };
}

/** The text of the first `<tag>` element, entities decoded; undefined when absent. STS's answers are this simple. */
function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!match) return undefined;
  return match[1]!
    .trim()
    .replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_entity, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name as 'lt'],
    );
}
