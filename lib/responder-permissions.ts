import type { Permission, ResourceKind } from '../lambdas/engine/action';
import { ACTIONS } from '../lambdas/engine/action-registry';
import type { Playbook } from '../lambdas/engine/playbook';
import { RESOLVE_PERMISSIONS } from '../lambdas/engine/resolve-principal';

export interface PermissionGrant {
  readonly resource: ResourceKind;
  readonly actions: readonly string[];
  readonly writeActions: readonly string[];
}

/**
 * Exactly the union of the permissions the playbook's steps declare, grouped by resource kind, plus the reads
 * that resolve the principal for the resource kinds those steps touch.
 */
export function playbookPermissions(playbook: Playbook): PermissionGrant[] {
  const declared: Permission[] = playbook.steps.flatMap((step) => {
    const action = ACTIONS.get(step.action);
    if (!action) throw new Error(`Playbook ${playbook.id} names unknown action ${step.action}`);
    return [...action.permissions];
  });
  const kinds = new Set(declared.map((permission) => permission.resource));
  const all = [...declared, ...RESOLVE_PERMISSIONS.filter((permission) => kinds.has(permission.resource))];
  return [...kinds].sort().map((resource) => {
    const forKind = all.filter((permission) => permission.resource === resource);
    return {
      resource,
      actions: [...new Set(forKind.map((permission) => permission.action))].sort(),
      writeActions: [...new Set(forKind.filter((permission) => permission.write).map((permission) => permission.action))].sort(),
    };
  });
}

/** The ARN pattern of a resource kind in the deployment account. */
export function resourceArn(kind: ResourceKind, partition: string, account: string): string {
  switch (kind) {
    case 'iam-user':
      return `arn:${partition}:iam::${account}:user/*`;
    case 'iam-role':
      return `arn:${partition}:iam::${account}:role/*`;
  }
}
