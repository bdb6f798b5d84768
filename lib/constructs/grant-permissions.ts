import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { resourceArns, type PermissionGrant } from './responder-permissions';

/**
 * Adds the grants to the role, scoped to this account and the Regions it acts in, with an explicit deny of every write
 * action on the protected principals, and acknowledges the resource wildcards cdk-nag reports with the reason they exist.
 */
export function grantPermissions(
  role: iam.Role,
  grants: readonly PermissionGrant[],
  protectedPrincipals: readonly string[],
  purpose: string,
  /**
   * The Regions of Regional resource ARNs (EC2, Auto Scaling): every Region a finding can name (lib/configured-regions.ts).
   * Default: the stack's Region only.
   */
  regions?: readonly string[],
): void {
  const stack = Stack.of(role);
  const inRegions = regions && regions.length > 0 ? regions : [stack.region];
  const acknowledged = new Set<string>();
  for (const grant of grants) {
    const arns = [
      ...new Set(inRegions.flatMap((region) => resourceArns(grant.resource, stack.partition, region, stack.account))),
    ];
    const passRole = grant.actions.includes('iam:PassRole');
    const actions = grant.actions.filter((action) => action !== 'iam:PassRole');
    if (actions.length > 0) role.addToPolicy(new iam.PolicyStatement({ actions, resources: arns }));
    if (passRole) {
      // Only to EC2, for putting an instance profile back on an instance.
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: arns,
          conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        }),
      );
    }
    for (const arn of arns) acknowledged.add(arn);
  }
  const writeActions = [...new Set(grants.flatMap((grant) => grant.writeActions))]
    .filter((action) => action !== 'iam:PassRole')
    .sort();
  const protectedIam = protectedPrincipals.filter((pattern) => /^arn:[^:]+:iam::/.test(pattern));
  if (writeActions.length > 0 && protectedIam.length > 0) {
    role.addToPolicy(
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: writeActions, resources: protectedIam }),
    );
  }
  for (const arn of acknowledged) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(arn, stack)}]`,
      reason:
        arn === '*'
          ? `Only for the Describe* actions ${purpose} declares: EC2 and Auto Scaling Describe* calls support no resource-level permissions.`
          : `The resource is named by a finding or an incident at run time, so it cannot be listed at deploy time. The statement allows only the ` +
            `actions ${purpose} declares, in this account and the Regions its findings come from; protected principals carry an explicit deny.`,
    });
  }
}

/** cdk-nag names a resource ARN with its tokens written as <AWS::Partition>, <AWS::Region> and <AWS::AccountId>. */
function nagArn(arn: string, stack: Stack): string {
  let named = arn.replace(stack.partition, '<AWS::Partition>');
  if (Token.isUnresolved(stack.region)) named = named.replace(stack.region, '<AWS::Region>');
  if (Token.isUnresolved(stack.account)) named = named.replace(stack.account, '<AWS::AccountId>');
  return named;
}
