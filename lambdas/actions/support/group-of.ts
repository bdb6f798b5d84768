import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { Target } from '../../model/action';
import type { SecurityGroupResource, SecurityGroupRule } from '../../model/resource';
import { awsCall } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';
import { rulesOf } from './security-group-rules';

export function groupOf(target: Target, actionId: string): SecurityGroupResource {
  if (target.resource.kind !== 'security-group')
    throw new Error(`${actionId} needs a security group, got ${target.resource.kind}`);
  return target.resource;
}

/** The group's rules as they are now (for verify and release). */
export async function readRules(
  groupId: string,
  clients: AwsClients,
): Promise<{ ingress: SecurityGroupRule[]; egress: SecurityGroupRule[] }> {
  const response = await awsCall('ec2:DescribeSecurityGroups', `group ${groupId}`, () =>
    clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
  );
  const group = response.SecurityGroups?.[0];
  return { ingress: rulesOf(group?.IpPermissions), egress: rulesOf(group?.IpPermissionsEgress) };
}
