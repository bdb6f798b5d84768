import {
  DescribeAutoScalingInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DisassociateIamInstanceProfileCommand,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ModifySnapshotAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { accessDenied } from './aws-errors';
import { DEFAULT_EGRESS, defaultGroupIngress, FakeEc2 } from './fake-ec2';

const VPC = 'vpc-0a1b2c3d4e5f60001';
const OTHER_VPC = 'vpc-0a1b2c3d4e5f60002';
const PROFILE = 'arn:aws:iam::111122223333:instance-profile/app-server';
const PARTNER = '444455556666';

/** One VPC with an app group, an instance in it and one with two interfaces, a spot instance and an ASG member. */
function world(): FakeEc2 {
  const fake = new FakeEc2();
  fake.addVpc(VPC).addVpc(OTHER_VPC);
  fake.addSecurityGroup({
    groupId: 'sg-app',
    groupName: 'app',
    vpcId: VPC,
    ingress: [
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }] },
    ],
    tags: { team: 'payments' },
  });
  fake.addSecurityGroup({ groupId: 'sg-db', groupName: 'db', vpcId: VPC, tags: { team: 'data' } });
  fake.addSecurityGroup({ groupId: 'sg-elsewhere', groupName: 'app', vpcId: OTHER_VPC, tags: { team: 'payments' } });
  fake.addInstance({
    instanceId: 'i-single',
    interfaces: [{ networkInterfaceId: 'eni-single', vpcId: VPC, groupIds: ['sg-app'] }],
    volumes: [
      { volumeId: 'vol-root', deviceName: '/dev/xvda', deleteOnTermination: true },
      { volumeId: 'vol-data1', deviceName: '/dev/sdf', deleteOnTermination: true, tags: { purpose: 'data' } },
      { volumeId: 'vol-data2', deviceName: '/dev/sdg', deleteOnTermination: false },
    ],
    instanceProfileArn: PROFILE,
    tags: { Name: 'web-1' },
  });
  fake.addInstance({
    instanceId: 'i-multi',
    interfaces: [
      { networkInterfaceId: 'eni-multi0', vpcId: VPC, groupIds: ['sg-app'] },
      { networkInterfaceId: 'eni-multi1', vpcId: VPC, groupIds: ['sg-db'] },
    ],
    volumes: [{ volumeId: 'vol-multi', deviceName: '/dev/xvda', deleteOnTermination: true }],
  });
  fake.addInstance({
    instanceId: 'i-spot',
    spot: true,
    interfaces: [{ networkInterfaceId: 'eni-spot', vpcId: VPC, groupIds: ['sg-app'] }],
    volumes: [],
  });
  fake.addInstance({
    instanceId: 'i-asg',
    autoScalingGroup: 'web-asg',
    interfaces: [{ networkInterfaceId: 'eni-asg', vpcId: VPC, groupIds: ['sg-app'] }],
    volumes: [],
  });
  return fake;
}

describe('FakeEc2 instances', () => {
  it('describes an instance with its interfaces, groups, volumes, profile and tags', async () => {
    const fake = world();
    const out = await fake.ec2Client.send(new DescribeInstancesCommand({ InstanceIds: ['i-multi', 'i-single'] }));
    const instances = (out.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
    expect(instances.map((instance) => instance.InstanceId).sort()).toEqual(['i-multi', 'i-single']);
    const multi = instances.find((instance) => instance.InstanceId === 'i-multi');
    expect(multi?.VpcId).toBe(VPC);
    expect(
      multi?.NetworkInterfaces?.map((eni) => [
        eni.NetworkInterfaceId,
        eni.Attachment?.DeviceIndex,
        eni.Groups?.[0]?.GroupName,
      ]),
    ).toEqual([
      ['eni-multi0', 0, 'app'],
      ['eni-multi1', 1, 'db'],
    ]);
    expect(multi?.SecurityGroups?.map((group) => group.GroupId)).toEqual(['sg-app', 'sg-db']);
    expect(multi?.IamInstanceProfile).toBeUndefined();
    const single = instances.find((instance) => instance.InstanceId === 'i-single');
    expect(single?.State?.Name).toBe('running');
    expect(single?.IamInstanceProfile?.Arn).toBe(PROFILE);
    expect(single?.BlockDeviceMappings?.map((mapping) => mapping.Ebs?.VolumeId)).toEqual([
      'vol-root',
      'vol-data1',
      'vol-data2',
    ]);
    expect(single?.Tags).toEqual([{ Key: 'Name', Value: 'web-1' }]);
    expect(single?.InstanceLifecycle).toBeUndefined();

    const spot = await fake.ec2Client.send(new DescribeInstancesCommand({ InstanceIds: ['i-spot'] }));
    expect(spot.Reservations?.[0]?.Instances?.[0]?.InstanceLifecycle).toBe('spot');
  });

  it('rejects an unknown instance id', async () => {
    await expect(
      world().ec2Client.send(new DescribeInstancesCommand({ InstanceIds: ['i-nope'] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses Groups on an instance with more than one interface, as AWS does', async () => {
    const fake = world();
    const call = fake.ec2Client.send(new ModifyInstanceAttributeCommand({ InstanceId: 'i-multi', Groups: ['sg-db'] }));
    await expect(call).rejects.toMatchObject({
      name: 'InvalidInstanceID',
      message:
        "There are multiple interfaces attached to instance 'i-multi'. Please specify an interface ID for the operation instead.",
    });
    expect(fake.groupsOf('eni-multi0')).toEqual(['sg-app']);
    expect(fake.groupsOf('eni-multi1')).toEqual(['sg-db']);
  });

  it('replaces the groups of a single-interface instance', async () => {
    const fake = world();
    await fake.ec2Client.send(new ModifyInstanceAttributeCommand({ InstanceId: 'i-single', Groups: ['sg-db'] }));
    expect(fake.groupsOf('eni-single')).toEqual(['sg-db']);
    await expect(
      fake.ec2Client.send(new ModifyInstanceAttributeCommand({ InstanceId: 'i-single', Groups: ['sg-elsewhere'] })),
    ).rejects.toMatchObject({
      name: 'InvalidGroup.NotFound',
    });
  });

  it('refuses termination and stop protection on a spot instance, and allows turning them off', async () => {
    const fake = world();
    await expect(
      fake.ec2Client.send(
        new ModifyInstanceAttributeCommand({ InstanceId: 'i-spot', DisableApiTermination: { Value: true } }),
      ),
    ).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
    await expect(
      fake.ec2Client.send(
        new ModifyInstanceAttributeCommand({ InstanceId: 'i-spot', DisableApiStop: { Value: true } }),
      ),
    ).rejects.toMatchObject({
      name: 'UnsupportedOperation',
    });
    await fake.ec2Client.send(
      new ModifyInstanceAttributeCommand({ InstanceId: 'i-spot', DisableApiTermination: { Value: false } }),
    );
    expect(fake.instance('i-spot').disableApiTermination).toBe(false);
  });

  it('allows one attribute per ModifyInstanceAttribute call and reads attributes back', async () => {
    const fake = world();
    const both = new ModifyInstanceAttributeCommand({
      InstanceId: 'i-single',
      DisableApiTermination: { Value: true },
      DisableApiStop: { Value: true },
    });
    await expect(fake.ec2Client.send(both)).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    expect(fake.instance('i-single').disableApiTermination).toBe(false);

    await fake.ec2Client.send(
      new ModifyInstanceAttributeCommand({ InstanceId: 'i-single', DisableApiTermination: { Value: true } }),
    );
    await fake.ec2Client.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: 'i-single',
        InstanceInitiatedShutdownBehavior: { Value: 'terminate' },
      }),
    );
    await fake.ec2Client.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: 'i-single',
        BlockDeviceMappings: [{ DeviceName: '/dev/sdg', Ebs: { DeleteOnTermination: true } }],
      }),
    );
    const termination = await fake.ec2Client.send(
      new DescribeInstanceAttributeCommand({ InstanceId: 'i-single', Attribute: 'disableApiTermination' }),
    );
    expect(termination.DisableApiTermination?.Value).toBe(true);
    const shutdown = await fake.ec2Client.send(
      new DescribeInstanceAttributeCommand({ InstanceId: 'i-single', Attribute: 'instanceInitiatedShutdownBehavior' }),
    );
    expect(shutdown.InstanceInitiatedShutdownBehavior?.Value).toBe('terminate');
    expect(
      fake.instance('i-single').volumes.find((volume) => volume.volumeId === 'vol-data2')?.deleteOnTermination,
    ).toBe(true);
  });
});

describe('FakeEc2 network interfaces', () => {
  it('lists the interfaces attached to an instance', async () => {
    const out = await world().ec2Client.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: ['i-multi'] }] }),
    );
    expect(
      out.NetworkInterfaces?.map((eni) => [
        eni.NetworkInterfaceId,
        eni.Attachment?.InstanceId,
        eni.Attachment?.DeviceIndex,
        eni.VpcId,
      ]),
    ).toEqual([
      ['eni-multi0', 'i-multi', 0, VPC],
      ['eni-multi1', 'i-multi', 1, VPC],
    ]);
  });

  it('replaces an interface’s groups only with existing groups of its own VPC', async () => {
    const fake = world();
    await fake.ec2Client.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-multi1', Groups: ['sg-app', 'sg-db'] }),
    );
    expect(fake.groupsOf('eni-multi1')).toEqual(['sg-app', 'sg-db']);

    const otherVpc = fake.ec2Client.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-multi1', Groups: ['sg-elsewhere'] }),
    );
    await expect(otherVpc).rejects.toMatchObject({
      name: 'InvalidGroup.NotFound',
      message: expect.stringContaining(VPC),
    });
    const missing = fake.ec2Client.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-multi1', Groups: ['sg-gone'] }),
    );
    await expect(missing).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    const empty = fake.ec2Client.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-multi1', Groups: [] }),
    );
    await expect(empty).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const unknown = fake.ec2Client.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-gone', Groups: ['sg-app'] }),
    );
    await expect(unknown).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
    expect(fake.groupsOf('eni-multi1')).toEqual(['sg-app', 'sg-db']);
  });
});

describe('FakeEc2 security groups', () => {
  it('creates a group with no ingress and the default egress rule, which can be revoked', async () => {
    const fake = world();
    const created = await fake.ec2Client.send(
      new CreateSecurityGroupCommand({
        GroupName: 'quarantine',
        Description: 'Firebreak quarantine',
        VpcId: VPC,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'firebreak', Value: 'quarantine' }] }],
      }),
    );
    const groupId = created.GroupId ?? '';
    expect(groupId).toMatch(/^sg-[0-9a-f]{17}$/);

    const described = await fake.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = described.SecurityGroups?.[0];
    expect(group?.IpPermissions).toEqual([]);
    expect(group?.IpPermissionsEgress).toEqual([
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);
    expect(group?.Tags).toEqual([{ Key: 'firebreak', Value: 'quarantine' }]);

    await fake.ec2Client.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [DEFAULT_EGRESS] }),
    );
    expect(fake.securityGroup(groupId).egress).toEqual([]);
    await expect(
      fake.ec2Client.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [DEFAULT_EGRESS] })),
    ).rejects.toMatchObject({
      name: 'InvalidPermission.NotFound',
    });
  });

  it('refuses a duplicate group name in the same VPC but not in another', async () => {
    const fake = world();
    const duplicate = fake.ec2Client.send(
      new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'again', VpcId: VPC }),
    );
    await expect(duplicate).rejects.toMatchObject({ name: 'InvalidGroup.Duplicate' });
    const elsewhere = await fake.ec2Client.send(
      new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'other vpc', VpcId: OTHER_VPC }),
    );
    expect(fake.securityGroup(elsewhere.GroupId ?? '').vpcId).toBe(OTHER_VPC);
  });

  it('keeps one rule per CIDR: authorize refuses duplicates, revoke removes one CIDR of a grouped permission', async () => {
    const fake = world();
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] };
    await fake.ec2Client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-db', IpPermissions: [ssh] }));
    await expect(
      fake.ec2Client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-db', IpPermissions: [ssh] })),
    ).rejects.toMatchObject({
      name: 'InvalidPermission.Duplicate',
    });
    // Protocol numbers are normalised: 6 is tcp.
    await expect(
      fake.ec2Client.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-db', IpPermissions: [{ ...ssh, IpProtocol: '6' }] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });

    await fake.ec2Client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: 'sg-app',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const out = await fake.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-app'] }));
    expect(out.SecurityGroups?.[0]?.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '10.0.0.0/8' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);
  });

  it('filters by tag, name and VPC: AND across filters, OR within values', async () => {
    const fake = world();
    const ids = async (filters: { Name: string; Values: string[] }[]) =>
      ((await fake.ec2Client.send(new DescribeSecurityGroupsCommand({ Filters: filters }))).SecurityGroups ?? [])
        .map((group) => group.GroupId)
        .sort();

    expect(await ids([{ Name: 'tag:team', Values: ['payments'] }])).toEqual(['sg-app', 'sg-elsewhere']);
    expect(await ids([{ Name: 'tag:team', Values: ['payments', 'data'] }])).toEqual([
      'sg-app',
      'sg-db',
      'sg-elsewhere',
    ]);
    expect(
      await ids([
        { Name: 'tag:team', Values: ['payments'] },
        { Name: 'vpc-id', Values: [VPC] },
      ]),
    ).toEqual(['sg-app']);
    expect(
      await ids([
        { Name: 'group-name', Values: ['app'] },
        { Name: 'vpc-id', Values: [OTHER_VPC] },
      ]),
    ).toEqual(['sg-elsewhere']);
    expect(await ids([{ Name: 'tag:owner', Values: ['payments'] }])).toEqual([]);
    await expect(ids([{ Name: 'no-such-filter', Values: ['x'] }])).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(
      fake.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-gone'] })),
    ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
  });
});

describe('FakeEc2 default security groups', () => {
  it('gives every VPC one untagged default group with AWS’s default rules', async () => {
    const fake = world();
    const groupId = fake.defaultGroupOf(VPC);
    expect(groupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(fake.defaultGroupOf(OTHER_VPC)).not.toBe(groupId);

    const out = await fake.ec2Client.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [VPC] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    );
    expect(out.SecurityGroups).toHaveLength(1);
    const group = out.SecurityGroups?.[0];
    expect(group).toMatchObject({
      GroupId: groupId,
      GroupName: 'default',
      VpcId: VPC,
      Description: 'default VPC security group',
    });
    expect(group?.Tags).toBeUndefined();
    expect(group?.IpPermissions).toEqual([
      {
        IpProtocol: '-1',
        IpRanges: [],
        Ipv6Ranges: [],
        UserIdGroupPairs: [{ GroupId: groupId, UserId: '111122223333' }],
        PrefixListIds: [],
      },
    ]);
    expect(group?.IpPermissionsEgress).toEqual([
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);

    // Adding the VPC again, or a group in it, does not add another default group; a new VPC gets its own.
    fake.addVpc(VPC);
    const added = fake.addSecurityGroup({ groupName: 'web', vpcId: 'vpc-0a1b2c3d4e5f60003' });
    expect(
      [...fake.securityGroups.values()].filter(
        (candidate) => candidate.vpcId === VPC && candidate.groupName === 'default',
      ),
    ).toHaveLength(1);
    expect(fake.securityGroup(fake.defaultGroupOf('vpc-0a1b2c3d4e5f60003')).groupName).toBe('default');
    expect(fake.defaultGroupOf('vpc-0a1b2c3d4e5f60003')).not.toBe(added);
    expect(() => fake.defaultGroupOf('vpc-unknown')).toThrow('test setup');

    const reserved = fake.ec2Client.send(
      new CreateSecurityGroupCommand({ GroupName: 'default', Description: 'mine', VpcId: VPC }),
    );
    await expect(reserved).rejects.toMatchObject({ name: 'InvalidGroup.Reserved' });
  });

  it('closes a default group with group-pair revokes and restores it with group-pair authorizes', async () => {
    const fake = world();
    const groupId = fake.defaultGroupOf(VPC);
    const described = async () =>
      (await fake.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups?.[0];
    const before = await described();

    // What DescribeSecurityGroups returned (pairs with UserId, empty peer lists) is accepted back as is.
    await fake.ec2Client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: before?.IpPermissions }),
    );
    await fake.ec2Client.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: before?.IpPermissionsEgress }),
    );
    expect(fake.securityGroup(groupId).ingress).toEqual([]);
    expect(fake.securityGroup(groupId).egress).toEqual([]);
    const again = fake.ec2Client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [defaultGroupIngress(groupId)] }),
    );
    await expect(again).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });

    await fake.ec2Client.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [defaultGroupIngress(groupId)] }),
    );
    await fake.ec2Client.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [DEFAULT_EGRESS] }),
    );
    expect(await described()).toEqual(before);
    const duplicate = fake.ec2Client.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [defaultGroupIngress(groupId)] }),
    );
    await expect(duplicate).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });
    const missingPeer = fake.ec2Client.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [defaultGroupIngress('sg-gone')] }),
    );
    await expect(missingPeer).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    expect(fake.writeCalls()).toBe(7); // failed calls included
  });

  it('keeps a group-pair rule beside CIDR rules of the same ports, and revokes it alone', async () => {
    const fake = world();
    const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443 };
    await fake.ec2Client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: 'sg-app',
        IpPermissions: [{ ...https, UserIdGroupPairs: [{ GroupId: 'sg-db', Description: 'from db' }] }],
      }),
    );
    const [permission] =
      (await fake.ec2Client.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-app'] }))).SecurityGroups?.[0]
        ?.IpPermissions ?? [];
    expect(permission?.IpRanges?.map((range) => range.CidrIp)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);
    expect(permission?.UserIdGroupPairs).toEqual([
      { GroupId: 'sg-db', UserId: '111122223333', Description: 'from db' },
    ]);

    await fake.ec2Client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: 'sg-app',
        IpPermissions: [{ ...https, UserIdGroupPairs: [{ GroupId: 'sg-db' }] }],
      }),
    );
    expect(fake.securityGroup('sg-app').ingress.map((rule) => rule.cidrIp)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);
  });
});

describe('FakeEc2 instance profiles', () => {
  it('describes, disassociates and re-associates an instance profile', async () => {
    const fake = world();
    const listed = await fake.ec2Client.send(
      new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: ['i-single'] }] }),
    );
    const association = listed.IamInstanceProfileAssociations?.[0];
    expect(association).toMatchObject({
      InstanceId: 'i-single',
      IamInstanceProfile: { Arn: PROFILE },
      State: 'associated',
    });

    const removed = await fake.ec2Client.send(
      new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId }),
    );
    expect(removed.IamInstanceProfileAssociation?.State).toBe('disassociating');
    expect(fake.instance('i-single').instanceProfileArn).toBeUndefined();
    await expect(
      fake.ec2Client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId })),
    ).rejects.toMatchObject({
      name: 'InvalidAssociationID.NotFound',
    });

    await fake.ec2Client.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: 'i-single', IamInstanceProfile: { Arn: PROFILE } }),
    );
    expect(fake.instance('i-single').instanceProfileArn).toBe(PROFILE);
    await expect(
      fake.ec2Client.send(
        new AssociateIamInstanceProfileCommand({ InstanceId: 'i-single', IamInstanceProfile: { Arn: PROFILE } }),
      ),
    ).rejects.toMatchObject({
      name: 'IncorrectState',
    });
  });
});

describe('FakeEc2 snapshots and tags', () => {
  it('snapshots every attached volume not excluded, and stores the snapshots', async () => {
    const fake = world();
    const out = await fake.ec2Client.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: 'i-single', ExcludeBootVolume: true, ExcludeDataVolumeIds: ['vol-data2'] },
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'firebreak:finding', Value: 'abc' }] }],
        CopyTagsFromSource: 'volume',
        Description: 'forensics',
      }),
    );
    expect(out.Snapshots).toHaveLength(1);
    const snapshot = out.Snapshots?.[0];
    expect(snapshot).toMatchObject({
      VolumeId: 'vol-data1',
      State: 'pending',
      OwnerId: '111122223333',
      Description: 'forensics',
    });
    expect(snapshot?.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(snapshot?.Tags).toEqual([
      { Key: 'purpose', Value: 'data' },
      { Key: 'firebreak:finding', Value: 'abc' },
    ]);
    expect(fake.snapshots.size).toBe(1);

    const all = await fake.ec2Client.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'i-single' } }),
    );
    expect(all.Snapshots?.map((created) => created.VolumeId)).toEqual(['vol-root', 'vol-data1', 'vol-data2']);
    expect(fake.snapshots.size).toBe(4);

    await expect(
      fake.ec2Client.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: 'i-single', ExcludeDataVolumeIds: ['vol-root'] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('finds snapshots by tag and volume, and merges tags with CreateTags', async () => {
    const fake = world();
    const out = await fake.ec2Client.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: 'i-single' },
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'firebreak:finding', Value: 'abc' }] }],
      }),
    );
    const byTag = await fake.ec2Client.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:firebreak:finding', Values: ['abc'] },
          { Name: 'volume-id', Values: ['vol-data1'] },
        ],
      }),
    );
    expect(byTag.Snapshots?.map((snapshot) => snapshot.VolumeId)).toEqual(['vol-data1']);

    const snapshotId = out.Snapshots?.[0]?.SnapshotId ?? '';
    await fake.ec2Client.send(
      new CreateTagsCommand({
        Resources: ['i-single', snapshotId, 'sg-db'],
        Tags: [{ Key: 'firebreak:status', Value: 'contained' }],
      }),
    );
    expect(fake.instance('i-single').tags).toEqual({ Name: 'web-1', 'firebreak:status': 'contained' });
    expect(fake.snapshots.get(snapshotId)?.tags).toEqual({
      'firebreak:finding': 'abc',
      'firebreak:status': 'contained',
    });
    expect(fake.securityGroup('sg-db').tags).toEqual({ team: 'data', 'firebreak:status': 'contained' });

    await expect(
      fake.ec2Client.send(new CreateTagsCommand({ Resources: ['sg-db', 'i-gone'], Tags: [{ Key: 'x', Value: 'y' }] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
    });
    expect(fake.securityGroup('sg-db').tags).not.toHaveProperty('x');
    await expect(
      fake.ec2Client.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-gone'] })),
    ).rejects.toMatchObject({ name: 'InvalidSnapshot.NotFound' });
  });
});

describe('FakeEc2 snapshot sharing', () => {
  /** world() with an own public snapshot, one shared with PARTNER, a private one and another account's public one. */
  function sharingWorld() {
    const fake = world();
    const ids = {
      public: fake.addSnapshot({ volumeId: 'vol-data1', public: true, tags: { purpose: 'data' } }),
      shared: fake.addSnapshot({ volumeId: 'vol-data2', sharedWith: [PARTNER] }),
      private: fake.addSnapshot({ volumeId: 'vol-root' }),
      foreign: fake.addSnapshot({ volumeId: 'vol-0f0f0f0f0f0f0f0f0', ownerId: '999988887777', public: true }),
    };
    return { fake, ids };
  }
  const listed = async (fake: FakeEc2, input: { OwnerIds?: string[]; RestorableByUserIds?: string[] }) =>
    ((await fake.ec2Client.send(new DescribeSnapshotsCommand(input))).Snapshots ?? []).map(
      (snapshot) => snapshot.SnapshotId,
    );
  const permissions = async (fake: FakeEc2, snapshotId: string) =>
    (
      await fake.ec2Client.send(
        new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }),
      )
    ).CreateVolumePermissions;

  it('lists public snapshots with RestorableByUserIds all, the account’s own with OwnerIds self', async () => {
    const { fake, ids } = sharingWorld();
    expect(await listed(fake, { RestorableByUserIds: ['all'] })).toEqual([ids.public, ids.foreign]);
    expect(await listed(fake, { OwnerIds: ['self'], RestorableByUserIds: ['all'] })).toEqual([ids.public]);
    expect(await listed(fake, { RestorableByUserIds: [PARTNER] })).toEqual([ids.shared]);
    expect(await listed(fake, { OwnerIds: ['self'] })).toEqual([ids.public, ids.shared, ids.private]);

    expect(await permissions(fake, ids.public)).toEqual([{ Group: 'all' }]);
    expect(await permissions(fake, ids.shared)).toEqual([{ UserId: PARTNER }]);
    expect(await permissions(fake, ids.private)).toEqual([]);
    const out = await fake.ec2Client.send(
      new DescribeSnapshotAttributeCommand({ SnapshotId: ids.public, Attribute: 'createVolumePermission' }),
    );
    expect(out.SnapshotId).toBe(ids.public);
    expect(fake.snapshot(ids.public)).toMatchObject({
      state: 'completed',
      ownerId: '111122223333',
      encrypted: false,
      tags: { purpose: 'data' },
    });
  });

  it('makes a public snapshot private and shares it again, in both request forms, counting each as a write', async () => {
    const { fake, ids } = sharingWorld();
    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: ids.public,
        Attribute: 'createVolumePermission',
        OperationType: 'remove',
        GroupNames: ['all'],
      }),
    );
    expect(await permissions(fake, ids.public)).toEqual([]);
    expect(await listed(fake, { OwnerIds: ['self'], RestorableByUserIds: ['all'] })).toEqual([]);

    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: ids.public,
        CreateVolumePermission: { Add: [{ Group: 'all' }, { UserId: PARTNER }] },
      }),
    );
    expect(await permissions(fake, ids.public)).toEqual([{ Group: 'all' }, { UserId: PARTNER }]);
    expect(await listed(fake, { OwnerIds: ['self'], RestorableByUserIds: ['all'] })).toEqual([ids.public]);

    // Adding what is there changes nothing; removing the public permission keeps the account's.
    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: ids.public,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: [PARTNER],
      }),
    );
    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: ids.public,
        CreateVolumePermission: { Remove: [{ Group: 'all' }] },
      }),
    );
    expect(await permissions(fake, ids.public)).toEqual([{ UserId: PARTNER }]);
    expect(fake.writeCalls()).toBe(4);
  });

  it('refuses to make an encrypted snapshot public, but shares it with an account', async () => {
    const fake = world();
    fake.addInstance({
      instanceId: 'i-encrypted',
      interfaces: [{ networkInterfaceId: 'eni-encrypted', vpcId: VPC, groupIds: ['sg-app'] }],
      volumes: [{ volumeId: 'vol-encrypted', deviceName: '/dev/xvda', deleteOnTermination: true, encrypted: true }],
    });
    const created = await fake.ec2Client.send(
      new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: 'i-encrypted' } }),
    );
    expect(created.Snapshots?.[0]?.Encrypted).toBe(true);
    const snapshotId = created.Snapshots?.[0]?.SnapshotId ?? '';
    const added = fake.addSnapshot({ volumeId: 'vol-other', encrypted: true });

    for (const id of [snapshotId, added]) {
      const flat = new ModifySnapshotAttributeCommand({
        SnapshotId: id,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        GroupNames: ['all'],
      });
      await expect(fake.ec2Client.send(flat)).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        $fault: 'client',
      });
      // All or nothing: the account in the same request is not added either.
      const structured = new ModifySnapshotAttributeCommand({
        SnapshotId: id,
        CreateVolumePermission: { Add: [{ UserId: PARTNER }, { Group: 'all' }] },
      });
      await expect(fake.ec2Client.send(structured)).rejects.toMatchObject({ name: 'InvalidParameterValue' });
      expect(await permissions(fake, id)).toEqual([]);
    }

    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: added,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        UserIds: [PARTNER],
      }),
    );
    expect(await permissions(fake, added)).toEqual([{ UserId: PARTNER }]);
    expect(
      (
        (
          await fake.ec2Client.send(
            new DescribeSnapshotsCommand({ Filters: [{ Name: 'encrypted', Values: ['true'] }] }),
          )
        ).Snapshots ?? []
      ).map((s) => s.SnapshotId),
    ).toEqual([snapshotId, added]);
    expect(() => fake.addSnapshot({ volumeId: 'vol-other', encrypted: true, public: true })).toThrow('test setup');
  });

  it('accepts removing a permission the snapshot does not have, silently', async () => {
    const { fake, ids } = sharingWorld();
    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: ids.private,
        Attribute: 'createVolumePermission',
        OperationType: 'remove',
        GroupNames: ['all'],
      }),
    );
    await fake.ec2Client.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: ids.shared,
        CreateVolumePermission: { Remove: [{ UserId: '777788889999' }, { Group: 'all' }] },
      }),
    );
    expect(await permissions(fake, ids.private)).toEqual([]);
    expect(await permissions(fake, ids.shared)).toEqual([{ UserId: PARTNER }]);
    expect(fake.writeCalls()).toBe(2);
  });

  it('rejects unknown snapshots and malformed permission changes, changing nothing', async () => {
    const { fake, ids } = sharingWorld();
    const modify = (
      input: Omit<ConstructorParameters<typeof ModifySnapshotAttributeCommand>[0], 'SnapshotId'>,
      snapshotId = ids.public,
    ) => fake.ec2Client.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, ...input }));

    await expect(
      fake.ec2Client.send(
        new DescribeSnapshotAttributeCommand({ SnapshotId: 'snap-gone', Attribute: 'createVolumePermission' }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidSnapshot.NotFound',
    });
    await expect(modify({ OperationType: 'remove', GroupNames: ['all'] }, 'snap-gone')).rejects.toMatchObject({
      name: 'InvalidSnapshot.NotFound',
    });
    await expect(modify({ OperationType: 'remove', GroupNames: ['everyone'] })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(modify({ OperationType: 'add', UserIds: ['bob'] })).rejects.toMatchObject({
      name: 'InvalidUserID.Malformed',
    });
    await expect(modify({ GroupNames: ['all'] })).rejects.toMatchObject({ name: 'MissingParameter' });
    await expect(
      modify({ OperationType: 'remove', CreateVolumePermission: { Remove: [{ Group: 'all' }] } }),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombination',
    });
    expect(await permissions(fake, ids.public)).toEqual([{ Group: 'all' }]);

    const denied = accessDenied('ec2:ModifySnapshotAttribute');
    fake.failOn('ModifySnapshotAttribute', denied, 1);
    await expect(modify({ OperationType: 'remove', GroupNames: ['all'] })).rejects.toBe(denied);
    expect(await permissions(fake, ids.public)).toEqual([{ Group: 'all' }]);
  });
});

describe('FakeEc2 Auto Scaling', () => {
  it('moves an instance into and out of Standby, refusing the wrong starting state', async () => {
    const fake = world();
    const described = await fake.autoScalingClient.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: ['i-asg', 'i-single'] }),
    );
    expect(described.AutoScalingInstances).toEqual([
      {
        InstanceId: 'i-asg',
        AutoScalingGroupName: 'web-asg',
        LifecycleState: 'InService',
        HealthStatus: 'HEALTHY',
        AvailabilityZone: 'us-east-1a',
        ProtectedFromScaleIn: false,
      },
    ]);

    const exitEarly = fake.autoScalingClient.send(
      new ExitStandbyCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: ['i-asg'] }),
    );
    await expect(exitEarly).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The instance i-asg is not in Standby.',
    });

    const entered = await fake.autoScalingClient.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web-asg',
        InstanceIds: ['i-asg'],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    expect(entered.Activities?.[0]?.Description).toBe('Moving EC2 instance to Standby: i-asg');
    expect(fake.instance('i-asg').lifecycleState).toBe('Standby');

    const again = fake.autoScalingClient.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web-asg',
        InstanceIds: ['i-asg'],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    await expect(again).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The instance i-asg is not in InService.',
    });

    await fake.autoScalingClient.send(
      new ExitStandbyCommand({ AutoScalingGroupName: 'web-asg', InstanceIds: ['i-asg'] }),
    );
    expect(fake.instance('i-asg').lifecycleState).toBe('InService');
  });

  it('refuses an instance that is not in the group', async () => {
    const call = world().autoScalingClient.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web-asg',
        InstanceIds: ['i-single'],
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    await expect(call).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('FakeEc2 fault injection and write counting', () => {
  it('fails the named command the given number of times, then behaves', async () => {
    const fake = world();
    const denied = accessDenied('ec2:ModifyNetworkInterfaceAttribute');
    fake.failOn('ModifyNetworkInterfaceAttribute', denied, 1);
    const modify = new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-single', Groups: ['sg-db'] });
    await expect(fake.ec2Client.send(modify)).rejects.toBe(denied);
    expect(fake.groupsOf('eni-single')).toEqual(['sg-app']);
    await fake.ec2Client.send(modify);
    expect(fake.groupsOf('eni-single')).toEqual(['sg-db']);
  });

  it('injects faults into Auto Scaling commands too, before any validation', async () => {
    const fake = world();
    const denied = accessDenied('autoscaling:EnterStandby');
    fake.failOn('EnterStandby', denied);
    const call = fake.autoScalingClient.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'nope',
        InstanceIds: ['i-asg'],
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    await expect(call).rejects.toBe(denied);
  });

  it('counts only the calls that could change state, on both clients, failed ones included', async () => {
    const fake = world();
    await fake.ec2Client.send(new DescribeInstancesCommand({ InstanceIds: ['i-single'] }));
    await fake.ec2Client.send(new DescribeSecurityGroupsCommand({}));
    await fake.autoScalingClient.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ['i-asg'] }));
    expect(fake.writeCalls()).toBe(0);
    await fake.ec2Client.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-single', Groups: ['sg-db'] }),
    );
    await expect(
      fake.ec2Client.send(new ModifyInstanceAttributeCommand({ InstanceId: 'i-multi', Groups: ['sg-db'] })),
    ).rejects.toThrow();
    await fake.autoScalingClient.send(
      new EnterStandbyCommand({
        AutoScalingGroupName: 'web-asg',
        InstanceIds: ['i-asg'],
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    expect(fake.writeCalls()).toBe(3);
  });
});
