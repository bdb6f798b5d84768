import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { rulesOf } from '../actions/support/security-group-rules';
import { awsCall } from '../aws/aws-call-error';
import { cloudTrailLookup } from './support/cloudtrail-lookup';
import { defineKind } from './support/define-kind';
import { tagsOf } from './support/tags-of';

const groupArn = (partition: string, region: string, account: string, groupId: string) =>
  `arn:${partition}:ec2:${region}:${account}:security-group/${groupId}`;

/** A security group named by a Config rule: DescribeSecurityGroups reads its rules, VPC and tags. */
export const securityGroup = defineKind({
  id: 'security-group',
  resource: 'security-group',
  resolvePermissions: {
    'AWS::EC2::SecurityGroup': [{ action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false }],
  },
  arnPatterns: (partition, region, account) => [groupArn(partition, region, account, '*')],
  subjects: {
    'security-group': {
      resolve: async (subject, finding, clients) => {
        const response = await awsCall('ec2:DescribeSecurityGroups', `group ${subject.groupId}`, () =>
          clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [subject.groupId] })),
        );
        const group = response.SecurityGroups?.find((candidate) => candidate.GroupId === subject.groupId);
        if (!group) {
          return {
            kind: 'mismatch',
            reason: `security group ${subject.groupId} no longer exists in account ${finding.accountId}`,
          };
        }
        return {
          kind: 'resolved',
          resource: {
            kind: 'security-group',
            groupId: subject.groupId,
            groupName: group.GroupName ?? '',
            vpcId: group.VpcId ?? '',
            arn: groupArn(finding.partition, finding.region, finding.accountId, subject.groupId),
            tags: tagsOf(group.Tags),
            ingress: rulesOf(group.IpPermissions),
            egress: rulesOf(group.IpPermissionsEgress),
          },
        };
      },
      // Simulate cannot know the rules: the plan says they are read at run time.
      assume: (subject, { partition, region, accountId }) => ({
        kind: 'security-group',
        groupId: subject.groupId,
        groupName: '(read at run time)',
        vpcId: '(read at run time)',
        arn: groupArn(partition, region, accountId, subject.groupId),
        tags: {},
        ingress: [],
        egress: [],
        assumed: true,
      }),
      protectionArns: (subject, { partition, region, accountId }) => [
        groupArn(partition, region, accountId, subject.groupId),
      ],
      followUpSteps: (subject, finding) => [
        `Find who opened the rule: ${cloudTrailLookup(finding, 'ResourceName', subject.groupId)} ` +
          '(AuthorizeSecurityGroupIngress), and whether anything relied on it.',
        'Re-evaluate the rule once fixed: aws configservice start-config-rules-evaluation --config-rule-names ' +
          `${finding.config?.ruleName ?? '<rule>'} (Config delivers compliance changes best effort).`,
      ],
      describe: (subject) => `security group ${subject.groupId}`,
      incidentKey: (subject) => `security-group/${subject.groupId}`,
    },
  },
});
