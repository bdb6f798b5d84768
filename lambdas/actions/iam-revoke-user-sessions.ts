import * as z from 'zod/mini';
import type { Action, Target } from '../model/action';
import { SESSIONS_ISSUED_BEFORE_POLICY, sameDocument } from './support/iam-policy-documents';
import {
  inlinePolicyReleasePermissions,
  putInlinePolicy,
  readInlinePolicy,
  releaseInlinePolicy,
  replacedDocument,
  type InlinePolicyWrite,
  type PolicyHolder,
} from './support/inline-policy';
import { planSessionsIssuedBefore } from './support/sessions-issued-before';

interface State {
  readonly existing: string | null;
}

function holderOf(target: Target): PolicyHolder {
  if (target.resource.kind !== 'iam-user')
    throw new Error(`iam-revoke-user-sessions needs an IAM user, got ${target.resource.kind}`);
  return { kind: 'user', name: target.resource.userName };
}

/**
 * Ends the user's temporary sessions (console, GetSessionToken, GetFederationToken) issued before now. Deactivating
 * a key does not end sessions already minted with it; this does. Requests signed with long-term keys are unaffected.
 */
export const iamRevokeUserSessions: Action<Record<string, never>, State, InlinePolicyWrite> = {
  id: 'iam-revoke-user-sessions',
  title: "Deny the user's sessions issued before now",
  containment: true,
  appliesTo: (subject) => subject.kind === 'iam-user',
  permissions: [
    { action: 'iam:GetUserPolicy', resource: 'iam-user', write: false },
    { action: 'iam:PutUserPolicy', resource: 'iam-user', write: true },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    return { existing: await readInlinePolicy(holderOf(target), SESSIONS_ISSUED_BEFORE_POLICY, clients) };
  },

  assume() {
    return { existing: null };
  },

  plan(target, state, _params, now) {
    return planSessionsIssuedBefore(target, holderOf(target), state.existing, now);
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

  releasePermissions: inlinePolicyReleasePermissions('user'),

  async release(applied, clients) {
    return releaseInlinePolicy(applied.write, replacedDocument(applied.replaced), clients);
  },
};
