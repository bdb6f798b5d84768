import { memberSessionPolicy } from '../aws/session-policy';
import type { Permission, ResourceKind } from '../model/action';
import { ACTIONS } from '../actions/registry';
import type { Playbook } from '../model/playbook';
import { RESOLVE_PERMISSIONS } from '../kinds/resolve-resource';

export interface PermissionGrant {
  readonly resource: ResourceKind;
  readonly actions: readonly string[];
  readonly writeActions: readonly string[];
}

/**
 * Exactly the union of the permissions the playbook's steps declare, grouped by resource kind, plus the reads
 * that resolve the resource types its trigger receives. One list for both sides: the CDK builds the responder's role
 * from it, and the responder scopes its member-account sessions to it (responderSessionPolicy).
 */
export function playbookPermissions(playbook: Playbook): PermissionGrant[] {
  const declared = actionsOf(
    playbook.id,
    playbook.steps.map((step) => step.action),
  ).flatMap((action) => [...action.permissions]);
  return groupPermissions([...declared, ...resolvePermissions(playbook.trigger)]);
}

/** What the release function needs to undo every step of these playbooks (the union of their release permissions). */
export function releasePermissions(playbooks: readonly Playbook[]): PermissionGrant[] {
  return groupPermissions(
    playbooks.flatMap((playbook) =>
      releasePermissionsOf(
        playbook.id,
        playbook.steps.map((step) => step.action),
      ),
    ),
  );
}

/** What the member-account role needs: everything the enabled playbooks do and everything release undoes. */
export function memberPermissions(playbooks: readonly Playbook[]): PermissionGrant[] {
  return groupPermissions(
    playbooks.flatMap((playbook) => [
      ...actionsOf(
        playbook.id,
        playbook.steps.map((step) => step.action),
      ).flatMap((action) => [...action.permissions, ...(action.releasePermissions ?? [])]),
      ...resolvePermissions(playbook.trigger),
    ]),
  );
}

/**
 * The reads that resolve what the trigger receives. A trigger that names no resource types (a catch-all Config
 * playbook such as notify-only) receives every type of its source, and resolving any of them must not fail.
 */
export function resolvePermissions(trigger: Playbook['trigger']): Permission[] {
  const configType = (type: string) => type.startsWith('AWS::');
  const types =
    trigger.resourceTypes ??
    Object.keys(RESOLVE_PERMISSIONS).filter((type) => configType(type) === (trigger.source === 'config'));
  return types.flatMap((type) => [...(RESOLVE_PERMISSIONS[type] ?? [])]);
}

/**
 * The inline session policy of a playbook's responder in member accounts: exactly the actions of
 * playbookPermissions, so the member role (which holds every playbook's and release's permissions) acts for this
 * responder with this playbook's permissions only. A notify-only playbook gets its resolve reads and nothing that
 * writes. Throws SessionPolicyTooLargeError where the policy would not fit STS.
 */
export function responderSessionPolicy(playbook: Playbook): string {
  return memberSessionPolicy(
    playbookPermissions(playbook).flatMap((grant) => grant.actions),
    `playbook ${playbook.id}`,
  );
}

/**
 * The inline session policy of the release function for one release request: the union of the release
 * permissions (their reads and writes) of the given actions, typically the actions of the incident's steps that it
 * will release. Actions with nothing to release, and ids no registered action has (release keeps those steps), add
 * nothing; none left: a policy that allows nothing.
 */
export function releaseSessionPolicy(actionIds: Iterable<string>): string {
  const ids = [...new Set(actionIds)].filter((id) => ACTIONS.has(id)).sort();
  const actions = groupPermissions(releasePermissionsOf('release', ids)).flatMap((grant) => grant.actions);
  return memberSessionPolicy(actions, `release of ${ids.join(', ') || 'no releasable steps'}`);
}

function releasePermissionsOf(owner: string, actionIds: readonly string[]): Permission[] {
  return actionsOf(owner, actionIds).flatMap((action) => [...(action.releasePermissions ?? [])]);
}

function actionsOf(owner: string, actionIds: readonly string[]) {
  return actionIds.map((id) => {
    const action = ACTIONS.get(id);
    if (!action)
      throw new Error(
        `Playbook ${owner} names unknown action ${id}: expected one of ${[...ACTIONS.keys()].join(', ')}`,
      );
    return action;
  });
}

export function groupPermissions(all: readonly Permission[]): PermissionGrant[] {
  const kinds = new Set(all.map((permission) => permission.resource));
  return [...kinds].sort().map((resource) => {
    const forKind = all.filter((permission) => permission.resource === resource);
    return {
      resource,
      actions: [...new Set(forKind.map((permission) => permission.action))].sort(),
      writeActions: [
        ...new Set(forKind.filter((permission) => permission.write).map((permission) => permission.action)),
      ].sort(),
    };
  });
}
