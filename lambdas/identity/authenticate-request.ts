import * as z from 'zod/mini';
import type { AwsClients } from '../aws/aws-clients';
import { describeIssues } from '../common/describe-issues';
import type { Log } from '../pipeline/handle-event';
import { publishNotification } from '../notify/publish-outcome';
import { oneLine } from '../notify/sanitize';
import { renderUnauthenticatedRequest } from './render-unauthenticated';
import type { ProtectedOperation } from './request-binding';
import { CallerNotAuthenticatedError, verifyCallerProof, type CallerIdentity } from './verify-caller';
import { stsEndpointOverride } from '../aws/endpoint-override';

/** Where and for whom a function checks callers; the defaults are Lambda's own environment. */
export interface CallerIdentitySettings {
  /** The only account whose identities are accepted (settings.homeAccountId, FIREBREAK_HOME_ACCOUNT). */
  readonly homeAccountId: string;
  /** Default: AWS_REGION. */
  readonly region?: string;
  /** Default: AWS_LAMBDA_FUNCTION_NAME. */
  readonly functionName?: string;
  /** Default: Node's global fetch. */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

export interface AuthenticationDependencies {
  readonly identity: CallerIdentitySettings;
  readonly topicArn: string;
  readonly clients: AwsClients;
  readonly log: Log;
}

export interface AuthenticatedRequest {
  readonly incidentId: string;
  /** The CLI's --by, kept as a label beside the ARN. */
  readonly label?: string;
  readonly caller: CallerIdentity;
  /** What the ledger and the message record as who did it: the ARN STS returned, then the label, if any. */
  readonly recordedAs: string;
}

const incidentId = z.string().check(z.minLength(1), z.maxLength(600));
const label = z.optional(z.string().check(z.minLength(1), z.maxLength(100)));
const SCHEMAS = {
  release: z.strictObject({ incidentId, label, callerProof: z.optional(z.unknown()) }),
  approve: z.strictObject({ firebreak: z.literal('approve'), incidentId, label, callerProof: z.optional(z.unknown()) }),
  deny: z.strictObject({ firebreak: z.literal('deny'), incidentId, label, callerProof: z.optional(z.unknown()) }),
} as const;
/** Names a caller could write for itself; read only to be quoted in the refusal. */
const CLAIMED = { release: 'releasedBy', approve: 'approvedBy', deny: 'deniedBy' } as const;
const DOES = { release: 'releases', approve: 'approves', deny: 'denies' } as const;
const NOUN = { release: 'Release', approve: 'Approval', deny: 'Denial' } as const;

/**
 * The first thing a release or an approval does: authenticate its caller from the payload's `callerProof`, a
 * GetCallerIdentity request signed with the caller's own credentials and bound to this request. A payload without a
 * valid proof changes nothing: one urgent message says what was asked and why it was refused, and this throws
 * CallerNotAuthenticatedError, naming what failed.
 */
export async function authenticateRequest(
  operation: ProtectedOperation,
  payload: unknown,
  deps: AuthenticationDependencies,
): Promise<AuthenticatedRequest> {
  const now = deps.identity.now ?? (() => new Date());
  const region = deps.identity.region ?? process.env.AWS_REGION ?? '';
  const functionName = deps.identity.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? '';
  const fields =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  const claimedKey = CLAIMED[operation];
  const { [claimedKey]: claimed, ...rest } = fields;
  const claimedBy = typeof claimed === 'string' ? claimed : typeof fields.label === 'string' ? fields.label : undefined;
  const named = typeof fields.incidentId === 'string' ? fields.incidentId : undefined;

  const problems: string[] = [];
  if (fields !== payload) problems.push(`(root): expected a JSON object, got ${typeof payload}`);
  if (claimed !== undefined)
    problems.push(
      `${claimedKey}: a name the caller writes proves nothing and is not read; who ${DOES[operation]} is the identity STS returns for callerProof`,
    );
  const parsed = SCHEMAS[operation].safeParse(rest);
  if (!parsed.success) problems.push(...describeIssues(parsed.error, rest));
  if (!functionName) problems.push('this function does not know its name (AWS_LAMBDA_FUNCTION_NAME is not set)');

  let caller: CallerIdentity | undefined;
  if (problems.length === 0 && parsed.success) {
    try {
      caller = await verifyCallerProof(
        parsed.data.callerProof,
        { operation, functionName, request: rest },
        { stsEndpoint: stsEndpointOverride(process.env), ...deps.identity, region, now },
      );
    } catch (error) {
      if (!(error instanceof CallerNotAuthenticatedError)) throw error;
      problems.push(error.problem);
    }
  } else if (rest.callerProof === undefined) {
    problems.unshift(
      'callerProof: required (a GetCallerIdentity request signed with your AWS credentials, bound ' +
        'to this request), got nothing (the field is missing): use the firebreak CLI, which signs it',
    );
  }

  if (!caller || !parsed.success) {
    const problem = problems.join('; ');
    deps.log.error('Unauthenticated request refused', {
      action: operation,
      incidentId: named,
      functionName,
      problem,
      outcome: 'refused',
    });
    let notified = '';
    try {
      await publishNotification(
        renderUnauthenticatedRequest({
          operation,
          ...(named ? { incidentId: named } : {}),
          functionName: functionName || '(unknown function)',
          region: region || '(unknown Region)',
          ...(claimedBy !== undefined ? { claimedBy } : {}),
          problem,
          at: now(),
        }),
        deps.topicArn,
        deps.clients,
      );
    } catch (error) {
      notified = ` The urgent message about it was not sent: ${(error as Error).message}`;
    }
    throw new CallerNotAuthenticatedError(
      `${NOUN[operation]} refused, nothing was changed: the caller is not authenticated. ${problem}${notified}`,
    );
  }
  const given = parsed.data.label;
  return {
    incidentId: parsed.data.incidentId,
    ...(given ? { label: given } : {}),
    caller,
    recordedAs: given ? `${caller.arn} (--by ${JSON.stringify(oneLine(given, 100))})` : caller.arn,
  };
}
