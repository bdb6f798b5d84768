import type { FakeEc2 } from './fake-ec2';
import type { FakeIam } from './fake-iam';
import { loadFinding } from './fixtures';

/** One realistic situation per action, shared by the action tests and the conformance tests. */
export interface ActionCase {
  readonly name: string;
  readonly action: string;
  readonly with?: Record<string, unknown>;
  readonly fixture: string;
  /** A world where the finding's subject exists and nothing is contained. */
  readonly world: (iam: FakeIam, ec2: FakeEc2) => void;
  /** Makes the world already contained for this action. */
  readonly contain: (iam: FakeIam, ec2: FakeEc2) => void;
  /** Reads the contained state from the fakes; true once the action took effect. */
  readonly isContained: (iam: FakeIam, ec2: FakeEc2) => boolean;
  /** The write command that applies the action (the one fault-injected in the SDK-error test). */
  readonly writeCommand: string;
}

const USER = 'ci-deploy';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const ROLE = 'app-server-role';
const ROLE_ID = 'AROAR2EXAMPLEJ5VW8PTQ';
const SESSION = 'i-0abc123def4567890';

const userWorld = (iam: FakeIam) => {
  iam.addUser(USER, { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: KEY, status: 'Active' }] });
};
const roleWorld = (iam: FakeIam) => {
  iam.addRole(ROLE, { id: ROLE_ID });
};
const denyBefore = (time: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': time } } },
    ],
  });

export const INSTANCE = 'i-0abc123def4567890';
export const VPC = 'vpc-0fedcba9876543210';
export const APP_SG = 'sg-0a1b2c3d4e5f67890';
export const ENI = 'eni-0f1e2d3c4b5a69788';
const INSTANCE_ROLE_ID = 'AROAINSTANCEROLE0001';
const OPEN_SG = 'sg-0123456789abcdef0';
function hasSecurityGroup(ec2: FakeEc2, groupId: string): boolean {
  try {
    ec2.securityGroup(groupId);
    return true;
  } catch {
    return false;
  }
}
const CONFIG_SSH_FINDING = loadFinding('config/restricted-ssh-non-compliant').id;
const DEFAULT_SG = 'sg-0d0d0d0d0d0d0d0d0';
const PUBLIC_SNAPSHOT = 'snap-0abcabcabcabcabc0';

/** The instance of guardduty/ec2-instance: one interface, two volumes, an instance profile, in an Auto Scaling group. */
export const instanceWorld = (iam: FakeIam, ec2: FakeEc2, options: { autoScaling?: boolean } = {}) => {
  ec2.addVpc(VPC);
  ec2.addSecurityGroup({ groupId: APP_SG, groupName: 'app-server-sg', vpcId: VPC });
  ec2.addInstance({
    instanceId: INSTANCE,
    interfaces: [{ networkInterfaceId: ENI, vpcId: VPC, groupIds: [APP_SG] }],
    volumes: [
      { volumeId: 'vol-0aaaaaaaaaaaaaaa1', deviceName: '/dev/xvda', deleteOnTermination: true },
      { volumeId: 'vol-0bbbbbbbbbbbbbbb2', deviceName: '/dev/sdf', deleteOnTermination: true },
    ],
    rootDeviceName: '/dev/xvda',
    instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/app-server-profile',
    shutdownBehavior: 'terminate',
    tags: { Name: 'app-server-1' },
    ...(options.autoScaling === false ? {} : { autoScalingGroup: 'app-asg' }),
  });
  iam.addRole('app-server-role', { id: INSTANCE_ROLE_ID }).addInstanceProfile('app-server-profile', 'app-server-role');
};

const quarantineGroup = (ec2: FakeEc2) =>
  ec2.addSecurityGroup({
    groupName: `firebreak-quarantine-${VPC}`,
    vpcId: VPC,
    egress: [],
    tags: { 'firebreak:group-role': 'quarantine' },
  });

export const ACTION_CASES: readonly ActionCase[] = [
  {
    name: 'deactivate the long-term key of an IAM user',
    action: 'iam-deactivate-access-key',
    fixture: 'guardduty/iam-user-long-term-key',
    world: userWorld,
    contain: (iam) => (iam.user(USER).keys![0]!.status = 'Inactive'),
    isContained: (iam) => iam.user(USER).keys![0]!.status === 'Inactive',
    writeCommand: 'UpdateAccessKey',
  },
  {
    name: "deny an IAM user's older sessions",
    action: 'iam-revoke-user-sessions',
    fixture: 'guardduty/iam-user-long-term-key',
    world: userWorld,
    contain: (iam) =>
      (iam.user(USER).policies = { 'firebreak-deny-sessions-issued-before': denyBefore('2026-11-20T09:00:00Z') }),
    isContained: (iam) => iam.user(USER).policies?.['firebreak-deny-sessions-issued-before'] !== undefined,
    writeCommand: 'PutUserPolicy',
  },
  {
    name: 'deny one role session',
    action: 'iam-revoke-role-sessions',
    fixture: 'guardduty/assumed-role-session',
    world: roleWorld,
    contain: (iam) =>
      (iam.role(ROLE).policies = {
        [`firebreak-deny-session-${SESSION}`]: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'FirebreakDenyOneSession',
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { StringEquals: { 'aws:userid': `${ROLE_ID}:${SESSION}` } },
            },
          ],
        }),
      }),
    isContained: (iam) => iam.role(ROLE).policies?.[`firebreak-deny-session-${SESSION}`] !== undefined,
    writeCommand: 'PutRolePolicy',
  },
  {
    name: 'deny every older session of a role',
    action: 'iam-revoke-role-sessions',
    with: { scope: 'all-sessions-before-now' },
    fixture: 'guardduty/assumed-role-session',
    world: roleWorld,
    contain: (iam) =>
      (iam.role(ROLE).policies = { 'firebreak-deny-sessions-issued-before': denyBefore('2026-11-20T14:00:00Z') }),
    isContained: (iam) => iam.role(ROLE).policies?.['firebreak-deny-sessions-issued-before'] !== undefined,
    writeCommand: 'PutRolePolicy',
  },
  {
    name: 'tag an IAM user',
    action: 'iam-tag-principal',
    fixture: 'guardduty/iam-user-long-term-key',
    world: userWorld,
    contain: (iam) => (iam.user(USER).tags = { 'firebreak:finding-id': '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47' }),
    isContained: (iam) => iam.user(USER).tags?.['firebreak:finding-id'] === '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
    writeCommand: 'TagUser',
  },
  {
    name: 'tag a role',
    action: 'iam-tag-principal',
    fixture: 'guardduty/assumed-role-session',
    world: roleWorld,
    contain: (iam) => (iam.role(ROLE).tags = { 'firebreak:finding-id': 'd4cbd7a0c3e24f1b8a6e9c0d2f5b7e18' }),
    isContained: (iam) => iam.role(ROLE).tags?.['firebreak:finding-id'] === 'd4cbd7a0c3e24f1b8a6e9c0d2f5b7e18',
    writeCommand: 'TagRole',
  },
  {
    name: 'record the instance state',
    action: 'ec2-record-instance-state',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: () => undefined,
    isContained: () => true,
    writeCommand: '',
  },
  {
    name: 'protect the instance and its volumes',
    action: 'ec2-protect-evidence',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: (_iam, ec2) => {
      const instance = ec2.instance(INSTANCE);
      Object.assign(instance, { disableApiTermination: true, disableApiStop: true, shutdownBehavior: 'stop' });
      for (const volume of instance.volumes) volume.deleteOnTermination = false;
    },
    isContained: (_iam, ec2) => {
      const instance = ec2.instance(INSTANCE);
      return (
        instance.disableApiTermination &&
        instance.disableApiStop &&
        instance.shutdownBehavior === 'stop' &&
        instance.volumes.every((volume) => !volume.deleteOnTermination)
      );
    },
    writeCommand: 'ModifyInstanceAttribute',
  },
  {
    name: 'move the instance to Standby in its Auto Scaling group',
    action: 'autoscaling-enter-standby',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: (_iam, ec2) => (ec2.instance(INSTANCE).lifecycleState = 'Standby'),
    isContained: (_iam, ec2) => ec2.instance(INSTANCE).lifecycleState === 'Standby',
    writeCommand: 'EnterStandby',
  },
  {
    name: 'isolate the network interfaces',
    action: 'ec2-isolate-network',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: (_iam, ec2) => {
      ec2.interface(ENI).groupIds = [quarantineGroup(ec2)];
    },
    isContained: (_iam, ec2) => {
      const groups = ec2.groupsOf(ENI);
      return groups.length === 1 && ec2.securityGroup(groups[0]!).tags['firebreak:group-role'] === 'quarantine';
    },
    writeCommand: 'ModifyNetworkInterfaceAttribute',
  },
  {
    name: "cut the instance's credentials",
    action: 'ec2-revoke-instance-credentials',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: (iam, ec2) => {
      const instance = ec2.instance(INSTANCE);
      delete instance.instanceProfileArn;
      delete instance.associationId;
      iam.role('app-server-role').policies = {
        [`firebreak-deny-session-${INSTANCE}`]: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'FirebreakDenyOneSession',
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { StringEquals: { 'aws:userid': `${INSTANCE_ROLE_ID}:${INSTANCE}` } },
            },
          ],
        }),
      };
    },
    isContained: (iam, ec2) =>
      ec2.instance(INSTANCE).instanceProfileArn === undefined &&
      iam.role('app-server-role').policies?.[`firebreak-deny-session-${INSTANCE}`] !== undefined,
    writeCommand: 'DisassociateIamInstanceProfile',
  },
  {
    name: 'snapshot every attached volume',
    action: 'ec2-snapshot-volumes',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: (_iam, ec2) => {
      for (const volume of ec2.instance(INSTANCE).volumes) {
        ec2.snapshots.set(`snap-${volume.volumeId.slice(4)}`, {
          snapshotId: `snap-${volume.volumeId.slice(4)}`,
          volumeId: volume.volumeId,
          state: 'completed',
          startTime: new Date(0),
          ownerId: '111122223333',
          tags: { 'firebreak:finding-id': 'e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46', 'firebreak:instance-id': INSTANCE },
        });
      }
    },
    isContained: (_iam, ec2) =>
      ec2
        .instance(INSTANCE)
        .volumes.every((volume) =>
          [...ec2.snapshots.values()].some((snapshot) => snapshot.volumeId === volume.volumeId),
        ),
    writeCommand: 'CreateSnapshots',
  },
  {
    name: 'tag the instance',
    action: 'ec2-tag-instance',
    fixture: 'guardduty/ec2-instance',
    world: instanceWorld,
    contain: (_iam, ec2) => (ec2.instance(INSTANCE).tags['firebreak:finding-id'] = 'e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46'),
    isContained: (_iam, ec2) =>
      ec2.instance(INSTANCE).tags['firebreak:finding-id'] === 'e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46',
    writeCommand: 'CreateTags',
  },
  {
    name: 'revoke the ingress rules open to the internet on the flagged port',
    action: 'ec2-revoke-open-ingress',
    with: { blockedTcpPorts: [22] },
    fixture: 'config/restricted-ssh-non-compliant',
    world: (_iam, ec2) => {
      ec2.addSecurityGroup({
        groupId: OPEN_SG,
        groupName: 'bastion',
        vpcId: VPC,
        ingress: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
          },
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      });
    },
    contain: (_iam, ec2) => {
      ec2.securityGroup(OPEN_SG).ingress = ec2
        .securityGroup(OPEN_SG)
        .ingress.filter((rule) => !(rule.fromPort === 22 && (rule.cidrIp === '0.0.0.0/0' || rule.cidrIpv6 === '::/0')));
    },
    isContained: (_iam, ec2) =>
      !ec2
        .securityGroup(OPEN_SG)
        .ingress.some((rule) => rule.fromPort === 22 && (rule.cidrIp === '0.0.0.0/0' || rule.cidrIpv6 === '::/0')) &&
      ec2.securityGroup(OPEN_SG).ingress.some((rule) => rule.fromPort === 443) &&
      ec2.securityGroup(OPEN_SG).ingress.some((rule) => rule.cidrIp === '10.0.0.0/8'),
    writeCommand: 'RevokeSecurityGroupIngress',
  },
  {
    name: 'tag the flagged security group with the finding',
    action: 'ec2-tag-security-group',
    fixture: 'config/restricted-ssh-non-compliant',
    world: (_iam, ec2) => {
      // The Config worlds are also merged into one (config-playbooks): the group may already be there.
      if (!hasSecurityGroup(ec2, OPEN_SG)) ec2.addSecurityGroup({ groupId: OPEN_SG, groupName: 'bastion', vpcId: VPC });
      ec2.securityGroup(OPEN_SG).tags = { ...ec2.securityGroup(OPEN_SG).tags, team: 'platform' };
    },
    contain: (_iam, ec2) => {
      ec2.securityGroup(OPEN_SG).tags = {
        ...ec2.securityGroup(OPEN_SG).tags,
        'firebreak:finding-id': CONFIG_SSH_FINDING,
      };
    },
    isContained: (_iam, ec2) =>
      ec2.securityGroup(OPEN_SG).tags?.['firebreak:finding-id'] === CONFIG_SSH_FINDING &&
      ec2.securityGroup(OPEN_SG).tags?.['team'] === 'platform',
    writeCommand: 'CreateTags',
  },
  {
    name: 'close a default security group',
    action: 'ec2-close-default-security-group',
    fixture: 'config/vpc-default-security-group-closed-non-compliant',
    world: (_iam, ec2) => {
      // AWS's default rules: all traffic from the group itself in, all traffic out.
      ec2.addSecurityGroup({
        groupId: DEFAULT_SG,
        groupName: 'default',
        vpcId: 'vpc-0d0d0d0d0d0d0d0d0',
        ingress: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: DEFAULT_SG }] }],
      });
    },
    contain: (_iam, ec2) => {
      ec2.securityGroup(DEFAULT_SG).ingress = [];
      ec2.securityGroup(DEFAULT_SG).egress = [];
    },
    isContained: (_iam, ec2) =>
      ec2.securityGroup(DEFAULT_SG).ingress.length + ec2.securityGroup(DEFAULT_SG).egress.length === 0,
    writeCommand: 'RevokeSecurityGroupIngress',
  },
  {
    name: 'deactivate access keys older than the limit',
    action: 'iam-deactivate-stale-keys',
    with: { criterion: 'age', maxDays: 90 },
    fixture: 'config/access-keys-rotated-non-compliant',
    world: (iam) => {
      iam.addUser('legacy-deploy', {
        id: 'AIDAJQABLZS4A3QDU576Q',
        keys: [
          {
            id: 'AKIAOLDKEYEXAMPLE001',
            status: 'Active',
            created: new Date('2025-01-10T00:00:00Z'),
            lastUsed: new Date('2026-11-20T00:00:00Z'),
          },
          { id: 'AKIANEWKEYEXAMPLE002', status: 'Active', created: new Date('2026-11-01T00:00:00Z') },
        ],
      });
    },
    contain: (iam) => (iam.user('legacy-deploy').keys![0]!.status = 'Inactive'),
    isContained: (iam) =>
      iam.user('legacy-deploy').keys![0]!.status === 'Inactive' &&
      iam.user('legacy-deploy').keys![1]!.status === 'Active',
    writeCommand: 'UpdateAccessKey',
  },
  {
    name: "make the account's public snapshots private",
    action: 'ec2-make-snapshots-private',
    fixture: 'config/ebs-snapshot-public-restorable-check-non-compliant',
    world: (_iam, ec2) => {
      ec2.addSnapshot({
        snapshotId: PUBLIC_SNAPSHOT,
        volumeId: 'vol-0ccccccccccccccc3',
        public: true,
        sharedWith: ['444455556666'],
      });
    },
    contain: (_iam, ec2) => {
      ec2.snapshot(PUBLIC_SNAPSHOT).createVolumePermissions = [{ userId: '444455556666' }];
    },
    isContained: (_iam, ec2) =>
      !(ec2.snapshot(PUBLIC_SNAPSHOT).createVolumePermissions ?? []).some((permission) => permission.group === 'all') &&
      (ec2.snapshot(PUBLIC_SNAPSHOT).createVolumePermissions ?? []).some(
        (permission) => permission.userId === '444455556666',
      ),
    writeCommand: 'ModifySnapshotAttribute',
  },
];
