import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { awsCall } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';

export interface InstanceAttributes {
  readonly terminationProtection: boolean;
  readonly stopProtection: boolean;
  readonly shutdownBehavior: string;
}

/** The three protection attributes, read in parallel (DescribeInstanceAttribute returns one attribute per call). */
export async function readInstanceAttributes(instanceId: string, clients: AwsClients): Promise<InstanceAttributes> {
  const read = (attribute: 'disableApiTermination' | 'disableApiStop' | 'instanceInitiatedShutdownBehavior') =>
    awsCall(`ec2:DescribeInstanceAttribute(${attribute})`, `instance ${instanceId}`, () =>
      clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: attribute })),
    );
  const [termination, stop, shutdown] = await Promise.all([
    read('disableApiTermination'),
    read('disableApiStop'),
    read('instanceInitiatedShutdownBehavior'),
  ]);
  return {
    terminationProtection: termination.DisableApiTermination?.Value ?? false,
    stopProtection: stop.DisableApiStop?.Value ?? false,
    shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
  };
}
