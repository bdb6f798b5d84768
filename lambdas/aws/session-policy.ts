/**
 * STS accepts at most 2,048 characters of plain text for the inline session policy of AssumeRole (its `Policy`
 * parameter). STS also compresses the policy into a packed binary format with a separate limit that it does not
 * publish as a number; AssumeRole returns PackedPolicySize, the percentage of that limit used, and the client
 * factory reports it. A short policy (no whitespace, one statement per service, Resource "*") keeps both low.
 */
export const SESSION_POLICY_MAX_CHARS = 2048;

const IAM_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

/** The generated session policy is longer than STS accepts: the responder cannot assume the member role with it. */
export class SessionPolicyTooLargeError extends Error {
  override readonly name = 'SessionPolicyTooLargeError';

  constructor(
    readonly owner: string,
    readonly length: number,
  ) {
    super(
      `The member-account session policy of ${owner} is ${length} characters, more than the ${SESSION_POLICY_MAX_CHARS} ` +
        `STS accepts for AssumeRole's Policy: split the playbook's steps into two playbooks, or drop a step`,
    );
  }
}

/** An action a session policy would carry is not one exact IAM action (a wildcard, a blank): never widen a session. */
export class SessionPolicyActionInvalidError extends Error {
  override readonly name = 'SessionPolicyActionInvalidError';

  constructor(
    readonly owner: string,
    readonly action: string,
  ) {
    super(
      `The member-account session policy of ${owner} would allow ${JSON.stringify(action)}: expected one ` +
        `exact IAM action such as iam:UpdateAccessKey, no wildcard; fix the action's declared permissions`,
    );
  }
}

/**
 * The inline session policy that allows exactly these IAM actions, one Allow statement per service, Resource "*".
 * A session policy only intersects the member role's own policy, so Resource "*" grants no resource the role does
 * not already scope (and keeps the role's explicit denies on protected principals). No actions: one statement that
 * denies everything, so the session can do nothing at all. Throws where an action is not exact or the policy would
 * not fit STS.
 */
export function memberSessionPolicy(actions: readonly string[], owner: string): string {
  const byService = new Map<string, Set<string>>();
  for (const action of actions) {
    if (!IAM_ACTION.test(action)) throw new SessionPolicyActionInvalidError(owner, action);
    const service = action.slice(0, action.indexOf(':'));
    byService.set(service, (byService.get(service) ?? new Set()).add(action));
  }
  const statements =
    byService.size === 0
      ? [{ Effect: 'Deny', Action: '*', Resource: '*' }]
      : [...byService.keys()]
          .sort()
          .map((service) => ({ Effect: 'Allow', Action: [...byService.get(service)!].sort(), Resource: '*' }));
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  if (policy.length > SESSION_POLICY_MAX_CHARS) throw new SessionPolicyTooLargeError(owner, policy.length);
  return policy;
}
