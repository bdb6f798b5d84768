import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  type Activity,
  type DescribeAutoScalingInstancesCommandInput,
  type DescribeAutoScalingInstancesCommandOutput,
  type EnterStandbyCommandInput,
  type EnterStandbyCommandOutput,
  type ExitStandbyCommandInput,
  type ExitStandbyCommandOutput,
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
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  ModifySnapshotAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type AssociateIamInstanceProfileCommandInput,
  type AssociateIamInstanceProfileCommandOutput,
  type AuthorizeSecurityGroupEgressCommandInput,
  type AuthorizeSecurityGroupEgressCommandOutput,
  type AuthorizeSecurityGroupIngressCommandInput,
  type CreateSecurityGroupCommandInput,
  type CreateSecurityGroupCommandOutput,
  type CreateSnapshotsCommandInput,
  type CreateSnapshotsCommandOutput,
  type CreateTagsCommandInput,
  type CreateVolumePermission,
  type DescribeIamInstanceProfileAssociationsCommandInput,
  type DescribeIamInstanceProfileAssociationsCommandOutput,
  type DescribeInstanceAttributeCommandInput,
  type DescribeInstanceAttributeCommandOutput,
  type DescribeInstancesCommandInput,
  type DescribeInstancesCommandOutput,
  type DescribeNetworkInterfacesCommandInput,
  type DescribeNetworkInterfacesCommandOutput,
  type DescribeSecurityGroupsCommandInput,
  type DescribeSecurityGroupsCommandOutput,
  type DescribeSnapshotAttributeCommandInput,
  type DescribeSnapshotAttributeCommandOutput,
  type DescribeSnapshotsCommandInput,
  type DescribeSnapshotsCommandOutput,
  type DisassociateIamInstanceProfileCommandInput,
  type DisassociateIamInstanceProfileCommandOutput,
  type Filter,
  type GroupIdentifier,
  type IamInstanceProfileAssociation,
  type Instance,
  type IpPermission,
  type ModifyInstanceAttributeCommandInput,
  type ModifyNetworkInterfaceAttributeCommandInput,
  type ModifySnapshotAttributeCommandInput,
  type NetworkInterface,
  type RevokeSecurityGroupEgressCommandInput,
  type RevokeSecurityGroupEgressCommandOutput,
  type RevokeSecurityGroupIngressCommandInput,
  type SecurityGroup,
  type Snapshot,
  type Tag,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export type FakeInstanceState = 'running' | 'stopped' | 'terminated';
export type FakeShutdownBehavior = 'stop' | 'terminate';

export interface FakeVolume {
  volumeId: string;
  deviceName: string;
  deleteOnTermination: boolean;
  /** Copied to snapshots by CreateSnapshots with CopyTagsFromSource 'volume'. */
  tags?: Record<string, string>;
  /** Snapshots of an encrypted volume are encrypted. Unencrypted when absent. */
  encrypted?: boolean;
}

export interface FakeInterfaceSpec {
  networkInterfaceId: string;
  vpcId: string;
  subnetId?: string;
  groupIds: string[];
}

/** An elastic network interface, attached to an instance (fakes model attached interfaces only). */
export interface FakeInterface {
  networkInterfaceId: string;
  vpcId: string;
  subnetId: string;
  groupIds: string[];
  instanceId: string;
  deviceIndex: number;
  attachmentId: string;
}

export interface FakeInstanceSpec {
  instanceId: string;
  state?: FakeInstanceState;
  spot?: boolean;
  /** In DeviceIndex order: the first one is the primary interface (DeviceIndex 0). */
  interfaces: FakeInterfaceSpec[];
  volumes: FakeVolume[];
  /** Defaults to '/dev/xvda'. The volume mapped here is the boot volume. */
  rootDeviceName?: string;
  /** Creates an IAM instance profile association in state 'associated'. */
  instanceProfileArn?: string;
  tags?: Record<string, string>;
  disableApiTermination?: boolean;
  disableApiStop?: boolean;
  shutdownBehavior?: FakeShutdownBehavior;
  autoScalingGroup?: string;
  /** Auto Scaling lifecycle state; 'InService' by default (only meaningful with autoScalingGroup). */
  lifecycleState?: string;
}

export interface FakeInstance {
  instanceId: string;
  state: FakeInstanceState;
  spot: boolean;
  /** Interface ids in DeviceIndex order; the interfaces themselves are in `FakeEc2.interfaces`. */
  interfaceIds: string[];
  volumes: FakeVolume[];
  rootDeviceName: string;
  /** The associated instance profile, with its association id; both unset when none is associated. */
  instanceProfileArn?: string;
  associationId?: string;
  tags: Record<string, string>;
  disableApiTermination: boolean;
  disableApiStop: boolean;
  shutdownBehavior: FakeShutdownBehavior;
  autoScalingGroup?: string;
  lifecycleState?: string;
}

/**
 * One security group rule: a protocol, a port range and exactly one peer (an IPv4 CIDR, an IPv6 CIDR, a
 * security group or a prefix list). Protocols are stored normalised ('tcp', 'udp', 'icmp', 'icmpv6', '-1' or a
 * number); ports are absent for '-1'.
 */
export interface FakeRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIp?: string;
  cidrIpv6?: string;
  groupId?: string;
  prefixListId?: string;
  description?: string;
}

export interface FakeSecurityGroup {
  groupId: string;
  groupName: string;
  vpcId: string;
  description: string;
  ingress: FakeRule[];
  egress: FakeRule[];
  tags: Record<string, string>;
}

export interface FakeSecurityGroupSpec {
  groupId?: string;
  groupName: string;
  vpcId: string;
  description?: string;
  ingress?: IpPermission[];
  /** Defaults to AWS's default egress rule (all traffic to 0.0.0.0/0); pass [] for none. */
  egress?: IpPermission[];
  tags?: Record<string, string>;
}

export interface FakeSnapshot {
  snapshotId: string;
  volumeId: string;
  /** The instance whose volume it is, when made by CreateSnapshots. */
  instanceId?: string;
  state: 'pending' | 'completed' | 'error';
  startTime: Date;
  ownerId: string;
  description?: string;
  tags: Record<string, string>;
  /** Unencrypted when absent. An encrypted snapshot cannot be public. */
  encrypted?: boolean;
  /**
   * Who may create volumes from it: `{ group: 'all' }` makes it public, `{ userId }` shares it with an account. None
   * when absent (the fake's builders and CreateSnapshots set []; optional so that hand-built snapshots still type).
   */
  createVolumePermissions?: FakeCreateVolumePermission[];
}

/** One create-volume permission of a snapshot: exactly one of `group` (public) and `userId` (an account). */
export interface FakeCreateVolumePermission {
  group?: 'all';
  userId?: string;
}

export interface FakeSnapshotSpec {
  /** Generated as 'snap-' + 17 hex digits when not given. */
  snapshotId?: string;
  volumeId: string;
  /** Defaults to the fake's account. */
  ownerId?: string;
  encrypted?: boolean;
  /** Adds the group 'all' create-volume permission (not allowed with `encrypted`). */
  public?: boolean;
  /** Account ids given a create-volume permission each. */
  sharedWith?: string[];
  tags?: Record<string, string>;
  /** Defaults to 'completed'. */
  state?: FakeSnapshot['state'];
  description?: string;
}

/** EC2 commands that change state: tests assert none of them ran where nothing may be written. */
export const EC2_WRITE_COMMANDS = [
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  CreateSecurityGroupCommand,
  AuthorizeSecurityGroupIngressCommand,
  AuthorizeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  RevokeSecurityGroupEgressCommand,
  AssociateIamInstanceProfileCommand,
  DisassociateIamInstanceProfileCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  ModifySnapshotAttributeCommand,
] as const;

/** Auto Scaling commands that change state. */
export const AUTO_SCALING_WRITE_COMMANDS = [EnterStandbyCommand, ExitStandbyCommand] as const;

/** AWS's default egress rule of a new security group. */
export const DEFAULT_EGRESS: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

/** AWS's ingress rule of a VPC's default security group: all traffic from members of the group itself. */
export function defaultGroupIngress(groupId: string): IpPermission {
  return { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: groupId }] };
}

type Out<T> = Omit<T, '$metadata'>;

/** What Authorize/Revoke Ingress/Egress share (the fake models the IpPermissions form only). */
type RuleChangeInput = { GroupId?: string | undefined; IpPermissions?: IpPermission[] | undefined };

/** An SDK-shaped client error: the name is the AWS error code, as the SDK sets it. */
export function awsClientError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client' as const, $metadata: { httpStatusCode: 400 } });
}

/** The fake was asked for something it does not model: a test-setup problem, not an AWS error. */
function notModelled(what: string): Error {
  return new Error(`FakeEc2 does not model ${what}`);
}

const INSTANCE_STATE_CODES: Record<FakeInstanceState, number> = { running: 16, stopped: 80, terminated: 48 };
const PROTOCOL_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

function tagList(tags: Record<string, string>): Tag[] | undefined {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return list.length > 0 ? list : undefined; // AWS omits an empty tag set
}

function tagRecord(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap((tag) => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])));
}

function tagsFor(specifications: TagSpecification[] | undefined, resourceType: string): Record<string, string> {
  return tagRecord(
    (specifications ?? []).filter((spec) => spec.ResourceType === resourceType).flatMap((spec) => spec.Tags ?? []),
  );
}

function globMatch(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

interface FilterSpec<T> {
  fields: Record<string, (item: T) => (string | undefined)[]>;
  tags?: (item: T) => Record<string, string>;
}

/** EC2 filter semantics: AND across filters, OR within a filter's Values, '*' and '?' wildcards. */
function applyFilters<T>(items: T[], filters: Filter[] | undefined, spec: FilterSpec<T>): T[] {
  const predicates = (filters ?? []).map((filter) => {
    const name = filter.Name ?? '';
    const wanted = filter.Values ?? [];
    const tags = spec.tags;
    let extract: (item: T) => (string | undefined)[];
    if (tags && name.startsWith('tag:')) {
      const key = name.slice('tag:'.length);
      extract = (item) => [tags(item)[key]];
    } else if (tags && name === 'tag-key') {
      extract = (item) => Object.keys(tags(item));
    } else {
      const field = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
      if (!field) throw awsClientError('InvalidParameterValue', `The filter '${name}' is invalid`);
      extract = field;
    }
    return (item: T) =>
      extract(item).some((actual) => actual !== undefined && wanted.some((pattern) => globMatch(pattern, actual)));
  });
  return items.filter((item) => predicates.every((predicate) => predicate(item)));
}

function normaliseProtocol(protocol: string | undefined): string {
  if (protocol === undefined)
    throw awsClientError('MissingParameter', 'The request must contain the parameter ipProtocol');
  const lower = protocol.toLowerCase();
  return PROTOCOL_NUMBERS[lower] ?? lower;
}

/** One FakeRule per peer of the permission. */
function rulesOf(permission: IpPermission): FakeRule[] {
  const protocol = normaliseProtocol(permission.IpProtocol);
  const base: FakeRule =
    protocol === '-1' ? { protocol } : { protocol, fromPort: permission.FromPort, toPort: permission.ToPort };
  const rules: FakeRule[] = [
    ...(permission.IpRanges ?? []).map((range) => ({ ...base, cidrIp: range.CidrIp, description: range.Description })),
    ...(permission.Ipv6Ranges ?? []).map((range) => ({
      ...base,
      cidrIpv6: range.CidrIpv6,
      description: range.Description,
    })),
    ...(permission.UserIdGroupPairs ?? []).map((pair) => {
      if (pair.GroupId === undefined)
        throw notModelled('UserIdGroupPairs without GroupId (GroupName is for the default VPC only)');
      return { ...base, groupId: pair.GroupId, description: pair.Description };
    }),
    ...(permission.PrefixListIds ?? []).map((list) => ({
      ...base,
      prefixListId: list.PrefixListId,
      description: list.Description,
    })),
  ];
  if (rules.length === 0)
    throw awsClientError(
      'MissingParameter',
      'The request must contain a source or destination: IpRanges, Ipv6Ranges, UserIdGroupPairs or PrefixListIds',
    );
  return rules.map((rule) => (rule.description === undefined ? withoutDescription(rule) : rule));
}

function withoutDescription(rule: FakeRule): FakeRule {
  const { description: _description, ...rest } = rule;
  return rest;
}

/** Identity of a rule: protocol, ports and peer (not the description). */
function ruleKey(rule: FakeRule): string {
  const peer = rule.cidrIp ?? rule.cidrIpv6 ?? rule.groupId ?? rule.prefixListId ?? '';
  return [rule.protocol, rule.fromPort ?? '', rule.toPort ?? '', peer].join('|');
}

function describeRule(rule: FakeRule): string {
  const peer = rule.cidrIp ?? rule.cidrIpv6 ?? rule.groupId ?? rule.prefixListId ?? '';
  return `peer: ${peer}, ${rule.protocol.toUpperCase()}, from port: ${rule.fromPort ?? 'all'}, to port: ${rule.toPort ?? 'all'}, ALLOW`;
}

const ACCOUNT_ID = /^\d{12}$/;

/** The permissions named by ModifySnapshotAttribute entries, validated: Group must be 'all', a UserId an account id. */
function volumePermissionsOf(entries: CreateVolumePermission[]): FakeCreateVolumePermission[] {
  return entries.flatMap((entry): FakeCreateVolumePermission[] => {
    if (entry.Group === undefined && entry.UserId === undefined) {
      throw awsClientError('InvalidParameterValue', 'A createVolumePermission must name a Group or a UserId');
    }
    const permissions: FakeCreateVolumePermission[] = [];
    if (entry.Group !== undefined) {
      if (entry.Group !== 'all')
        throw awsClientError(
          'InvalidParameterValue',
          `Value (${String(entry.Group)}) for parameter group is invalid. Only 'all' is supported.`,
        );
      permissions.push({ group: 'all' });
    }
    if (entry.UserId !== undefined) {
      if (!ACCOUNT_ID.test(entry.UserId))
        throw awsClientError('InvalidUserID.Malformed', `Invalid user id: '${entry.UserId}'`);
      permissions.push({ userId: entry.UserId });
    }
    return permissions;
  });
}

function permissionKey(permission: FakeCreateVolumePermission): string {
  return permission.group === 'all' ? 'group:all' : `user:${permission.userId ?? ''}`;
}

/**
 * Stored rules as DescribeSecurityGroups returns them: grouped, as AWS does, into one IpPermission per
 * (protocol, FromPort, ToPort) in order of first appearance, each with all four peer lists (empty when none).
 */
export function toIpPermissions(rules: FakeRule[], accountId: string): IpPermission[] {
  const grouped = new Map<
    string,
    Required<Pick<IpPermission, 'IpRanges' | 'Ipv6Ranges' | 'UserIdGroupPairs' | 'PrefixListIds'>> & IpPermission
  >();
  for (const rule of rules) {
    const key = [rule.protocol, rule.fromPort ?? '', rule.toPort ?? ''].join('|');
    let permission = grouped.get(key);
    if (!permission) {
      const ports = rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort };
      permission = {
        IpProtocol: rule.protocol,
        ...ports,
        IpRanges: [],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      };
      grouped.set(key, permission);
    }
    const description = rule.description === undefined ? {} : { Description: rule.description };
    if (rule.cidrIp !== undefined) permission.IpRanges.push({ CidrIp: rule.cidrIp, ...description });
    if (rule.cidrIpv6 !== undefined) permission.Ipv6Ranges.push({ CidrIpv6: rule.cidrIpv6, ...description });
    if (rule.groupId !== undefined)
      permission.UserIdGroupPairs.push({ GroupId: rule.groupId, UserId: accountId, ...description });
    if (rule.prefixListId !== undefined)
      permission.PrefixListIds.push({ PrefixListId: rule.prefixListId, ...description });
  }
  return [...grouped.values()];
}

/**
 * A stateful in-memory EC2 and EC2 Auto Scaling for one account and region, behind aws-sdk-client-mock: tests
 * check end states (the interface is in the quarantine group, the snapshot exists), not only call sequences.
 * Handlers enforce the AWS constraints that containment code trips over (one attribute per
 * ModifyInstanceAttribute, no `Groups` on multi-interface instances, no protection on Spot, groups in the
 * interface's VPC, duplicate rules and groups, the reserved group name 'default', no public encrypted snapshots).
 * Every VPC has its default security group, as in AWS (`defaultGroupOf`). `failOn` injects an error at one command.
 * Changes are immediate: no 'associating', 'EnteringStandby' or 'Pending' intermediate states are kept.
 */
export class FakeEc2 {
  readonly ec2Client: EC2Client;
  readonly ec2Mock: AwsClientStub<EC2Client>;
  readonly autoScalingClient: AutoScalingClient;
  readonly autoScalingMock: AwsClientStub<AutoScalingClient>;
  readonly vpcs = new Set<string>();
  readonly instances = new Map<string, FakeInstance>();
  readonly interfaces = new Map<string, FakeInterface>();
  readonly securityGroups = new Map<string, FakeSecurityGroup>();
  readonly snapshots = new Map<string, FakeSnapshot>();
  private readonly failures = new Map<string, { error: Error; times: number }>();
  private readonly profileIds = new Map<string, string>();
  private sequence = 0;

  constructor(
    readonly accountId = '111122223333',
    readonly region = 'us-east-1',
  ) {
    this.ec2Client = new EC2Client({ region });
    this.autoScalingClient = new AutoScalingClient({ region });
    this.ec2Mock = mockClient(this.ec2Client);
    this.autoScalingMock = mockClient(this.autoScalingClient);
    this.wireEc2();
    this.wireAutoScaling();
  }

  /**
   * Adds a VPC with, as AWS creates it, its default security group (named 'default', untagged, ingress all traffic
   * from the group itself, egress all traffic to 0.0.0.0/0), unless the VPC already has one.
   */
  addVpc(vpcId: string): this {
    this.vpcs.add(vpcId);
    if (!this.findSecurityGroup(vpcId, 'default')) {
      const groupId = this.newId('sg', this.securityGroups);
      this.addSecurityGroup({
        groupId,
        groupName: 'default',
        vpcId,
        description: 'default VPC security group',
        ingress: [defaultGroupIngress(groupId)],
        egress: [DEFAULT_EGRESS],
      });
    }
    return this;
  }

  /**
   * Adds a security group (and its VPC, with the VPC's default group); returns its id, generated as 'sg-' + 17 hex
   * digits when not given. A group named 'default' added to a VPC not yet known becomes that VPC's default group,
   * with the rules of the spec.
   */
  addSecurityGroup(spec: FakeSecurityGroupSpec): string {
    const groupId = spec.groupId ?? this.newId('sg', this.securityGroups);
    if (this.securityGroups.has(groupId)) throw new Error(`test setup: security group ${groupId} exists`);
    if (spec.groupName === 'default') {
      if (this.findSecurityGroup(spec.vpcId, 'default'))
        throw new Error(`test setup: ${spec.vpcId} already has a default security group`);
      this.vpcs.add(spec.vpcId);
    } else {
      this.addVpc(spec.vpcId);
    }
    this.securityGroups.set(groupId, {
      groupId,
      groupName: spec.groupName,
      vpcId: spec.vpcId,
      description: spec.description ?? spec.groupName,
      ingress: (spec.ingress ?? []).flatMap(rulesOf),
      egress: (spec.egress ?? [DEFAULT_EGRESS]).flatMap(rulesOf),
      tags: { ...spec.tags },
    });
    return groupId;
  }

  /** Adds a snapshot, 'completed' by default; returns its id, generated as 'snap-' + 17 hex digits when not given. */
  addSnapshot(spec: FakeSnapshotSpec): string {
    const snapshotId = spec.snapshotId ?? this.newId('snap', this.snapshots);
    if (this.snapshots.has(snapshotId)) throw new Error(`test setup: snapshot ${snapshotId} exists`);
    if (spec.public && spec.encrypted) throw new Error(`test setup: encrypted snapshot ${snapshotId} cannot be public`);
    const snapshot: FakeSnapshot = {
      snapshotId,
      volumeId: spec.volumeId,
      state: spec.state ?? 'completed',
      startTime: new Date(),
      ownerId: spec.ownerId ?? this.accountId,
      tags: { ...spec.tags },
      encrypted: spec.encrypted ?? false,
      createVolumePermissions: [
        ...(spec.public ? [{ group: 'all' as const }] : []),
        ...[...new Set(spec.sharedWith ?? [])].map((userId) => ({ userId })),
      ],
    };
    if (spec.description !== undefined) snapshot.description = spec.description;
    this.snapshots.set(snapshotId, snapshot);
    return snapshotId;
  }

  /** Adds an instance with its interfaces (whose groups must have been added, in the interface's VPC). */
  addInstance(spec: FakeInstanceSpec): this {
    if (this.instances.has(spec.instanceId)) throw new Error(`test setup: instance ${spec.instanceId} exists`);
    if (spec.interfaces.length === 0) throw new Error(`test setup: instance ${spec.instanceId} needs an interface`);
    spec.interfaces.forEach((eni, deviceIndex) => {
      if (this.interfaces.has(eni.networkInterfaceId))
        throw new Error(`test setup: interface ${eni.networkInterfaceId} exists`);
      for (const groupId of eni.groupIds) {
        const group = this.securityGroup(groupId);
        if (group.vpcId !== eni.vpcId) throw new Error(`test setup: ${groupId} is in ${group.vpcId}, not ${eni.vpcId}`);
      }
      this.addVpc(eni.vpcId);
      this.interfaces.set(eni.networkInterfaceId, {
        networkInterfaceId: eni.networkInterfaceId,
        vpcId: eni.vpcId,
        subnetId: eni.subnetId ?? `subnet-${eni.vpcId.replace(/^vpc-/, '')}`,
        groupIds: [...eni.groupIds],
        instanceId: spec.instanceId,
        deviceIndex,
        attachmentId: this.newId('eni-attach'),
      });
    });
    const instance: FakeInstance = {
      instanceId: spec.instanceId,
      state: spec.state ?? 'running',
      spot: spec.spot ?? false,
      interfaceIds: spec.interfaces.map((eni) => eni.networkInterfaceId),
      volumes: spec.volumes.map((volume) => ({ ...volume, tags: { ...volume.tags } })),
      rootDeviceName: spec.rootDeviceName ?? '/dev/xvda',
      tags: { ...spec.tags },
      disableApiTermination: spec.disableApiTermination ?? false,
      disableApiStop: spec.disableApiStop ?? false,
      shutdownBehavior: spec.shutdownBehavior ?? 'stop',
    };
    if (spec.instanceProfileArn !== undefined) {
      instance.instanceProfileArn = spec.instanceProfileArn;
      instance.associationId = this.newId('iip-assoc');
    }
    if (spec.autoScalingGroup !== undefined) {
      instance.autoScalingGroup = spec.autoScalingGroup;
      instance.lifecycleState = spec.lifecycleState ?? 'InService';
    }
    this.instances.set(spec.instanceId, instance);
    return this;
  }

  /** The next `times` calls of the command (named without 'Command', e.g. 'ModifyInstanceAttribute') fail with `error`. */
  failOn(commandName: string, error: Error, times = Number.POSITIVE_INFINITY): this {
    this.failures.set(commandName, { error, times });
    return this;
  }

  instance(instanceId: string): FakeInstance {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`test setup: no instance ${instanceId}`);
    return instance;
  }

  securityGroup(groupId: string): FakeSecurityGroup {
    const group = this.securityGroups.get(groupId);
    if (!group) throw new Error(`test setup: no security group ${groupId}`);
    return group;
  }

  snapshot(snapshotId: string): FakeSnapshot {
    const snapshot = this.snapshots.get(snapshotId);
    if (!snapshot) throw new Error(`test setup: no snapshot ${snapshotId}`);
    return snapshot;
  }

  /** The id of the VPC's default security group. */
  defaultGroupOf(vpcId: string): string {
    const group = this.findSecurityGroup(vpcId, 'default');
    if (!group) throw new Error(`test setup: no VPC ${vpcId}`);
    return group.groupId;
  }

  interface(networkInterfaceId: string): FakeInterface {
    const eni = this.interfaces.get(networkInterfaceId);
    if (!eni) throw new Error(`test setup: no network interface ${networkInterfaceId}`);
    return eni;
  }

  /** A copy of the interface's security group ids. */
  groupsOf(networkInterfaceId: string): string[] {
    return [...this.interface(networkInterfaceId).groupIds];
  }

  /** The security group with this name in this VPC, if any. */
  findSecurityGroup(vpcId: string, groupName: string): FakeSecurityGroup | undefined {
    return [...this.securityGroups.values()].find((group) => group.vpcId === vpcId && group.groupName === groupName);
  }

  /** The number of EC2 and Auto Scaling calls that could have changed state. */
  writeCalls(): number {
    const writes = new Set<unknown>([...EC2_WRITE_COMMANDS, ...AUTO_SCALING_WRITE_COMMANDS]);
    const calls = [...this.ec2Mock.calls(), ...this.autoScalingMock.calls()];
    return calls.filter((call) => writes.has(call.args[0].constructor)).length;
  }

  private maybeFail(commandName: string): void {
    const failure = this.failures.get(commandName);
    if (!failure || failure.times <= 0) return;
    failure.times -= 1;
    throw failure.error;
  }

  /** Deterministic ids: prefix + '-' + 17 hex digits. */
  private newId(prefix: string, taken?: { has(id: string): boolean }): string {
    let id: string;
    do {
      this.sequence += 1;
      id = `${prefix}-${this.sequence.toString(16).padStart(17, '0')}`;
    } while (taken?.has(id));
    return id;
  }

  private profileId(arn: string): string {
    let id = this.profileIds.get(arn);
    if (id === undefined) {
      this.sequence += 1;
      id = `AIPA${this.sequence.toString(36).toUpperCase().padStart(17, 'Q')}`;
      this.profileIds.set(arn, id);
    }
    return id;
  }

  private findInstance(instanceId: string | undefined): FakeInstance {
    const instance = instanceId === undefined ? undefined : this.instances.get(instanceId);
    if (!instance) throw awsClientError('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    return instance;
  }

  private findGroup(groupId: string | undefined): FakeSecurityGroup {
    const group = groupId === undefined ? undefined : this.securityGroups.get(groupId);
    if (!group) throw awsClientError('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    return group;
  }

  private findInterface(networkInterfaceId: string | undefined): FakeInterface {
    const eni = networkInterfaceId === undefined ? undefined : this.interfaces.get(networkInterfaceId);
    if (!eni)
      throw awsClientError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${networkInterfaceId}' does not exist`,
      );
    return eni;
  }

  private findSnapshot(snapshotId: string | undefined): FakeSnapshot {
    const snapshot = snapshotId === undefined ? undefined : this.snapshots.get(snapshotId);
    if (!snapshot) throw awsClientError('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
    return snapshot;
  }

  private findVolume(volumeId: string): FakeVolume {
    for (const instance of this.instances.values()) {
      const volume = instance.volumes.find((candidate) => candidate.volumeId === volumeId);
      if (volume) return volume;
    }
    throw awsClientError('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
  }

  /** The validated, de-duplicated group list for an interface: each group must exist and be in its VPC. */
  private groupsForInterface(eni: FakeInterface, groupIds: string[] | undefined): string[] {
    if (!groupIds || groupIds.length === 0)
      throw awsClientError('InvalidParameterValue', 'You must specify at least one security group');
    for (const groupId of groupIds) {
      const group = this.findGroup(groupId);
      if (group.vpcId !== eni.vpcId)
        throw awsClientError(
          'InvalidGroup.NotFound',
          `The security group '${groupId}' does not exist in VPC '${eni.vpcId}'`,
        );
    }
    return [...new Set(groupIds)];
  }

  private groupIdentifiers(groupIds: string[]): GroupIdentifier[] {
    return groupIds.map((groupId) => ({ GroupId: groupId, GroupName: this.securityGroups.get(groupId)?.groupName }));
  }

  private interfacesOf(instance: FakeInstance): FakeInterface[] {
    return instance.interfaceIds.map((id) => this.interface(id));
  }

  private describeInstance(instance: FakeInstance): Instance {
    const enis = this.interfacesOf(instance);
    const primary = enis[0];
    const allGroups = [...new Set(enis.flatMap((eni) => eni.groupIds))];
    return {
      InstanceId: instance.instanceId,
      State: { Code: INSTANCE_STATE_CODES[instance.state], Name: instance.state },
      ...(instance.spot ? { InstanceLifecycle: 'spot' as const } : {}),
      VpcId: primary?.vpcId,
      SubnetId: primary?.subnetId,
      Placement: { AvailabilityZone: `${this.region}a` },
      RootDeviceName: instance.rootDeviceName,
      RootDeviceType: 'ebs',
      NetworkInterfaces: enis.map((eni) => ({
        NetworkInterfaceId: eni.networkInterfaceId,
        VpcId: eni.vpcId,
        SubnetId: eni.subnetId,
        OwnerId: this.accountId,
        Status: 'in-use',
        Attachment: {
          AttachmentId: eni.attachmentId,
          DeviceIndex: eni.deviceIndex,
          Status: 'attached',
          DeleteOnTermination: eni.deviceIndex === 0,
        },
        Groups: this.groupIdentifiers(eni.groupIds),
      })),
      SecurityGroups: this.groupIdentifiers(allGroups),
      BlockDeviceMappings: instance.volumes.map((volume) => ({
        DeviceName: volume.deviceName,
        Ebs: { VolumeId: volume.volumeId, DeleteOnTermination: volume.deleteOnTermination, Status: 'attached' },
      })),
      ...(instance.instanceProfileArn === undefined
        ? {}
        : {
            IamInstanceProfile: { Arn: instance.instanceProfileArn, Id: this.profileId(instance.instanceProfileArn) },
          }),
      Tags: tagList(instance.tags),
    };
  }

  private describeInterface(eni: FakeInterface): NetworkInterface {
    return {
      NetworkInterfaceId: eni.networkInterfaceId,
      VpcId: eni.vpcId,
      SubnetId: eni.subnetId,
      OwnerId: this.accountId,
      InterfaceType: 'interface',
      Status: 'in-use',
      Attachment: {
        AttachmentId: eni.attachmentId,
        InstanceId: eni.instanceId,
        InstanceOwnerId: this.accountId,
        DeviceIndex: eni.deviceIndex,
        Status: 'attached',
        DeleteOnTermination: eni.deviceIndex === 0,
      },
      Groups: this.groupIdentifiers(eni.groupIds),
    };
  }

  private describeGroup(group: FakeSecurityGroup): SecurityGroup {
    return {
      GroupId: group.groupId,
      GroupName: group.groupName,
      VpcId: group.vpcId,
      Description: group.description,
      OwnerId: this.accountId,
      SecurityGroupArn: `arn:aws:ec2:${this.region}:${this.accountId}:security-group/${group.groupId}`,
      IpPermissions: toIpPermissions(group.ingress, this.accountId),
      IpPermissionsEgress: toIpPermissions(group.egress, this.accountId),
      Tags: tagList(group.tags),
    };
  }

  private describeSnapshot(snapshot: FakeSnapshot): Snapshot {
    return {
      SnapshotId: snapshot.snapshotId,
      VolumeId: snapshot.volumeId,
      State: snapshot.state,
      StartTime: snapshot.startTime,
      OwnerId: snapshot.ownerId,
      Encrypted: snapshot.encrypted ?? false,
      ...(snapshot.description === undefined ? {} : { Description: snapshot.description }),
      Tags: tagList(snapshot.tags),
    };
  }

  private association(
    instance: FakeInstance,
    state: IamInstanceProfileAssociation['State'],
  ): IamInstanceProfileAssociation {
    const arn = instance.instanceProfileArn ?? '';
    return {
      AssociationId: instance.associationId,
      InstanceId: instance.instanceId,
      IamInstanceProfile: { Arn: arn, Id: this.profileId(arn) },
      State: state,
    };
  }

  private modifyInstanceAttribute(input: ModifyInstanceAttributeCommandInput): void {
    const instance = this.findInstance(input.InstanceId);
    const structured = [
      'SourceDestCheck',
      'EnclaveOptions',
      'DisableApiStop',
      'BlockDeviceMappings',
      'DisableApiTermination',
      'InstanceType',
      'Kernel',
      'Ramdisk',
      'UserData',
      'InstanceInitiatedShutdownBehavior',
      'Groups',
      'EbsOptimized',
      'SriovNetSupport',
      'EnaSupport',
    ] as const;
    const given = structured.filter((name) => input[name] !== undefined);
    const attributeCount = given.length + (input.Value === undefined ? 0 : 1);
    if (attributeCount !== 1) {
      throw awsClientError(
        'InvalidParameterCombination',
        attributeCount === 0
          ? 'No attributes specified.'
          : 'Fields for multiple attribute types specified: ' + given.join(', '),
      );
    }

    // The legacy Attribute + Value form, for the attributes it supports that the fake models.
    let disableApiTermination = input.DisableApiTermination?.Value;
    let shutdownBehavior = input.InstanceInitiatedShutdownBehavior?.Value;
    if (input.Value !== undefined) {
      if (input.Attribute === 'disableApiTermination') disableApiTermination = input.Value === 'true';
      else if (input.Attribute === 'instanceInitiatedShutdownBehavior') shutdownBehavior = input.Value;
      else throw notModelled(`ModifyInstanceAttribute with Attribute ${input.Attribute} and Value`);
    }

    if (disableApiTermination !== undefined) {
      if (disableApiTermination && instance.spot)
        throw awsClientError(
          'UnsupportedOperation',
          `Termination protection cannot be enabled for Spot Instance '${instance.instanceId}'.`,
        );
      instance.disableApiTermination = disableApiTermination;
    } else if (input.DisableApiStop !== undefined) {
      const value = input.DisableApiStop.Value ?? false;
      if (value && instance.spot)
        throw awsClientError(
          'UnsupportedOperation',
          `Stop protection cannot be enabled for Spot Instance '${instance.instanceId}'.`,
        );
      instance.disableApiStop = value;
    } else if (shutdownBehavior !== undefined) {
      if (shutdownBehavior !== 'stop' && shutdownBehavior !== 'terminate') {
        throw awsClientError(
          'InvalidParameterValue',
          `Value (${shutdownBehavior}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
        );
      }
      instance.shutdownBehavior = shutdownBehavior;
    } else if (input.BlockDeviceMappings !== undefined) {
      const changes = input.BlockDeviceMappings.map((mapping) => {
        const volume = instance.volumes.find((candidate) => candidate.deviceName === mapping.DeviceName);
        if (!volume)
          throw awsClientError(
            'InvalidInstanceAttributeValue',
            `No device is currently mapped at ${mapping.DeviceName}`,
          );
        return { volume, deleteOnTermination: mapping.Ebs?.DeleteOnTermination ?? true };
      });
      for (const change of changes) change.volume.deleteOnTermination = change.deleteOnTermination;
    } else if (input.Groups !== undefined) {
      if (instance.interfaceIds.length > 1) {
        throw awsClientError(
          'InvalidInstanceID',
          `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID for the operation instead.`,
        );
      }
      const primary = this.interface(instance.interfaceIds[0] ?? '');
      primary.groupIds = this.groupsForInterface(primary, input.Groups);
    } else {
      throw notModelled(`ModifyInstanceAttribute of ${given.join(', ')}`);
    }
  }

  /**
   * The createVolumePermission attribute, in either form (OperationType with UserIds and GroupNames, or
   * CreateVolumePermission's Add and Remove), all-or-nothing. Adding a permission that is there and removing one that
   * is not are accepted, as AWS does; an encrypted snapshot cannot be made public.
   */
  private modifySnapshotAttribute(input: ModifySnapshotAttributeCommandInput): void {
    const snapshot = this.findSnapshot(input.SnapshotId);
    if (input.Attribute !== undefined && input.Attribute !== 'createVolumePermission')
      throw notModelled(`ModifySnapshotAttribute of ${input.Attribute}`);
    const flat = input.OperationType !== undefined || input.UserIds !== undefined || input.GroupNames !== undefined;
    let add: FakeCreateVolumePermission[];
    let remove: FakeCreateVolumePermission[];
    if (input.CreateVolumePermission !== undefined) {
      if (flat)
        throw awsClientError(
          'InvalidParameterCombination',
          'CreateVolumePermission cannot be used with OperationType, UserIds or GroupNames',
        );
      add = volumePermissionsOf(input.CreateVolumePermission.Add ?? []);
      remove = volumePermissionsOf(input.CreateVolumePermission.Remove ?? []);
    } else {
      if (input.OperationType === undefined)
        throw awsClientError('MissingParameter', 'The request must contain the parameter operationType');
      if (input.OperationType !== 'add' && input.OperationType !== 'remove') {
        throw awsClientError(
          'InvalidParameterValue',
          `Value (${String(input.OperationType)}) for parameter operationType is invalid.`,
        );
      }
      const entries = [
        ...(input.GroupNames ?? []).map((group): CreateVolumePermission => ({
          Group: group as CreateVolumePermission['Group'],
        })),
        ...(input.UserIds ?? []).map((userId): CreateVolumePermission => ({ UserId: userId })),
      ];
      if (entries.length === 0)
        throw awsClientError('MissingParameter', 'The request must contain the parameter UserIds or GroupNames');
      const permissions = volumePermissionsOf(entries);
      [add, remove] = input.OperationType === 'add' ? [permissions, []] : [[], permissions];
    }
    if (add.length === 0 && remove.length === 0)
      throw awsClientError('MissingParameter', 'The request must contain a createVolumePermission to add or remove');
    if (snapshot.encrypted && add.some((permission) => permission.group === 'all')) {
      throw awsClientError(
        'InvalidParameterValue',
        `Encrypted snapshots cannot be made public: '${snapshot.snapshotId}' is encrypted.`,
      );
    }
    const removed = new Set(remove.map(permissionKey));
    const kept = (snapshot.createVolumePermissions ?? []).filter(
      (permission) => !removed.has(permissionKey(permission)),
    );
    const present = new Set(kept.map(permissionKey));
    for (const permission of add) {
      const key = permissionKey(permission);
      if (present.has(key)) continue;
      present.add(key);
      kept.push(permission);
    }
    snapshot.createVolumePermissions = kept;
  }

  private authorize(direction: 'ingress' | 'egress', input: RuleChangeInput): { Return: boolean } {
    if (input.IpPermissions === undefined) throw notModelled(`Authorize of a ${direction} rule without IpPermissions`);
    const group = this.findGroup(input.GroupId);
    const rules = input.IpPermissions.flatMap(rulesOf);
    const existing = new Set(group[direction].map(ruleKey));
    for (const rule of rules) {
      if (rule.groupId !== undefined) this.findGroup(rule.groupId);
      const key = ruleKey(rule);
      if (existing.has(key))
        throw awsClientError(
          'InvalidPermission.Duplicate',
          `the specified rule "${describeRule(rule)}" already exists`,
        );
      existing.add(key);
    }
    group[direction].push(...rules);
    return { Return: true };
  }

  /** As for a non-default VPC: every rule must exist, else nothing is revoked. */
  private revoke(direction: 'ingress' | 'egress', input: RuleChangeInput): { Return: boolean } {
    if (input.IpPermissions === undefined)
      throw notModelled(`Revoke of a ${direction} rule without IpPermissions (SecurityGroupRuleIds, flat fields)`);
    const group = this.findGroup(input.GroupId);
    const rules = input.IpPermissions.flatMap(rulesOf);
    for (const rule of rules) {
      if (rule.groupId !== undefined) this.findGroup(rule.groupId);
    }
    const keys = new Set(rules.map(ruleKey));
    const present = new Set(group[direction].map(ruleKey));
    for (const key of keys) {
      if (!present.has(key))
        throw awsClientError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
    group[direction] = group[direction].filter((rule) => !keys.has(ruleKey(rule)));
    return { Return: true };
  }

  private wireEc2(): void {
    const mock = this.ec2Mock;

    mock
      .on(DescribeInstancesCommand)
      .callsFake((input: DescribeInstancesCommandInput): Out<DescribeInstancesCommandOutput> => {
        this.maybeFail('DescribeInstances');
        let instances = [...this.instances.values()];
        if (input.InstanceIds && input.InstanceIds.length > 0) {
          const missing = input.InstanceIds.filter((id) => !this.instances.has(id));
          if (missing.length === 1)
            throw awsClientError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
          if (missing.length > 1)
            throw awsClientError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
          const wanted = new Set(input.InstanceIds);
          instances = instances.filter((instance) => wanted.has(instance.instanceId));
        }
        instances = applyFilters(instances, input.Filters, {
          fields: {
            'instance-id': (instance) => [instance.instanceId],
            'instance-state-name': (instance) => [instance.state],
            'vpc-id': (instance) => this.interfacesOf(instance).map((eni) => eni.vpcId),
            'instance.group-id': (instance) => this.interfacesOf(instance).flatMap((eni) => eni.groupIds),
            'network-interface.network-interface-id': (instance) => instance.interfaceIds,
          },
          tags: (instance) => instance.tags,
        });
        // One reservation per instance, as when each was launched on its own.
        return {
          Reservations: instances.map((instance, index) => ({
            ReservationId: `r-${(index + 1).toString(16).padStart(17, '0')}`,
            OwnerId: this.accountId,
            Instances: [this.describeInstance(instance)],
          })),
        };
      });

    mock
      .on(DescribeInstanceAttributeCommand)
      .callsFake((input: DescribeInstanceAttributeCommandInput): Out<DescribeInstanceAttributeCommandOutput> => {
        this.maybeFail('DescribeInstanceAttribute');
        const instance = this.findInstance(input.InstanceId);
        const InstanceId = instance.instanceId;
        switch (input.Attribute) {
          case 'disableApiTermination':
            return { InstanceId, DisableApiTermination: { Value: instance.disableApiTermination } };
          case 'disableApiStop':
            return { InstanceId, DisableApiStop: { Value: instance.disableApiStop } };
          case 'instanceInitiatedShutdownBehavior':
            return { InstanceId, InstanceInitiatedShutdownBehavior: { Value: instance.shutdownBehavior } };
          case 'rootDeviceName':
            return { InstanceId, RootDeviceName: { Value: instance.rootDeviceName } };
          case 'blockDeviceMapping':
            return {
              InstanceId,
              BlockDeviceMappings: instance.volumes.map((volume) => ({
                DeviceName: volume.deviceName,
                Ebs: { VolumeId: volume.volumeId, DeleteOnTermination: volume.deleteOnTermination, Status: 'attached' },
              })),
            };
          default:
            throw notModelled(`DescribeInstanceAttribute of ${input.Attribute}`);
        }
      });

    mock.on(ModifyInstanceAttributeCommand).callsFake((input: ModifyInstanceAttributeCommandInput) => {
      this.maybeFail('ModifyInstanceAttribute');
      this.modifyInstanceAttribute(input);
      return {};
    });

    mock
      .on(DescribeNetworkInterfacesCommand)
      .callsFake((input: DescribeNetworkInterfacesCommandInput): Out<DescribeNetworkInterfacesCommandOutput> => {
        this.maybeFail('DescribeNetworkInterfaces');
        const enis =
          input.NetworkInterfaceIds && input.NetworkInterfaceIds.length > 0
            ? input.NetworkInterfaceIds.map((id) => this.findInterface(id))
            : [...this.interfaces.values()];
        const matching = applyFilters(enis, input.Filters, {
          fields: {
            'attachment.instance-id': (eni) => [eni.instanceId],
            'network-interface-id': (eni) => [eni.networkInterfaceId],
            'vpc-id': (eni) => [eni.vpcId],
            'subnet-id': (eni) => [eni.subnetId],
            'group-id': (eni) => eni.groupIds,
          },
        });
        return { NetworkInterfaces: matching.map((eni) => this.describeInterface(eni)) };
      });

    mock.on(ModifyNetworkInterfaceAttributeCommand).callsFake((input: ModifyNetworkInterfaceAttributeCommandInput) => {
      this.maybeFail('ModifyNetworkInterfaceAttribute');
      const eni = this.findInterface(input.NetworkInterfaceId);
      if (input.Groups === undefined) throw notModelled('ModifyNetworkInterfaceAttribute without Groups');
      eni.groupIds = this.groupsForInterface(eni, input.Groups);
      return {};
    });

    mock
      .on(DescribeSecurityGroupsCommand)
      .callsFake((input: DescribeSecurityGroupsCommandInput): Out<DescribeSecurityGroupsCommandOutput> => {
        this.maybeFail('DescribeSecurityGroups');
        if (input.GroupNames && input.GroupNames.length > 0)
          throw notModelled('DescribeSecurityGroups by GroupNames (default VPC only); filter on group-name');
        const groups =
          input.GroupIds && input.GroupIds.length > 0
            ? [...new Set(input.GroupIds)].map((id) => this.findGroup(id))
            : [...this.securityGroups.values()];
        const matching = applyFilters(groups, input.Filters, {
          fields: {
            'group-id': (group) => [group.groupId],
            'group-name': (group) => [group.groupName],
            'vpc-id': (group) => [group.vpcId],
            description: (group) => [group.description],
            'owner-id': () => [this.accountId],
          },
          tags: (group) => group.tags,
        });
        return { SecurityGroups: matching.map((group) => this.describeGroup(group)) };
      });

    mock
      .on(CreateSecurityGroupCommand)
      .callsFake((input: CreateSecurityGroupCommandInput): Out<CreateSecurityGroupCommandOutput> => {
        this.maybeFail('CreateSecurityGroup');
        if (!input.GroupName)
          throw awsClientError('MissingParameter', 'The request must contain the parameter groupName');
        if (!input.Description)
          throw awsClientError('MissingParameter', 'The request must contain the parameter groupDescription');
        if (!input.VpcId) throw awsClientError('VPCIdNotSpecified', 'No default VPC for this user');
        if (!this.vpcs.has(input.VpcId))
          throw awsClientError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
        if (input.GroupName.toLowerCase() === 'default')
          throw awsClientError('InvalidGroup.Reserved', "The security group name 'default' is reserved");
        if (this.findSecurityGroup(input.VpcId, input.GroupName)) {
          throw awsClientError(
            'InvalidGroup.Duplicate',
            `The security group '${input.GroupName}' already exists for VPC '${input.VpcId}'`,
          );
        }
        const tags = tagsFor(input.TagSpecifications, 'security-group');
        const groupId = this.addSecurityGroup({
          groupName: input.GroupName,
          vpcId: input.VpcId,
          description: input.Description,
          tags,
        });
        return {
          GroupId: groupId,
          Tags: tagList(tags),
          SecurityGroupArn: `arn:aws:ec2:${this.region}:${this.accountId}:security-group/${groupId}`,
        };
      });

    mock.on(AuthorizeSecurityGroupIngressCommand).callsFake((input: AuthorizeSecurityGroupIngressCommandInput) => {
      this.maybeFail('AuthorizeSecurityGroupIngress');
      return this.authorize('ingress', input);
    });
    mock
      .on(AuthorizeSecurityGroupEgressCommand)
      .callsFake((input: AuthorizeSecurityGroupEgressCommandInput): Out<AuthorizeSecurityGroupEgressCommandOutput> => {
        this.maybeFail('AuthorizeSecurityGroupEgress');
        return this.authorize('egress', input);
      });
    mock.on(RevokeSecurityGroupIngressCommand).callsFake((input: RevokeSecurityGroupIngressCommandInput) => {
      this.maybeFail('RevokeSecurityGroupIngress');
      return this.revoke('ingress', input);
    });
    mock
      .on(RevokeSecurityGroupEgressCommand)
      .callsFake((input: RevokeSecurityGroupEgressCommandInput): Out<RevokeSecurityGroupEgressCommandOutput> => {
        this.maybeFail('RevokeSecurityGroupEgress');
        return this.revoke('egress', input);
      });

    mock
      .on(DescribeIamInstanceProfileAssociationsCommand)
      .callsFake(
        (
          input: DescribeIamInstanceProfileAssociationsCommandInput,
        ): Out<DescribeIamInstanceProfileAssociationsCommandOutput> => {
          this.maybeFail('DescribeIamInstanceProfileAssociations');
          let associated = [...this.instances.values()].filter((instance) => instance.associationId !== undefined);
          if (input.AssociationIds && input.AssociationIds.length > 0) {
            const wanted = new Set(input.AssociationIds);
            const missing = [...wanted].find((id) => !associated.some((instance) => instance.associationId === id));
            if (missing !== undefined)
              throw awsClientError('InvalidAssociationID.NotFound', `An association ID '${missing}' does not exist`);
            associated = associated.filter((instance) => wanted.has(instance.associationId ?? ''));
          }
          const matching = applyFilters(associated, input.Filters, {
            fields: { 'instance-id': (instance) => [instance.instanceId], state: () => ['associated'] },
          });
          return {
            IamInstanceProfileAssociations: matching.map((instance) => this.association(instance, 'associated')),
          };
        },
      );

    mock
      .on(DisassociateIamInstanceProfileCommand)
      .callsFake(
        (input: DisassociateIamInstanceProfileCommandInput): Out<DisassociateIamInstanceProfileCommandOutput> => {
          this.maybeFail('DisassociateIamInstanceProfile');
          const instance = [...this.instances.values()].find(
            (candidate) => candidate.associationId !== undefined && candidate.associationId === input.AssociationId,
          );
          if (!instance)
            throw awsClientError(
              'InvalidAssociationID.NotFound',
              `An association ID '${input.AssociationId}' does not exist`,
            );
          const association = this.association(instance, 'disassociating');
          delete instance.instanceProfileArn;
          delete instance.associationId;
          return { IamInstanceProfileAssociation: association };
        },
      );

    mock
      .on(AssociateIamInstanceProfileCommand)
      .callsFake((input: AssociateIamInstanceProfileCommandInput): Out<AssociateIamInstanceProfileCommandOutput> => {
        this.maybeFail('AssociateIamInstanceProfile');
        const instance = this.findInstance(input.InstanceId);
        if (instance.associationId !== undefined) {
          throw awsClientError(
            'IncorrectState',
            `There is an existing association for instance ${instance.instanceId}`,
          );
        }
        if (instance.state === 'terminated')
          throw awsClientError(
            'IncorrectInstanceState',
            `The instance '${instance.instanceId}' is not in a valid state for this operation.`,
          );
        const profile = input.IamInstanceProfile;
        const arn =
          profile?.Arn ??
          (profile?.Name === undefined ? undefined : `arn:aws:iam::${this.accountId}:instance-profile/${profile.Name}`);
        if (arn === undefined)
          throw awsClientError('MissingParameter', 'The request must contain the parameter iamInstanceProfile');
        instance.instanceProfileArn = arn;
        instance.associationId = this.newId('iip-assoc');
        return { IamInstanceProfileAssociation: this.association(instance, 'associating') };
      });

    mock
      .on(CreateSnapshotsCommand)
      .callsFake((input: CreateSnapshotsCommandInput): Out<CreateSnapshotsCommandOutput> => {
        this.maybeFail('CreateSnapshots');
        const specification = input.InstanceSpecification;
        const instance = this.findInstance(specification?.InstanceId);
        const excluded = new Set(specification?.ExcludeDataVolumeIds ?? []);
        const boot = instance.volumes.find((volume) => volume.deviceName === instance.rootDeviceName);
        if (boot && excluded.has(boot.volumeId)) {
          throw awsClientError(
            'InvalidParameterValue',
            `The root volume '${boot.volumeId}' cannot be excluded with ExcludeDataVolumeIds; use ExcludeBootVolume.`,
          );
        }
        for (const volumeId of excluded) {
          if (!instance.volumes.some((volume) => volume.volumeId === volumeId)) {
            throw awsClientError(
              'InvalidParameterValue',
              `The volume '${volumeId}' is not attached to instance '${instance.instanceId}'.`,
            );
          }
        }
        const specified = tagsFor(input.TagSpecifications, 'snapshot');
        const startTime = new Date();
        const created = instance.volumes
          .filter((volume) => !excluded.has(volume.volumeId) && !(specification?.ExcludeBootVolume && volume === boot))
          .map((volume): FakeSnapshot => {
            const snapshot: FakeSnapshot = {
              snapshotId: this.newId('snap', this.snapshots),
              volumeId: volume.volumeId,
              instanceId: instance.instanceId,
              state: 'pending',
              startTime,
              ownerId: this.accountId,
              tags: { ...(input.CopyTagsFromSource === 'volume' ? volume.tags : {}), ...specified },
              encrypted: volume.encrypted ?? false,
              createVolumePermissions: [],
            };
            if (input.Description !== undefined) snapshot.description = input.Description;
            this.snapshots.set(snapshot.snapshotId, snapshot);
            return snapshot;
          });
        return { Snapshots: created.map((snapshot) => ({ ...this.describeSnapshot(snapshot), Progress: '' })) };
      });

    mock
      .on(DescribeSnapshotsCommand)
      .callsFake((input: DescribeSnapshotsCommandInput): Out<DescribeSnapshotsCommandOutput> => {
        this.maybeFail('DescribeSnapshots');
        let snapshots =
          input.SnapshotIds && input.SnapshotIds.length > 0
            ? [...new Set(input.SnapshotIds)].map((id) => this.findSnapshot(id))
            : [...this.snapshots.values()];
        if (input.OwnerIds && input.OwnerIds.length > 0) {
          const owners = new Set(input.OwnerIds.map((owner) => (owner === 'self' ? this.accountId : owner)));
          snapshots = snapshots.filter((snapshot) => owners.has(snapshot.ownerId));
        }
        if (input.RestorableByUserIds && input.RestorableByUserIds.length > 0) {
          // 'all': public snapshots; 'self': the fake's account owns it or is given a permission; an account id: given one.
          const restorable = new Set(input.RestorableByUserIds);
          snapshots = snapshots.filter(
            (snapshot) =>
              (restorable.has('self') && snapshot.ownerId === this.accountId) ||
              (snapshot.createVolumePermissions ?? []).some((permission) =>
                permission.group === 'all'
                  ? restorable.has('all')
                  : restorable.has(permission.userId ?? '') ||
                    (restorable.has('self') && permission.userId === this.accountId),
              ),
          );
        }
        const matching = applyFilters(snapshots, input.Filters, {
          fields: {
            'snapshot-id': (snapshot) => [snapshot.snapshotId],
            'volume-id': (snapshot) => [snapshot.volumeId],
            status: (snapshot) => [snapshot.state],
            'owner-id': (snapshot) => [snapshot.ownerId],
            description: (snapshot) => [snapshot.description],
            encrypted: (snapshot) => [String(snapshot.encrypted ?? false)],
          },
          tags: (snapshot) => snapshot.tags,
        });
        return { Snapshots: matching.map((snapshot) => this.describeSnapshot(snapshot)) };
      });

    mock
      .on(DescribeSnapshotAttributeCommand)
      .callsFake((input: DescribeSnapshotAttributeCommandInput): Out<DescribeSnapshotAttributeCommandOutput> => {
        this.maybeFail('DescribeSnapshotAttribute');
        const snapshot = this.findSnapshot(input.SnapshotId);
        switch (input.Attribute) {
          case 'createVolumePermission':
            return {
              SnapshotId: snapshot.snapshotId,
              CreateVolumePermissions: (snapshot.createVolumePermissions ?? []).map((permission) =>
                permission.group === 'all' ? { Group: 'all' as const } : { UserId: permission.userId },
              ),
            };
          case 'productCodes':
            return { SnapshotId: snapshot.snapshotId, ProductCodes: [] };
          default:
            throw awsClientError(
              'InvalidParameterValue',
              `Value (${String(input.Attribute)}) for parameter attribute is invalid.`,
            );
        }
      });

    mock.on(ModifySnapshotAttributeCommand).callsFake((input: ModifySnapshotAttributeCommandInput) => {
      this.maybeFail('ModifySnapshotAttribute');
      this.modifySnapshotAttribute(input);
      return {};
    });

    mock.on(CreateTagsCommand).callsFake((input: CreateTagsCommandInput) => {
      this.maybeFail('CreateTags');
      const tags = tagRecord(input.Tags);
      // Resolve every resource before changing any, as the call is all-or-nothing.
      const targets = (input.Resources ?? []).map((id): { tags?: Record<string, string> } => {
        if (id.startsWith('i-')) return this.findInstance(id);
        if (id.startsWith('snap-')) return this.findSnapshot(id);
        if (id.startsWith('sg-')) return this.findGroup(id);
        if (id.startsWith('vol-')) return this.findVolume(id);
        throw notModelled(`CreateTags on ${id}`);
      });
      for (const target of targets) target.tags = { ...target.tags, ...tags };
      return {};
    });
  }

  private wireAutoScaling(): void {
    const validationError = (message: string) => awsClientError('ValidationError', message);
    const members = (groupName: string | undefined, instanceIds: string[] | undefined): FakeInstance[] => {
      if (!groupName)
        throw validationError(
          "1 validation error detected: Value null at 'autoScalingGroupName' failed to satisfy constraint: Member must not be null",
        );
      const inGroup = [...this.instances.values()].filter((instance) => instance.autoScalingGroup === groupName);
      if (inGroup.length === 0)
        throw validationError(`AutoScalingGroup name not found - AutoScalingGroup '${groupName}' not found`);
      return (instanceIds ?? []).map((id) => {
        const instance = inGroup.find((candidate) => candidate.instanceId === id);
        if (!instance) throw validationError(`The instance ${id} is not part of Auto Scaling group ${groupName}.`);
        return instance;
      });
    };
    let activities = 0;
    const activity = (
      groupName: string,
      description: string,
      cause: string,
      statusCode: Activity['StatusCode'],
      progress: number,
    ): Activity => {
      activities += 1;
      return {
        ActivityId: `00000000-0000-4000-8000-${activities.toString(16).padStart(12, '0')}`,
        AutoScalingGroupName: groupName,
        Description: description,
        Cause: cause,
        StartTime: new Date(),
        StatusCode: statusCode,
        Progress: progress,
        Details: JSON.stringify({ 'Availability Zone': `${this.region}a` }),
      };
    };

    this.autoScalingMock
      .on(DescribeAutoScalingInstancesCommand)
      .callsFake((input: DescribeAutoScalingInstancesCommandInput): Out<DescribeAutoScalingInstancesCommandOutput> => {
        this.maybeFail('DescribeAutoScalingInstances');
        const wanted = input.InstanceIds && input.InstanceIds.length > 0 ? new Set(input.InstanceIds) : undefined;
        const inGroups = [...this.instances.values()].filter(
          (instance) => instance.autoScalingGroup !== undefined && (!wanted || wanted.has(instance.instanceId)),
        );
        return {
          AutoScalingInstances: inGroups.map((instance) => ({
            InstanceId: instance.instanceId,
            AutoScalingGroupName: instance.autoScalingGroup,
            AvailabilityZone: `${this.region}a`,
            LifecycleState: instance.lifecycleState ?? 'InService',
            HealthStatus: 'HEALTHY',
            ProtectedFromScaleIn: false,
          })),
        };
      });

    this.autoScalingMock
      .on(EnterStandbyCommand)
      .callsFake((input: EnterStandbyCommandInput): Out<EnterStandbyCommandOutput> => {
        this.maybeFail('EnterStandby');
        if (input.ShouldDecrementDesiredCapacity === undefined) {
          throw validationError(
            "1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null",
          );
        }
        const instances = members(input.AutoScalingGroupName, input.InstanceIds);
        for (const instance of instances) {
          if (instance.lifecycleState !== 'InService')
            throw validationError(`The instance ${instance.instanceId} is not in InService.`);
        }
        const groupName = input.AutoScalingGroupName ?? '';
        return {
          Activities: instances.map((instance) => {
            instance.lifecycleState = 'Standby';
            const change = input.ShouldDecrementDesiredCapacity ? ', shrinking the capacity' : '';
            return activity(
              groupName,
              `Moving EC2 instance to Standby: ${instance.instanceId}`,
              `At ${new Date().toISOString()} instance ${instance.instanceId} was moved to standby in response to a user request${change}.`,
              'InProgress',
              50,
            );
          }),
        };
      });

    this.autoScalingMock
      .on(ExitStandbyCommand)
      .callsFake((input: ExitStandbyCommandInput): Out<ExitStandbyCommandOutput> => {
        this.maybeFail('ExitStandby');
        const instances = members(input.AutoScalingGroupName, input.InstanceIds);
        for (const instance of instances) {
          if (instance.lifecycleState !== 'Standby')
            throw validationError(`The instance ${instance.instanceId} is not in Standby.`);
        }
        const groupName = input.AutoScalingGroupName ?? '';
        return {
          Activities: instances.map((instance) => {
            instance.lifecycleState = 'InService';
            return activity(
              groupName,
              `Moving EC2 instance out of Standby: ${instance.instanceId}`,
              `At ${new Date().toISOString()} instance ${instance.instanceId} was removed from standby in response to a user request.`,
              'PreInService',
              30,
            );
          }),
        };
      });
  }
}
