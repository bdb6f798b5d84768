import * as z from 'zod/mini';
import type { AwsClients } from '../aws/aws-clients';
import { describeIssues } from '../common/describe-issues';
import { DRILL_ID, drillFindingId } from '../findings/drill-finding';
import { publishNotification } from '../notify/publish-outcome';
import { oneLine } from '../notify/sanitize';
import { renderUnauthenticatedRequest } from './render-unauthenticated';
import type { ProtectedOperation } from './request-binding';
import { CallerNotAuthenticatedError, verifyCallerProof, type CallerIdentity } from './verify-caller';
import { stsEndpointOverride } from '../aws/endpoint-override';

/** The part of a structured logger a refusal uses (the pipeline's Log and Powertools Logger fit it). */
export interface RefusalLog {
  error(message: string, attributes: Record<string, unknown>): void;
}

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
  readonly log: RefusalLog;
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
const callerProof = z.optional(z.unknown());
const SCHEMAS = {
  release: z.strictObject({ incidentId, label, callerProof }),
  approve: z.strictObject({ firebreak: z.literal('approve'), incidentId, label, callerProof }),
  deny: z.strictObject({ firebreak: z.literal('deny'), incidentId, label, callerProof }),
  drill: z.strictObject({
    firebreak: z.literal('drill'),
    drillId: z.string().check(z.regex(DRILL_ID, 'expected a drill id of lower-case letters, digits and dashes')),
    userName: z.string().check(z.minLength(1), z.maxLength(64)),
    accessKeyId: z.string().check(z.minLength(16), z.maxLength(128)),
    label,
    callerProof,
  }),
} as const;
/** Names a caller could write for itself; read only to be quoted in the refusal. */
const CLAIMED = { release: 'releasedBy', approve: 'approvedBy', deny: 'deniedBy', drill: 'startedBy' } as const;
const DOES = { release: 'releases', approve: 'approves', deny: 'denies', drill: 'starts a drill' } as const;
const NOUN = { release: 'Release', approve: 'Approval', deny: 'Denial', drill: 'Drill' } as const;

type IncidentOperation = Exclude<ProtectedOperation, 'drill'>;

/** A drill request once its caller is authenticated: what it names is still only a claim, checked against IAM. */
export interface AuthenticatedDrill {
  readonly drillId: string;
  readonly userName: string;
  readonly accessKeyId: string;
  readonly label?: string;
  readonly caller: CallerIdentity;
  readonly recordedAs: string;
}

/**
 * The first thing a release or an approval does: authenticate its caller from the payload's `callerProof`, a
 * GetCallerIdentity request signed with the caller's own credentials and bound to this request. A payload without a
 * valid proof changes nothing: one urgent message says what was asked and why it was refused, and this throws
 * CallerNotAuthenticatedError, naming what failed.
 */
export async function authenticateRequest(
  operation: IncidentOperation,
  payload: unknown,
  deps: AuthenticationDependencies,
): Promise<AuthenticatedRequest> {
  const named = (fields: Record<string, unknown>) =>
    typeof fields.incidentId === 'string' ? fields.incidentId : undefined;
  const { data, caller, recordedAs } = await authenticate(operation, SCHEMAS[operation], named, payload, deps);
  return { incidentId: data.incidentId, ...(data.label ? { label: data.label } : {}), caller, recordedAs };
}

/**
 * A drill request (`firebreak drill`), authenticated as approve is. What it names (the canary user and key) is only
 * the caller's claim: the responder checks it against IAM before anything else.
 */
export async function authenticateDrillRequest(
  payload: unknown,
  deps: AuthenticationDependencies,
): Promise<AuthenticatedDrill> {
  const named = (fields: Record<string, unknown>) =>
    typeof fields.drillId === 'string' ? drillFindingId(fields.drillId) : undefined;
  const { data, caller, recordedAs } = await authenticate('drill', SCHEMAS.drill, named, payload, deps);
  const { drillId, userName, accessKeyId, label: given } = data;
  return { drillId, userName, accessKeyId, ...(given ? { label: given } : {}), caller, recordedAs };
}

interface Authenticated<T> {
  readonly data: T;
  readonly caller: CallerIdentity;
  /** What the ledger and the message record as who did it: the ARN STS returned, then the label, if any. */
  readonly recordedAs: string;
}

/** Where this function runs and its clock: the settings given, else Lambda's own environment. */
interface RunningAs {
  readonly now: () => Date;
  readonly region: string;
  readonly functionName: string;
}

/** What a payload says before it is validated: its fields, the rest once the claimed name is set aside. */
interface ReadPayload {
  readonly fields: Record<string, unknown>;
  readonly claimed: unknown;
  readonly rest: Record<string, unknown>;
  readonly claimedBy: string | undefined;
  readonly named: string | undefined;
}

const MISSING_PROOF =
  'callerProof: required (a GetCallerIdentity request signed with your AWS credentials, bound ' +
  'to this request), got nothing (the field is missing): use the firebreak CLI, which signs it';

/** Validates the payload with `schema` and checks its caller proof with STS; refuses (message, then throw) otherwise. */
async function authenticate<T extends { readonly label?: string | undefined; readonly callerProof?: unknown }>(
  operation: ProtectedOperation,
  schema: z.ZodMiniType<T>,
  namedIn: (fields: Record<string, unknown>) => string | undefined,
  payload: unknown,
  deps: AuthenticationDependencies,
): Promise<Authenticated<T>> {
  const runningAs = runningAsOf(deps.identity);
  const read = readPayload(operation, payload, namedIn);
  const parsed = schema.safeParse(read.rest);
  const problems = payloadProblems(operation, payload, read, parsed, runningAs.functionName);

  let caller: CallerIdentity | undefined;
  if (problems.length === 0 && parsed.success) {
    const checked = await checkCaller(operation, parsed.data.callerProof, read.rest, runningAs, deps.identity);
    if (typeof checked === 'string') problems.push(checked);
    else caller = checked;
  } else if (read.rest.callerProof === undefined) {
    problems.unshift(MISSING_PROOF);
  }

  if (!caller || !parsed.success) return refuseUnauthenticated(operation, problems.join('; '), read, runningAs, deps);
  return { data: parsed.data, caller, recordedAs: recordedAsOf(caller, parsed.data.label) };
}

function runningAsOf(identity: CallerIdentitySettings): RunningAs {
  return {
    now: identity.now ?? (() => new Date()),
    region: identity.region ?? process.env.AWS_REGION ?? '',
    functionName: identity.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? '',
  };
}

function readPayload(
  operation: ProtectedOperation,
  payload: unknown,
  namedIn: (fields: Record<string, unknown>) => string | undefined,
): ReadPayload {
  const fields =
    payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  const { [CLAIMED[operation]]: claimed, ...rest } = fields;
  const claimedBy = typeof claimed === 'string' ? claimed : typeof fields.label === 'string' ? fields.label : undefined;
  return { fields, claimed, rest, claimedBy, named: namedIn(fields) };
}

/** What is wrong with the payload itself (and this function's settings), before its proof is checked. */
function payloadProblems(
  operation: ProtectedOperation,
  payload: unknown,
  { fields, claimed, rest }: ReadPayload,
  parsed: ReturnType<z.ZodMiniType<unknown>['safeParse']>,
  functionName: string,
): string[] {
  const problems: string[] = [];
  if (fields !== payload) problems.push(`(root): expected a JSON object, got ${typeof payload}`);
  if (claimed !== undefined)
    problems.push(
      `${CLAIMED[operation]}: a name the caller writes proves nothing and is not read; who ${DOES[operation]} is the identity STS returns for callerProof`,
    );
  if (!parsed.success) problems.push(...describeIssues(parsed.error, rest));
  if (!functionName) problems.push('this function does not know its name (AWS_LAMBDA_FUNCTION_NAME is not set)');
  return problems;
}

/** The caller STS vouches for, bound to this request; or the problem that refused it. */
async function checkCaller(
  operation: ProtectedOperation,
  proof: unknown,
  request: Record<string, unknown>,
  { region, functionName, now }: RunningAs,
  identity: CallerIdentitySettings,
): Promise<CallerIdentity | string> {
  try {
    return await verifyCallerProof(
      proof,
      { operation, functionName, request },
      { stsEndpoint: stsEndpointOverride(process.env), ...identity, region, now },
    );
  } catch (error) {
    if (!(error instanceof CallerNotAuthenticatedError)) throw error;
    return error.problem;
  }
}

/** Logs the refusal, sends the one urgent message about it, then throws: nothing was changed. */
async function refuseUnauthenticated(
  operation: ProtectedOperation,
  problem: string,
  { named, claimedBy }: ReadPayload,
  { functionName, region, now }: RunningAs,
  deps: AuthenticationDependencies,
): Promise<never> {
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

function recordedAsOf(caller: CallerIdentity, label: string | undefined): string {
  return label ? `${caller.arn} (--by ${JSON.stringify(oneLine(label, 100))})` : caller.arn;
}
