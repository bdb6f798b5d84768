import type { ResourceKind } from '../../lambdas/model/action';
import { iamRole } from '../../lambdas/kinds/iam-role';
import { iamUser } from '../../lambdas/kinds/iam-user';
import type { ArnPatterns } from '../../lambdas/kinds/support/define-kind';

/**
 * The permission lists live with the engine (lambdas/pipeline/playbook-permissions.ts), so that the roles the CDK
 * builds and the session policies a responder scopes its member-account sessions to come from one list.
 */
export {
  memberPermissions,
  playbookPermissions,
  releasePermissions,
  type PermissionGrant,
} from '../../lambdas/pipeline/playbook-permissions';

/**
 * Where each permission scope applies. IAM users and roles are resource kinds and give their own ARN patterns
 * (lambdas/kinds); the other scopes span several kinds (`ec2`) or are resources no finding names.
 */
const SCOPE_ARNS: { readonly [K in ResourceKind]: ArnPatterns } = {
  'iam-user': iamUser.arnPatterns,
  'iam-role': iamRole.arnPatterns,
  'iam-instance-profile': (partition, _region, account) => [`arn:${partition}:iam::${account}:instance-profile/*`],
  // Snapshot ARNs carry no account: arn:aws:ec2:<region>::snapshot/<id>.
  ec2: (partition, region, account) => [
    `arn:${partition}:ec2:${region}:${account}:*`,
    `arn:${partition}:ec2:${region}::snapshot/*`,
  ],
  'autoscaling-group': (partition, region, account) => [
    `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`,
  ],
  unscoped: () => ['*'],
};

/** The ARN patterns of a permission scope in the deployment account and Region. */
export function resourceArns(kind: ResourceKind, partition: string, region: string, account: string): string[] {
  return SCOPE_ARNS[kind](partition, region, account);
}
