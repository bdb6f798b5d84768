import { GetUserPolicyCommand, ListAccessKeysCommand, type IAMClient } from '@aws-sdk/client-iam';
import { isNoSuchEntity } from '../../lambdas/aws/aws-call-error';
import { SESSIONS_ISSUED_BEFORE_POLICY } from '../../lambdas/actions/support/iam-policy-documents';
import { assertFirebreakDenyPolicy } from '../../lambdas/actions/support/inline-policy';
import type { Ledger } from '../../lambdas/ledger/ledger';
import type { Canary } from './drill-canaries';

/** The canary's credentials as IAM has them now. */
export interface ContainmentState {
  /** The canary key's status (Active, Inactive), or undefined when the key is gone. */
  readonly keyStatus: string | undefined;
  /** Firebreak's deny policy for sessions issued before the containment is on the user, and denies only. */
  readonly sessionsDenied: boolean;
}

export async function readContainment(iam: IAMClient, canary: Canary): Promise<ContainmentState> {
  const [keys, document] = await Promise.all([
    iam.send(new ListAccessKeysCommand({ UserName: canary.userName })),
    sessionsPolicyOf(iam, canary.userName),
  ]);
  const key = (keys.AccessKeyMetadata ?? []).find((candidate) => candidate.AccessKeyId === canary.accessKeyId);
  return { keyStatus: key?.Status, sessionsDenied: document ? isDenyOnly(document) : false };
}

/** Firebreak's deny policy on the user (URL-encoded, as IAM returns it), or undefined when it is not there. */
async function sessionsPolicyOf(iam: IAMClient, userName: string): Promise<string | undefined> {
  try {
    const policy = await iam.send(
      new GetUserPolicyCommand({ UserName: userName, PolicyName: SESSIONS_ISSUED_BEFORE_POLICY }),
    );
    return policy.PolicyDocument;
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw error;
  }
}

/** IAM returns inline policy documents URL-encoded. */
export function isDenyOnly(encoded: string): boolean {
  try {
    assertFirebreakDenyPolicy(SESSIONS_ISSUED_BEFORE_POLICY, decodeURIComponent(encoded));
    return true;
  } catch {
    return false;
  }
}

export const isContained = (state: ContainmentState) => state.keyStatus === 'Inactive' && state.sessionsDenied;

export interface Polling {
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly pollMs: number;
  /** Asked after each read that is not yet what is waited for: true ends the wait. */
  readonly giveUp: () => boolean;
}

export interface Watched<T> {
  /** When the read first showed what was waited for; undefined if it never did. */
  readonly at?: Date;
  readonly last?: T;
  readonly polls: number;
  readonly lastError?: string;
}

/** Reads until `done` holds or `giveUp` says to stop; a failed read is kept and the next one tried. */
export async function watch<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  polling: Polling,
): Promise<Watched<T>> {
  let polls = 0;
  let last: T | undefined;
  let lastError: string | undefined;
  for (;;) {
    polls += 1;
    try {
      last = await read();
      if (done(last)) return { at: polling.now(), last, polls };
    } catch (error) {
      lastError = `${(error as Error).name}: ${(error as Error).message}`;
    }
    if (polling.giveUp())
      return { ...(last !== undefined ? { last } : {}), polls, ...(lastError ? { lastError } : {}) };
    await polling.sleep(polling.pollMs);
  }
}

/** When the ledger's record of the incident says its message was sent (the responder's clock), if it does. */
export async function notifiedAtOf(ledger: Ledger, incidentId: string): Promise<string | undefined> {
  return (await ledger.getIncident(incidentId))?.notifiedAt;
}
