import { AttachInstancesCommand, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  AttachNetworkInterfaceCommand,
  AttachVolumeCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  ModifySnapshotAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserCommand,
} from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { MotoClients } from './moto-clients';
import { ledgerTableInput, type Template } from './synthesized-stack';

/** What the stack itself deploys, created in moto: the ledger table, the notification topic and the ledger MAC key. */
export interface StackResources {
  readonly tableName: string;
  readonly topicArn: string;
  readonly macKeyArn: string;
  /** An SQS queue subscribed to the topic (raw delivery): the messages the responders publish, read back. */
  readonly queueUrl: string;
}

export async function seedStackResources(clients: MotoClients, template: Template): Promise<StackResources> {
  const tableName = 'firebreak-ledger';
  await clients.dynamodb.send(new CreateTableCommand(ledgerTableInput(template, tableName)));
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: 'firebreak-notifications' }));
  const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'firebreak-notifications-read-back' }));
  const queueArn = (
    await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topic.TopicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const key = await clients.kms.send(
    new CreateKeyCommand({
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      Description: 'Firebreak ledger MACs (contract suite)',
    }),
  );
  return { tableName, topicArn: topic.TopicArn!, macKeyArn: key.KeyMetadata!.Arn!, queueUrl: queue.QueueUrl! };
}

export interface IamWorld {
  readonly userName: string;
  readonly userId: string;
  readonly userArn: string;
  /** The compromised key (first) and the user's second key. */
  readonly accessKeyIds: readonly [string, string];
  readonly roleName: string;
  readonly roleArn: string;
  readonly instanceProfileName: string;
  readonly instanceProfileArn: string;
}

/** An IAM user with two access keys, and a role in an instance profile (as an application server has). */
export async function seedIam(clients: MotoClients, userName = 'ci-deploy'): Promise<IamWorld> {
  await clients.iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'team', Value: 'platform' }] }));
  const user = (await clients.iam.send(new GetUserCommand({ UserName: userName }))).User!;
  const first = await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const second = await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const roleName = `${userName}-app-server-role`;
  const role = await clients.iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const instanceProfileName = `${userName}-app-server-profile`;
  const profile = await clients.iam.send(
    new CreateInstanceProfileCommand({ InstanceProfileName: instanceProfileName }),
  );
  await clients.iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: instanceProfileName, RoleName: roleName }),
  );
  return {
    userName,
    userId: user.UserId!,
    userArn: user.Arn!,
    accessKeyIds: [first.AccessKey!.AccessKeyId!, second.AccessKey!.AccessKeyId!],
    roleName,
    roleArn: role.Role!.Arn!,
    instanceProfileName,
    instanceProfileArn: profile.InstanceProfile!.Arn!,
  };
}

export interface Ec2World {
  readonly vpcIds: readonly [string, string];
  readonly subnetIds: readonly [string, string];
  readonly instanceId: string;
  /** Every interface of the instance: the primary one in the first VPC, a second one in the other. */
  readonly networkInterfaceIds: readonly string[];
  /** The application group of each VPC, with SSH open to the world. */
  readonly groupIds: readonly [string, string];
  readonly volumeIds: readonly string[];
  readonly autoScalingGroupName: string;
}

const AMI = 'ami-12c6146b';

/**
 * Two VPCs; an instance (with an instance profile and three EBS volumes) whose interfaces are in both; each VPC's
 * application group open to the world on SSH; the instance in an Auto Scaling group.
 */
export async function seedEc2(clients: MotoClients, iam: IamWorld): Promise<Ec2World> {
  const vpcs: string[] = [];
  const subnets: string[] = [];
  const groups: string[] = [];
  for (const [index, cidr] of ['10.20.0.0/16', '10.30.0.0/16'].entries()) {
    const vpc = (await clients.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
    const subnet = (
      await clients.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpc,
          CidrBlock: cidr.replace('.0.0/16', '.3.0/24'),
          AvailabilityZone: 'us-east-1a',
        }),
      )
    ).Subnet!.SubnetId!;
    const group = (
      await clients.ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: `app-server-sg-${index}`, Description: 'app servers' }),
      )
    ).GroupId!;
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    vpcs.push(vpc);
    subnets.push(subnet);
    groups.push(group);
  }
  const reservation = await clients.ec2.send(
    new RunInstancesCommand({
      ImageId: AMI,
      InstanceType: 't3.medium',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnets[0],
      SecurityGroupIds: [groups[0]!],
      IamInstanceProfile: { Arn: iam.instanceProfileArn },
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, DeleteOnTermination: true } },
        { DeviceName: '/dev/xvdb', Ebs: { VolumeSize: 20, DeleteOnTermination: true } },
      ],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'app-server-1' }] }],
    }),
  );
  const instance = reservation.Instances![0]!;
  const instanceId = instance.InstanceId!;
  const primary = instance.NetworkInterfaces![0]!.NetworkInterfaceId!;
  const second = (
    await clients.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnets[1], Groups: [groups[1]!] }))
  ).NetworkInterface!.NetworkInterfaceId!;
  await clients.ec2.send(
    new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: second, DeviceIndex: 1 }),
  );
  const data = await clients.ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 50, VolumeType: 'gp3' }),
  );
  await clients.ec2.send(
    new AttachVolumeCommand({ InstanceId: instanceId, VolumeId: data.VolumeId!, Device: '/dev/xvdf' }),
  );
  const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const volumeIds = described
    .Reservations![0]!.Instances![0]!.BlockDeviceMappings!.map((mapping) => mapping.Ebs!.VolumeId!)
    .sort();
  const template = await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'app-server',
      LaunchTemplateData: { ImageId: AMI, InstanceType: 't3.medium' },
    }),
  );
  const autoScalingGroupName = 'app-servers';
  await clients.autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: autoScalingGroupName,
      LaunchTemplate: { LaunchTemplateId: template.LaunchTemplate!.LaunchTemplateId!, Version: '$Latest' },
      MinSize: 0,
      MaxSize: 3,
      DesiredCapacity: 0,
      VPCZoneIdentifier: subnets[0],
    }),
  );
  await clients.autoScaling.send(
    new AttachInstancesCommand({ AutoScalingGroupName: autoScalingGroupName, InstanceIds: [instanceId] }),
  );
  return {
    vpcIds: [vpcs[0]!, vpcs[1]!],
    subnetIds: [subnets[0]!, subnets[1]!],
    instanceId,
    networkInterfaceIds: [primary, second],
    groupIds: [groups[0]!, groups[1]!],
    volumeIds,
    autoScalingGroupName,
  };
}

export interface SnapshotWorld {
  /** Snapshots restorable by anyone (createVolumePermission group all). */
  readonly publicSnapshotIds: readonly string[];
  /** Shared with one named account only: stays shared. */
  readonly sharedSnapshotId: string;
}

export async function seedSnapshots(clients: MotoClients): Promise<SnapshotWorld> {
  const volume = await clients.ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10 }));
  const snapshot = async (description: string) =>
    (await clients.ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId!, Description: description })))
      .SnapshotId!;
  const publicSnapshotIds = [await snapshot('public backup 1'), await snapshot('public backup 2')];
  for (const id of publicSnapshotIds)
    await clients.ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: id,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        GroupNames: ['all'],
      }),
    );
  const sharedSnapshotId = await snapshot('shared with the backup account');
  await clients.ec2.send(
    new ModifySnapshotAttributeCommand({
      SnapshotId: sharedSnapshotId,
      Attribute: 'createVolumePermission',
      OperationType: 'add',
      UserIds: ['444455556666'],
    }),
  );
  return { publicSnapshotIds, sharedSnapshotId };
}

/** The default security group of a VPC (moto gives every VPC one, with its default rules), opened to the world on SSH. */
export async function openDefaultGroup(clients: MotoClients, vpcId: string): Promise<string> {
  const groups = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  const groupId = groups.SecurityGroups![0]!.GroupId!;
  await clients.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  return groupId;
}
