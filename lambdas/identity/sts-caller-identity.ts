import { showValue } from '../common/describe-issues';
import { ACCOUNT_ID } from '../findings/guardduty-event-schema';
import { refuse } from './caller-not-authenticated';
import type { ProofRequest } from './caller-proof';

/** Who AWS says signed the proof: GetCallerIdentity's answer. */
export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

/** How the checked proof reaches STS. */
export interface StsDelivery {
  /** The STS endpoint of this function's Region, named in messages. */
  readonly endpoint: string;
  /** Where the request is actually sent: the deployment's endpoint override, if any, else `endpoint`. */
  readonly stsEndpoint?: string | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly timeoutMs?: number | undefined;
}

const MAX_ANSWER_CHARS = 64 * 1024;
const CALLER_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):[\w+=,.@/:-]{1,2000}$/;
const USER_ID = /^[\w+=,.@:-]{1,400}$/;

/** Sends the proof as checked to STS, which checks its signature; returns STS's answer (a 2xx body). */
export async function sendToSts({ headers, body }: ProofRequest, delivery: StsDelivery): Promise<string> {
  // The request STS receives is the proof as checked, to the fixed endpoint; fetch sets the host from the URL.
  const { host: _host, ...sent } = headers;
  let status = 0;
  let answer = '';
  try {
    const response = await (delivery.fetch ?? fetch)(delivery.stsEndpoint ?? delivery.endpoint, {
      method: 'POST',
      headers: sent,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(delivery.timeoutMs ?? 5000),
    });
    status = response.status;
    answer = (await response.text()).slice(0, MAX_ANSWER_CHARS);
  } catch (error) {
    refuse(
      `callerProof: STS (${delivery.endpoint}) could not be reached to check it, so the caller is not known: ${(error as Error).message}`,
      error,
    );
  }
  if (status < 200 || status > 299) {
    const code = xmlText(answer, 'Code') ?? 'no error code';
    const message = xmlText(answer, 'Message') ?? answer.slice(0, 200);
    refuse(`callerProof: STS did not accept it (HTTP ${status}, ${code}): ${message}`);
  }
  return answer;
}

/** Reads the identity out of GetCallerIdentity's answer; refuses one that is missing or not well-formed. */
export function readCallerIdentity(answer: string): CallerIdentity {
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
