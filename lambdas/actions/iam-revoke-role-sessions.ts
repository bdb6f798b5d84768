import * as z from 'zod/mini';
import type { Action, Plan, Target } from '../model/action';
import { isIdentityCenterRole, isServiceLinkedRole, type IamRolePrincipal } from '../model/resource';
import {
  SESSIONS_ISSUED_BEFORE_POLICY,
  SESSION_POLICY_PREFIX,
  denyOneSession,
  sameDocument,
} from './support/iam-policy-documents';
import {
  inlinePolicyReleaseCommands,
  inlinePolicyReleasePermissions,
  putInlinePolicy,
  readInlinePolicy,
  releaseInlinePolicy,
  replacedDocument,
  type InlinePolicyWrite,
  type PolicyHolder,
} from './support/inline-policy';
import { planSessionsIssuedBefore } from './support/sessions-issued-before';

const params = z.strictObject({
  /**
   * `session` (default) denies only the compromised session (`aws:userid` = `<roleId>:<sessionName>`), so other
   * workloads using the role keep working. `all-sessions-before-now` denies every session of the role issued before
   * now, as the console's "Revoke active sessions" does: use it when the role itself is compromised.
   */
  scope: z._default(z.enum(['session', 'all-sessions-before-now']), 'session'),
});

type Params = z.infer<typeof params>;

interface State {
  readonly policyName: string;
  readonly existing: string | null;
}

function roleOf(target: Target): { role: IamRolePrincipal; sessionName: string; roleId: string } {
  const { subject } = target.finding;
  if (subject.kind !== 'assumed-role' || target.resource.kind !== 'iam-role') {
    throw new Error(`iam-revoke-role-sessions needs an assumed-role session, got ${subject.kind}`);
  }
  return { role: target.resource, sessionName: subject.sessionName, roleId: subject.roleId };
}

function policyNameFor(target: Target, scope: Params['scope']): string {
  return scope === 'session' ? `${SESSION_POLICY_PREFIX}${roleOf(target).sessionName}` : SESSIONS_ISSUED_BEFORE_POLICY;
}

/** What a human must do where IAM cannot be changed by Firebreak. */
function manualRevocation(role: IamRolePrincipal, sessionName: string): Plan<InlinePolicyWrite> | undefined {
  if (isServiceLinkedRole(role)) {
    return {
      kind: 'skip',
      summary: `Role ${role.roleName} is service-linked: its sessions cannot be revoked and its policies cannot be changed`,
      manualSteps: [
        `Find the AWS service that owns ${role.arn} and the resource acting through it; contain that ` +
          `resource instead (for example disable the integration or remove the service's access).`,
      ],
    };
  }
  if (isIdentityCenterRole(role)) {
    return {
      kind: 'skip',
      summary: `Role ${role.roleName} is managed by IAM Identity Center and cannot be edited in IAM`,
      manualSteps: [
        `In IAM Identity Center, find the user behind session ${sessionName}, disable the ` +
          `user or remove the permission-set assignment, and revoke the user's active sessions.`,
      ],
    };
  }
  return undefined;
}

/** Denies the compromised role session with an inline policy on the role; optionally every session issued before now. */
export const iamRevokeRoleSessions: Action<Params, State, InlinePolicyWrite> = {
  id: 'iam-revoke-role-sessions',
  title: 'Deny the role session',
  containment: true,
  appliesTo: (subject) => subject.kind === 'assumed-role',
  permissions: [
    { action: 'iam:GetRolePolicy', resource: 'iam-role', write: false },
    { action: 'iam:PutRolePolicy', resource: 'iam-role', write: true },
  ],
  params,

  async describe(target, stepParams, clients) {
    const { role } = roleOf(target);
    const policyName = policyNameFor(target, stepParams.scope);
    return { policyName, existing: await readInlinePolicy({ kind: 'role', name: role.roleName }, policyName, clients) };
  },

  assume(target, stepParams) {
    return { policyName: policyNameFor(target, stepParams.scope), existing: null };
  },

  plan(target, state, stepParams, now) {
    const { role, sessionName, roleId } = roleOf(target);
    const manual = manualRevocation(role, sessionName);
    if (manual) return manual;
    const holder: PolicyHolder = { kind: 'role', name: role.roleName };
    if (stepParams.scope === 'all-sessions-before-now')
      return planSessionsIssuedBefore(target, holder, state.existing, now);
    const userId = `${roleId}:${sessionName}`;
    const document = denyOneSession(userId);
    if (state.existing !== null && sameDocument(state.existing, document)) {
      return {
        kind: 'no-op',
        summary: `Role ${role.roleName} already denies session ${sessionName} (aws:userid ${userId})`,
      };
    }
    return {
      kind: 'write',
      summary:
        `Deny session ${sessionName} of role ${role.roleName} (aws:userid ${userId}; ` +
        `inline policy ${state.policyName}); the role's other sessions keep working`,
      write: { holder, policyName: state.policyName, document },
      replaced: { policyName: state.policyName, document: state.existing },
      release: inlinePolicyReleaseCommands(holder, state.policyName, state.existing),
    };
  },

  async apply(write, clients) {
    await putInlinePolicy(write, clients);
  },

  async verify(write, clients) {
    const document = await readInlinePolicy(write.holder, write.policyName, clients);
    const confirmed = document !== null && sameDocument(document, write.document);
    return {
      confirmed,
      detail: confirmed ? `policy ${write.policyName} is in place` : `policy ${write.policyName} is not yet visible`,
    };
  },

  releasePermissions: inlinePolicyReleasePermissions('role'),

  async release(applied, clients) {
    return releaseInlinePolicy(applied.write, replacedDocument(applied.replaced), clients);
  },
};
