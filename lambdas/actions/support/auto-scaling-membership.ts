import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import { awsCall } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';

export interface AutoScalingMembership {
  readonly groupName: string;
  readonly lifecycleState: string;
}

export async function readAutoScalingMembership(
  instanceId: string,
  clients: AwsClients,
): Promise<AutoScalingMembership | null> {
  const response = await awsCall('autoscaling:DescribeAutoScalingInstances', `instance ${instanceId}`, () =>
    clients.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] })),
  );
  const entry = response.AutoScalingInstances?.find((candidate) => candidate.InstanceId === instanceId);
  return entry?.AutoScalingGroupName
    ? { groupName: entry.AutoScalingGroupName, lifecycleState: entry.LifecycleState ?? 'unknown' }
    : null;
}
