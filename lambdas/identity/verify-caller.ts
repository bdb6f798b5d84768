import { showValue } from '../common/describe-issues';
import { ACCOUNT_ID } from '../findings/guardduty-event-schema';
import { refuse } from './caller-not-authenticated';
import { checkAuthorization, checkBinding, checkDestination, checkSigningTime, parseProof } from './caller-proof';
import { stsHost, type BoundRequest } from './request-binding';
import { readCallerIdentity, sendToSts, type CallerIdentity } from './sts-caller-identity';

export { CallerNotAuthenticatedError } from './caller-not-authenticated';
export type { CallerIdentity } from './sts-caller-identity';

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
  const host = ownStsHost(options);
  const request = parseProof(proof);
  const endpoint = checkDestination(request, host);
  const signature = checkAuthorization(request.headers, options.region);
  checkBinding(request.headers, bound);
  checkSigningTime(request.headers, signature, options.now ?? (() => new Date()));
  const answer = await sendToSts(request, { ...options, endpoint });
  const identity = readCallerIdentity(answer);
  checkHomeAccount(identity, bound, options.homeAccountId);
  return identity;
}

/** This Region's STS host, once this function knows its home account and its Region. */
function ownStsHost({ homeAccountId, region }: VerifyCallerOptions): string {
  if (!ACCOUNT_ID.test(homeAccountId))
    refuse(
      `this function does not know its home account (FIREBREAK_HOME_ACCOUNT / homeAccountId is ${showValue(homeAccountId)}): redeploy the stack`,
    );
  try {
    return stsHost(region);
  } catch (error) {
    return refuse(`this function does not know its Region (AWS_REGION): ${(error as Error).message}`);
  }
}

function checkHomeAccount({ arn, account }: CallerIdentity, bound: BoundRequest, homeAccountId: string): void {
  if (account !== homeAccountId) {
    refuse(
      `callerProof: signed by ${arn}, of account ${account}, not of this stack's account ` +
        `${homeAccountId}: only identities of the home account may ${bound.operation}`,
    );
  }
}
