import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../lambdas/pipeline/handle-event';
import type { ResponderSettings } from '../lambdas/pipeline/responder-settings';
import { createFindingSourceClients } from '../lambdas/aws/finding-source-clients';
import { DynamoDbLedger } from '../lambdas/ledger/dynamodb-ledger';
import { KmsRecordMac } from '../lambdas/ledger/record-mac';
import { withRecordMacs } from '../lambdas/ledger/verified-ledger';
import { prefetchDetector } from '../lambdas/findings/reread-guardduty-finding';
import { FakeGuardDuty } from '../test/support/fake-guardduty';
import { FakeKms, MAC_KEY_ARN } from '../test/support/fake-kms';
import { loadPlaybooks } from '../lib/playbooks';
import { ACTION_CASES, instanceWorld } from '../test/support/action-cases';
import { FakeDynamoDb } from '../test/support/fake-dynamodb';
import { FakeEc2 } from '../test/support/fake-ec2';
import { FakeIam } from '../test/support/fake-iam';
import { editedEvent, loadEvent } from '../test/support/fixtures';
import { responderSettings, testClients } from '../test/support/settings';
import { median, withLatency, type CallLog } from './latency';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbooks = loadPlaybooks();
const playbook = (id: string) => playbooks.find((candidate) => candidate.id === id)!;

interface Fakes {
  readonly iam: FakeIam;
  readonly ec2: FakeEc2;
}

export interface Scenario {
  readonly name: string;
  readonly event: () => unknown;
  readonly settings: () => ResponderSettings;
  readonly world: (fakes: Fakes) => void;
  /** True once the containment is effective (the key inactive, every interface on its quarantine group, ...). */
  readonly effective: (fakes: Fakes) => boolean;
  /** The fewest sequential round trips that could make it effective. */
  readonly floor: number;
}

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
    event: () => loadEvent('guardduty/assumed-role-session'),
    settings: () => responderSettings(),
    world: ({ iam }) => void iam.addRole('app-server-role', { id: 'AROAR2EXAMPLEJ5VW8PTQ' }),
    effective: ({ iam }) =>
      iam.role('app-server-role').policies?.['firebreak-deny-session-i-0abc123def4567890'] !== undefined,
    floor: 1,
  },
  {
    name: 'EC2 instance in an Auto Scaling group, 1 interface, 2 volumes',
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
    event: () => loadEvent('guardduty/ec2-instance'),
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    world: ({ iam, ec2 }) => instanceWorld(iam, ec2, { autoScaling: false }),
    effective: ({ ec2 }) => quarantined(ec2, 'eni-0f1e2d3c4b5a69788'),
    // Read, create both groups (create, then rules), then the two swaps.
    floor: 5,
  },
  {
    name: 'Config open security group (restricted-ssh)',
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

export interface ContainResult {
  readonly scenario: string;
  readonly effectiveMs: number;
  readonly doneMs: number;
  readonly roundTripsToEffective: number;
  readonly floor: number;
  readonly calls: number;
  readonly maxInFlight: number;
  readonly status: string;
}

/** One delivery of the scenario's finding through the real handler, every AWS call `latencyMs` away. */
export async function containOnce(scenario: Scenario, latencyMs: number): Promise<ContainResult> {
  const fakes = { iam: new FakeIam('111122223333'), ec2: new FakeEc2('111122223333') };
  scenario.world(fakes);
  const table = new FakeDynamoDb();
  const test = testClients(fakes.iam, fakes.ec2, table);
  test.sns.on(PublishCommand).resolves({ MessageId: 'm' });
  // As deployed: ledger records signed with the KMS HMAC key, and the finding re-read from GuardDuty before writing.
  const kms = new FakeKms();
  const guardDuty = new FakeGuardDuty();
  const event = scenario.event() as { source?: string; detail?: Record<string, unknown> };
  if (event.source === 'aws.guardduty') await guardDuty.addEventDetail(event.detail as never);
  const log: CallLog = { calls: 0, maxInFlight: 0 };
  const guardDutyClient = guardDuty.clientFor('us-east-1');
  // A warm function: the responder looks its GuardDuty detector up while it starts (respond.ts), before any finding.
  const findingSources = createFindingSourceClients({ homeRegion: 'us-east-1', home: { guardDuty: guardDutyClient } });
  prefetchDetector(guardDutyClient, 'us-east-1');
  await new Promise((resolve) => setTimeout(resolve, 0));
  const started = performance.now();
  let effectiveAt: number | undefined;
  let effectiveDepth: number | undefined;
  const clients = withLatency(
    { ...test.clients, kms: kms.client, guardDuty: guardDutyClient },
    latencyMs,
    (depth) => {
      if (effectiveAt === undefined && scenario.effective(fakes)) {
        effectiveAt = performance.now();
        effectiveDepth = depth;
      }
    },
    log,
  );
  const result = await handleEvent(event, {
    settings: scenario.settings(),
    clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:bench',
    log: quiet,
    ledger: withRecordMacs(
      new DynamoDbLedger(table.client, table.tableName, 400),
      new KmsRecordMac(clients.kms!, MAC_KEY_ARN),
    ),
    findingSources,
    invocationId: 'bench',
  });
  const done = performance.now();
  const effectiveMs = (effectiveAt ?? done) - started;
  return {
    scenario: scenario.name,
    effectiveMs,
    doneMs: done - started,
    roundTripsToEffective: effectiveDepth ?? Number.NaN,
    floor: scenario.floor,
    calls: log.calls,
    maxInFlight: log.maxInFlight,
    status: result.kind === 'handled' ? result.outcome.status : result.kind,
  };
}

export async function timeToContain(latencyMs: number, runs: number): Promise<ContainResult[]> {
  const results: ContainResult[] = [];
  for (const scenario of SCENARIOS) {
    const samples: ContainResult[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await containOnce(scenario, latencyMs));
    const first = samples[0]!;
    results.push({
      ...first,
      effectiveMs: median(samples.map((sample) => sample.effectiveMs)),
      doneMs: median(samples.map((sample) => sample.doneMs)),
      roundTripsToEffective: median(samples.map((sample) => sample.roundTripsToEffective)),
    });
  }
  return results;
}
