import type { ResponderSettings } from '../lambdas/pipeline/responder-settings';
import { SESSION_POLICY_PREFIX } from '../lambdas/actions/support/iam-policy-documents';
import { loadPlaybooks } from '../lib/playbooks';
import { ACTION_CASES, instanceWorld } from '../test/support/action-cases';
import type { FakeEc2 } from '../test/support/fake-ec2';
import type { FakeIam } from '../test/support/fake-iam';
import { editedEvent, loadEvent } from '../test/support/fixtures';
import { responderSettings } from '../test/support/settings';

const playbooks = loadPlaybooks();
const playbook = (id: string) => playbooks.find((candidate) => candidate.id === id)!;

export interface Fakes {
  readonly iam: FakeIam;
  readonly ec2: FakeEc2;
}

export interface Scenario {
  readonly name: string;
  /** What the cost table groups it under. */
  readonly kind: 'IAM' | 'EC2' | 'Config';
  readonly event: () => unknown;
  readonly settings: () => ResponderSettings;
  readonly world: (fakes: Fakes) => void;
  /** True once the containment is effective (the key inactive, every interface on its quarantine group, ...). */
  readonly effective: (fakes: Fakes) => boolean;
  /** EC2: true once the instance role's sessions are denied (the inline deny on the instance profile's role). */
  readonly credentialsDenied?: (fakes: Fakes) => boolean;
  /** The fewest sequential round trips that could make it effective. */
  readonly floor: number;
}

/** The inline deny Firebreak writes on the instance profile's role (every EC2 scenario's role is app-server-role). */
const instanceRoleDenied = ({ iam }: Fakes) =>
  Object.keys(iam.role('app-server-role').policies ?? {}).some((name) => name.startsWith(SESSION_POLICY_PREFIX));

const quarantined = (ec2: FakeEc2, eni: string) => {
  const groups = ec2.groupsOf(eni);
  return groups.length === 1 && ec2.securityGroup(groups[0]!).tags['firebreak:group-role'] === 'quarantine';
};

const THREE_VPC_APP_GROUPS = ['sg-0app00000000000a0', 'sg-0app00000000000a1', 'sg-0app00000000000a2'];

function threeInterfaceWorld({ iam, ec2 }: Fakes): void {
  const vpcs = ['vpc-0fedcba9876543210', 'vpc-0bbbbbbbbbbbbbbb1', 'vpc-0bbbbbbbbbbbbbbb2'];
  const groups = vpcs.map((vpcId, index) =>
    ec2.addSecurityGroup({ groupId: THREE_VPC_APP_GROUPS[index], groupName: `app-${index}`, vpcId }),
  );
  ec2.addInstance({
    instanceId: 'i-0abc123def4567890',
    interfaces: vpcs.map((vpcId, index) => ({
      networkInterfaceId: index === 0 ? 'eni-0f1e2d3c4b5a69788' : `eni-0extra00000000000${index - 1}`,
      vpcId,
      groupIds: [groups[index]!],
    })),
    volumes: ['xvda', 'sdf', 'sdg', 'sdh'].map((device, index) => ({
      volumeId: `vol-0bench000000000${index}`,
      deviceName: `/dev/${device}`,
      deleteOnTermination: true,
    })),
    rootDeviceName: '/dev/xvda',
    instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/app-server-profile',
    shutdownBehavior: 'terminate',
    autoScalingGroup: 'app-asg',
  });
  iam
    .addRole('app-server-role', { id: 'AROAINSTANCEROLE0001' })
    .addInstanceProfile('app-server-profile', 'app-server-role');
}

/** The quarantine and transition groups an earlier incident in the VPC created: the steady state. */
function firebreakGroups(ec2: FakeEc2, vpcId: string): void {
  const all = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }];
  ec2.addSecurityGroup({
    groupName: `firebreak-quarantine-${vpcId}`,
    vpcId,
    egress: [],
    tags: { 'firebreak:group-role': 'quarantine' },
  });
  ec2.addSecurityGroup({
    groupName: `firebreak-transition-${vpcId}`,
    vpcId,
    ingress: all,
    egress: all,
    tags: { 'firebreak:group-role': 'all-traffic-transition' },
  });
}

/** GuardDuty's copy of an Auto Scaling instance carries the tag EC2 Auto Scaling puts on it. */
const autoScalingEvent = () =>
  editedEvent('guardduty/ec2-instance', (event) => {
    event.detail.resource.instanceDetails.tags.push({ key: 'aws:autoscaling:groupName', value: 'app-asg' });
  });

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'IAM user key (AKIA)',
    kind: 'IAM',
    event: () => loadEvent('guardduty/iam-user-long-term-key'),
    settings: () => responderSettings(),
    world: ({ iam }) =>
      void iam.addUser('ci-deploy', {
        id: 'AIDAJQABLZS4A3QDU576Q',
        keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
      }),
    effective: ({ iam }) => iam.user('ci-deploy').keys![0]!.status === 'Inactive',
    floor: 1,
  },
  {
    name: 'Assumed-role session (ASIA)',
    kind: 'IAM',
    event: () => loadEvent('guardduty/assumed-role-session'),
    settings: () => responderSettings(),
    world: ({ iam }) => void iam.addRole('app-server-role', { id: 'AROAR2EXAMPLEJ5VW8PTQ' }),
    effective: ({ iam }) =>
      iam.role('app-server-role').policies?.['firebreak-deny-session-i-0abc123def4567890'] !== undefined,
    floor: 1,
  },
  {
    name: 'EC2 instance in an Auto Scaling group, 1 interface, 2 volumes',
    kind: 'EC2',
    credentialsDenied: instanceRoleDenied,
    event: autoScalingEvent,
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    world: ({ iam, ec2 }) => {
      instanceWorld(iam, ec2);
      firebreakGroups(ec2, 'vpc-0fedcba9876543210');
    },
    effective: ({ ec2 }) => quarantined(ec2, 'eni-0f1e2d3c4b5a69788'),
    // Read the instance, Standby (before isolation, or the group replaces it), then the two swaps.
    floor: 4,
  },
  {
    name: 'EC2 instance, 1 interface, 2 volumes, no Auto Scaling',
    kind: 'EC2',
    credentialsDenied: instanceRoleDenied,
    event: () => loadEvent('guardduty/ec2-instance'),
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    world: ({ iam, ec2 }) => {
      instanceWorld(iam, ec2, { autoScaling: false });
      firebreakGroups(ec2, 'vpc-0fedcba9876543210');
    },
    effective: ({ ec2 }) => quarantined(ec2, 'eni-0f1e2d3c4b5a69788'),
    // Read the instance, then the two swaps of the two-step isolation.
    floor: 3,
  },
  {
    name: 'EC2 instance, 3 interfaces in 3 VPCs, 4 volumes, Auto Scaling',
    kind: 'EC2',
    credentialsDenied: instanceRoleDenied,
    event: () =>
      editedEvent('guardduty/ec2-instance', (event) => {
        const details = event.detail.resource.instanceDetails;
        details.tags.push({ key: 'aws:autoscaling:groupName', value: 'app-asg' });
        const [first] = details.networkInterfaces;
        details.networkInterfaces = [0, 1, 2].map((index) => ({
          ...first,
          networkInterfaceId: index === 0 ? 'eni-0f1e2d3c4b5a69788' : `eni-0extra00000000000${index - 1}`,
          vpcId: ['vpc-0fedcba9876543210', 'vpc-0bbbbbbbbbbbbbbb1', 'vpc-0bbbbbbbbbbbbbbb2'][index],
          securityGroups: [{ groupId: THREE_VPC_APP_GROUPS[index], groupName: `app-${index}` }],
        }));
      }),
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    world: (fakes) => {
      threeInterfaceWorld(fakes);
      for (const vpcId of ['vpc-0fedcba9876543210', 'vpc-0bbbbbbbbbbbbbbb1', 'vpc-0bbbbbbbbbbbbbbb2'])
        firebreakGroups(fakes.ec2, vpcId);
    },
    effective: ({ ec2 }) =>
      ['eni-0f1e2d3c4b5a69788', 'eni-0extra000000000000', 'eni-0extra000000000001'].every((eni) =>
        quarantined(ec2, eni),
      ),
    floor: 4,
  },
  {
    name: 'EC2 instance, first incident in its VPC (groups created)',
    kind: 'EC2',
    credentialsDenied: instanceRoleDenied,
    event: () => loadEvent('guardduty/ec2-instance'),
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    world: ({ iam, ec2 }) => instanceWorld(iam, ec2, { autoScaling: false }),
    effective: ({ ec2 }) => quarantined(ec2, 'eni-0f1e2d3c4b5a69788'),
    // Read, create both groups (create, then rules), then the two swaps.
    floor: 5,
  },
  {
    name: 'Config open security group (restricted-ssh)',
    kind: 'Config',
    event: () => loadEvent('config/restricted-ssh-non-compliant'),
    settings: () => responderSettings({ playbook: playbook('config-restricted-ssh') }),
    world: ({ iam, ec2 }) =>
      ACTION_CASES.find((candidate) => candidate.action === 'ec2-revoke-open-ingress')!.world(iam, ec2),
    effective: ({ ec2 }) =>
      !ec2
        .securityGroup('sg-0123456789abcdef0')
        .ingress.some((rule) => rule.fromPort === 22 && rule.cidrIp === '0.0.0.0/0'),
    // Read the group, then revoke.
    floor: 2,
  },
];
