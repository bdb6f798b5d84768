import type { Notification } from '../notify/publish-outcome';
import { oneLine, snsSubject } from '../notify/sanitize';
import type { ProtectedOperation } from './request-binding';

export interface RefusedRequest {
  readonly operation: ProtectedOperation;
  /** The incident it asked for, when the payload named one. */
  readonly incidentId?: string;
  /** The function that refused it, and its Region. */
  readonly functionName: string;
  readonly region: string;
  /** A name the payload gave for the caller (releasedBy, approvedBy, label): what they say, never verified. */
  readonly claimedBy?: string;
  /** What failed: the field and the value. */
  readonly problem: string;
  readonly at: Date;
}

const ATTEMPT: Readonly<Record<ProtectedOperation, string>> = {
  release: 'undo a containment',
  approve: 'apply a plan without a human',
  deny: 'stop a containment a human was asked to approve',
  drill: 'make Firebreak contain an IAM user',
};

const WORDS: Readonly<
  Record<ProtectedOperation, { readonly noun: string; readonly verb: string; readonly command: string }>
> = {
  release: {
    noun: 'RELEASE',
    verb: 'release (undo the containment of, and exempt from re-containment)',
    command: 'release',
  },
  approve: { noun: 'APPROVAL', verb: 'approve the plan of', command: 'approve' },
  deny: { noun: 'DENIAL', verb: 'deny (drop for good) the plan of', command: 'deny' },
  drill: { noun: 'DRILL', verb: 'run the drill (contain, then release, its canary IAM user) of', command: 'drill' },
};

/**
 * The urgent message for a release or approval refused because its caller could not be authenticated: what it asked
 * for, why it was refused, and where to find who invoked it (Lambda does not tell the function; CloudTrail can).
 */
export function renderUnauthenticatedRequest(refused: RefusedRequest): Notification {
  const words = WORDS[refused.operation];
  const incident = refused.incidentId ? oneLine(refused.incidentId, 300) : '(none named)';
  const functionName = oneLine(refused.functionName, 140);
  const region = oneLine(refused.region, 30);
  const text = [
    `URGENT - UNAUTHENTICATED ${words.noun} REFUSED`,
    `Someone invoked ${functionName} to ${words.verb} incident ${incident}, without a ` +
      `proof of who they are that AWS vouches for. Firebreak refused it and changed nothing.`,
    '-'.repeat(72),
    'WHAT WAS ASKED',
    `  Operation: ${refused.operation}`,
    `  Incident:  ${incident}`,
    `  Function:  ${functionName} (Region ${region}), at ${refused.at.toISOString()}`,
    ...(refused.claimedBy !== undefined
      ? [
          `  Caller says it is: ${JSON.stringify(oneLine(refused.claimedBy, 200))} (not verified: anyone can write any name)`,
        ]
      : []),
    '',
    'WHY IT WAS REFUSED',
    `  ${oneLine(refused.problem, 1200)}`,
    '',
    'WHO ASKED',
    '  Lambda does not tell a function who invoked it. CloudTrail does, if Lambda data events are logged for this',
    `  function: look for eventName Invoke on ${functionName} around ${refused.at.toISOString()} (data events are not`,
    '  logged by default: enable them on a trail or a CloudTrail Lake event data store, for Lambda functions).',
    '',
    'WHAT A HUMAN HAS TO DO',
    refused.operation === 'drill'
      ? `  1. If you asked for this: run  npm run firebreak -- drill --function ${functionName} --region ${region} ` +
        '--release-function <ReleaseFunctionName>'
      : `  1. If you asked for this: run  npm run firebreak -- ${words.command} '${incident}' --function ${functionName} --region ${region}`,
    '     which signs the request with your AWS credentials.',
    `  2. If nobody on the team did: treat it as an attempt to ${ATTEMPT[refused.operation]}. Find the caller in CloudTrail`,
    '     and review who may call lambda:InvokeFunction on Firebreak functions.',
    '-'.repeat(72),
    `Firebreak · ${refused.operation} refused · function ${functionName}`,
  ].join('\n');
  return {
    subject: snsSubject(
      `Firebreak URGENT UNAUTHENTICATED ${words.noun} REFUSED | ${refused.incidentId ?? 'no incident'}`,
    ),
    text,
    json: JSON.stringify({
      schemaVersion: '1',
      kind: 'firebreak.unauthenticated-request-refused',
      operation: refused.operation,
      incidentId: refused.incidentId ?? null,
      functionName: refused.functionName,
      region: refused.region,
      claimedBy: refused.claimedBy ?? null,
      problem: refused.problem,
      at: refused.at.toISOString(),
    }),
    attributes: {
      outcome: { DataType: 'String', StringValue: `${refused.operation}-refused` },
      urgent: { DataType: 'String', StringValue: 'true' },
    },
  };
}
