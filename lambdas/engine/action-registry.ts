import { iamDeactivateAccessKey } from '../actions/iam-deactivate-access-key';
import { iamRevokeRoleSessions } from '../actions/iam-revoke-role-sessions';
import { iamRevokeUserSessions } from '../actions/iam-revoke-user-sessions';
import { iamTagPrincipal } from '../actions/iam-tag-principal';
import type { AnyAction } from './action';

/** Every action a playbook step can name, by id. */
export const ACTIONS: ReadonlyMap<string, AnyAction> = new Map(
  [iamDeactivateAccessKey, iamRevokeUserSessions, iamRevokeRoleSessions, iamTagPrincipal].map((action) => [action.id, action as AnyAction]),
);

export function findAction(id: string): AnyAction | undefined {
  return ACTIONS.get(id);
}
