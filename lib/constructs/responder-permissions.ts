import type { ResourceKind } from '../../lambdas/model/action';

/**
 * The permission lists live with the engine (lambdas/engine/playbook-permissions.ts), so that the roles the CDK
 * builds and the session policies a responder scopes its member-account sessions to come from one list.
 */
export {
  memberPermissions,
  playbookPermissions,
  releasePermissions,
  type PermissionGrant,
} from '../../lambdas/pipeline/playbook-permissions';

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
