import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { awsCall, errorCodeOf } from '../aws/aws-call-error';
import type { Finding } from '../model/finding';
import type { Ec2InstanceResource } from '../model/resource';
import { cloudTrailLookup } from './support/cloudtrail-lookup';
import { defineKind } from './support/define-kind';
import { instanceFromFinding } from './support/instance-from-finding';
import { mismatchIfGone } from './support/mismatch-if-gone';
import { tagsOf } from './support/tags-of';

export const instanceArn = (partition: string, region: string, account: string, instanceId: string) =>
  `arn:${partition}:ec2:${region}:${account}:instance/${instanceId}`;

const isInstanceNotFound = (error: unknown) =>
  error instanceof Error && errorCodeOf(error.cause) === 'InvalidInstanceID.NotFound';

/**
 * An EC2 instance. DescribeInstances reads its interfaces with their groups and VPCs, volumes, instance profile and
 * tags; a terminated (or terminating) instance is refused, as there is nothing left to isolate.
 */
export const ec2Instance = defineKind({
  id: 'ec2-instance',
  resource: 'ec2-instance',
  resolvePermissions: { Instance: [{ action: 'ec2:DescribeInstances', resource: 'unscoped', write: false }] },
  arnPatterns: (partition, region, account) => [instanceArn(partition, region, account, '*')],
  subjects: {
    'ec2-instance': {
      resolve: (subject, finding, clients) =>
        mismatchIfGone(
          isInstanceNotFound,
          `instance ${subject.instanceId} no longer exists in account ${finding.accountId}`,
          async () => {
            const response = await awsCall('ec2:DescribeInstances', `instance ${subject.instanceId}`, () =>
              clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [subject.instanceId] })),
            );
            const instance = response.Reservations?.flatMap((reservation) => reservation.Instances ?? []).find(
              (candidate) => candidate.InstanceId === subject.instanceId,
            );
            if (!instance) {
              return {
                kind: 'mismatch',
                reason: `instance ${subject.instanceId} no longer exists in account ${finding.accountId}`,
              };
            }
            const state = instance.State?.Name ?? 'unknown';
            if (state === 'terminated' || state === 'shutting-down') {
              return {
                kind: 'mismatch',
                reason: `instance ${subject.instanceId} is ${state}: there is nothing left to isolate`,
              };
            }
            return { kind: 'resolved', resource: instanceResource(finding, subject.instanceId, instance) };
          },
        ),
      // Simulate: the interfaces, groups and profile GuardDuty's copy of the instance lists; volumes are unknown.
      assume: (subject, finding) =>
        instanceFromFinding(
          finding,
          instanceArn(finding.partition, finding.region, finding.accountId, subject.instanceId),
          subject.instanceId,
        ),
      protectionArns: (subject, { partition, region, accountId }) => [
        instanceArn(partition, region, accountId, subject.instanceId),
      ],
      followUpSteps: (subject, finding) => [
        `Investigate instance ${subject.instanceId} from its snapshots and, if the isolation allows it, a memory ` +
          'capture (SSM Run Command); do not stop it before memory is captured.',
        'Look for what it reached while compromised: VPC Flow Logs for its interfaces and CloudTrail for its ' +
          `instance-profile sessions (${cloudTrailLookup(finding, 'Username', subject.instanceId)}).`,
        'Security groups cannot cut ICMP or flows through a NAT gateway, Network or Gateway Load Balancer, Transit ' +
          'Gateway or Network Firewall endpoint: if those matter, add a network ACL deny for the instance address.',
        'Once the investigation is complete, replace the instance from a known-good image rather than releasing it.',
      ],
      describe: (subject) => `EC2 instance ${subject.instanceId}`,
      incidentKey: (subject) => `instance/${subject.instanceId}`,
    },
  },
});

function instanceResource(finding: Finding, instanceId: string, instance: Instance): Ec2InstanceResource {
  return {
    kind: 'ec2-instance',
    instanceId,
    arn: instanceArn(finding.partition, finding.region, finding.accountId, instanceId),
    state: instance.State?.Name ?? 'unknown',
    spot: instance.InstanceLifecycle === 'spot',
    ...(instance.RootDeviceName ? { rootDeviceName: instance.RootDeviceName } : {}),
    interfaces: (instance.NetworkInterfaces ?? [])
      .map((eni) => ({
        networkInterfaceId: eni.NetworkInterfaceId ?? '',
        vpcId: eni.VpcId ?? instance.VpcId ?? '',
        deviceIndex: eni.Attachment?.DeviceIndex ?? 0,
        groupIds: (eni.Groups ?? []).map((group) => group.GroupId ?? ''),
      }))
      .sort((a, b) => a.deviceIndex - b.deviceIndex),
    volumes: (instance.BlockDeviceMappings ?? []).flatMap((mapping) =>
      mapping.Ebs?.VolumeId
        ? [
            {
              volumeId: mapping.Ebs.VolumeId,
              deviceName: mapping.DeviceName ?? '',
              deleteOnTermination: mapping.Ebs.DeleteOnTermination ?? false,
            },
          ]
        : [],
    ),
    ...(instance.IamInstanceProfile?.Arn ? { instanceProfileArn: instance.IamInstanceProfile.Arn } : {}),
    tags: tagsOf(instance.Tags),
  };
}
