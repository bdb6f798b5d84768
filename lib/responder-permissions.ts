import type { Permission, ResourceKind } from '../lambdas/engine/action';
import { ACTIONS } from '../lambdas/engine/action-registry';
import type { Playbook } from '../lambdas/engine/playbook';
import { RESOLVE_PERMISSIONS } from '../lambdas/engine/resolve-resource';

export interface PermissionGrant {
  readonly resource: ResourceKind;
  readonly actions: readonly string[];
  readonly writeActions: readonly string[];
}

/**
 * Exactly the union of the permissions the playbook's steps declare, grouped by resource kind, plus the reads
 * that resolve the resource types its trigger receives.
 */
export function playbookPermissions(playbook: Playbook): PermissionGrant[] {
  const declared = actionsOf(playbook).flatMap((action) => [...action.permissions]);
  return groupPermissions([...declared, ...(playbook.trigger.resourceTypes ?? []).flatMap((type) => RESOLVE_PERMISSIONS[type] ?? [])]);
}

/** What the release function needs to undo every step of these playbooks (the union of their release permissions). */
export function releasePermissions(playbooks: readonly Playbook[]): PermissionGrant[] {
  return groupPermissions(playbooks.flatMap((playbook) => actionsOf(playbook).flatMap((action) => [...(action.releasePermissions ?? [])])));
}

/** What the member-account role needs: everything the enabled playbooks do and everything release undoes. */
export function memberPermissions(playbooks: readonly Playbook[]): PermissionGrant[] {
  return groupPermissions(
    playbooks.flatMap((playbook) => [
      ...actionsOf(playbook).flatMap((action) => [...action.permissions, ...(action.releasePermissions ?? [])]),
      ...(playbook.trigger.resourceTypes ?? []).flatMap((type) => RESOLVE_PERMISSIONS[type] ?? []),
    ]),
  );
}

function actionsOf(playbook: Playbook) {
  return playbook.steps.map((step) => {
    const action = ACTIONS.get(step.action);
    if (!action) throw new Error(`Playbook ${playbook.id} names unknown action ${step.action}`);
    return action;
  });
}

function groupPermissions(all: readonly Permission[]): PermissionGrant[] {
  const kinds = new Set(all.map((permission) => permission.resource));
  return [...kinds].sort().map((resource) => {
    const forKind = all.filter((permission) => permission.resource === resource);
    return {
      resource,
      actions: [...new Set(forKind.map((permission) => permission.action))].sort(),
      writeActions: [...new Set(forKind.filter((permission) => permission.write).map((permission) => permission.action))].sort(),
    };
  });
}

/** The ARN patterns of a resource kind in the deployment account and Region. */
export function resourceArns(kind: ResourceKind, partition: string, region: string, account: string): string[] {
  switch (kind) {
    case 'iam-user':
      return [`arn:${partition}:iam::${account}:user/*`];
    case 'iam-role':
      return [`arn:${partition}:iam::${account}:role/*`];
    case 'iam-instance-profile':
      return [`arn:${partition}:iam::${account}:instance-profile/*`];
    case 'ec2':
      // Snapshot ARNs carry no account: arn:aws:ec2:<region>::snapshot/<id>.
      return [`arn:${partition}:ec2:${region}:${account}:*`, `arn:${partition}:ec2:${region}::snapshot/*`];
    case 'autoscaling-group':
      return [`arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`];
    case 'unscoped':
      return ['*'];
  }
}
