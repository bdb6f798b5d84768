import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

export interface MemberRoleAccess {
  readonly memberRoleName: string;
  readonly organizationId: string;
}

/** Lets a security-account role assume the member role, in the organization's accounts only. */
export function allowAssumeMemberRole(role: iam.Role, access: MemberRoleAccess): void {
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: [`arn:${stack.partition}:iam::*:role/${access.memberRoleName}`],
      conditions: { StringEquals: { 'aws:ResourceOrgID': access.organizationId } },
    }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${access.memberRoleName}]`,
    reason:
      'The member account is named by the finding at run time; only the fixed member role name, and only in accounts of the organization (aws:ResourceOrgID).',
  });
}
