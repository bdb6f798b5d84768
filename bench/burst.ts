import { randomUUID } from 'node:crypto';
import { createFindingSourceClients } from '../lambdas/aws/finding-source-clients';
import { prefetchDetector } from '../lambdas/findings/reread-guardduty-finding';
import { DynamoDbLedger } from '../lambdas/ledger/dynamodb-ledger';
import { KmsRecordMac } from '../lambdas/ledger/record-mac';
import { withRecordMacs } from '../lambdas/ledger/verified-ledger';
import type { ResponderSettings } from '../lambdas/pipeline/responder-settings';
import { handleEvent } from '../lambdas/pipeline/handle-event';
import { loadPlaybooks } from '../lib/playbooks';
import { FakeDynamoDb } from '../test/support/fake-dynamodb';
import { FakeEc2 } from '../test/support/fake-ec2';
import { FakeGuardDuty } from '../test/support/fake-guardduty';
import { FakeIam } from '../test/support/fake-iam';
import { FakeKms, MAC_KEY_ARN } from '../test/support/fake-kms';
import { editedEvent } from '../test/support/fixtures';
import { responderSettings } from '../test/support/settings';
import { meteredTable } from './dynamodb-units';
import { invokeAsync, type AsyncInvokeSettings } from './lambda-async';
import { countingLogger } from './log-bytes';
import { recordingTopic } from './recording-topic';
import { SimulatedAws, type Environment, type RecordedCall } from './simulated-aws';
import { THROTTLING_ERROR_NAMES } from './throttle-responses';
import { minimumMsFor } from './token-bucket';
import { TOPIC_ARN } from './time-to-contain';
import { VirtualClock } from './virtual-clock';
import { checkWriteOrder, writeKindOf, type OrderCheck } from './write-order';

/** The deployed responders' invocation settings and the breaker the burst runs with. */
export interface BurstOptions {
  readonly latencyMs: number;
  readonly invoke: Omit<AsyncInvokeSettings, 'retryDelaysMs'>;
  readonly breaker: ResponderSettings['breaker'];
  /** Why this breaker (the default, or a documented value). */
  readonly breakerNote: string;
  readonly seed?: number;
}

export interface BucketBound {
  readonly bucket: string;
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly granted: number;
  readonly refused: number;
  /** The least time its granted requests need: the first `capacity` at once, the rest at the refill rate. */
  readonly minimumMs: number;
}

export interface BurstResult {
  readonly deliveries: number;
  readonly incidents: number;
  readonly reservedConcurrency: number;
  readonly breaker: ResponderSettings['breaker'];
  readonly breakerNote: string;
  readonly latencyMs: number;
  readonly invocations: number;
  /** Invocations that threw or timed out: Lambda retried them (after 1 and 2 minutes) or sent them to the DLQ. */
  readonly failedInvocations: number;
  readonly timedOutInvocations: number;
  readonly contained: number;
  /** Incidents neither contained nor told to anyone (no message published for them). */
  readonly lost: number;
  /** Events whose 3 attempts all failed: what the dead-letter queue holds at the end. */
  readonly leftInDlq: number;
  /** Snapshots of a volume beyond its first, and Firebreak security groups of a VPC beyond one per role. */
  readonly duplicateEffects: number;
  /** Messages about an incident beyond its first. */
  readonly duplicateNotifications: number;
  /** How each delivery ended: the outcome status, or the error that made the invocation fail. */
  readonly deliveryOutcomes: Readonly<Record<string, number>>;
  /** Attempts answered with RequestLimitExceeded or Throttling, by service. */
  readonly throttlingErrors: number;
  readonly throttlingErrorsByService: Readonly<Record<string, number>>;
  /** Retries the SDK made ($metadata.attempts - 1, summed), and the calls that still failed after 3 attempts. */
  readonly sdkRetries: number;
  readonly callsThrottledOut: number;
  /** Every throttling error was either retried by the SDK or ended a call after its last attempt. */
  readonly retriesAccountedFor: boolean;
  /** From the first delivery to the last answer of any call (re-deliveries and Lambda's retries included). */
  readonly totalMs: number;
  /** From the first delivery until the last incident's last containment write was answered. */
  readonly allContainedMs: number;
  /** The least time the token buckets allow for the requests they let through (the slowest bucket). */
  readonly tokenBucketMinimumMs: number;
  readonly slowestBucket: BucketBound | undefined;
  /** The least time the reserved concurrency allows: each function's invocations' round trips, 5 at a time. */
  readonly concurrencyMinimumMs: number;
  readonly minimumMs: number;
  readonly ratioToMinimum: number;
  readonly buckets: readonly BucketBound[];
  readonly writeOrder: OrderCheck;
  readonly writesByService: Readonly<Record<string, number>>;
}

const ACCOUNT = '111122223333';
const VPC = 'vpc-0fedcba9876543210';
const INSTANCES = 200;
const USERS = 100;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

interface Delivery {
  readonly event: unknown;
  readonly findingId: string;
  readonly playbook: 'ec2' | 'iam';
}

/**
 * 1,000 deliveries in one account: 200 EC2 instances (half in an Auto Scaling group, each with its own instance
 * profile) delivered 3 times each, 100 IAM users delivered 4 times, in random order, through the two deployed
 * responders (EC2 and IAM playbooks), each at its reserved concurrency, invoked asynchronously as Lambda does (2
 * retries a minute then two minutes apart, then the DLQ), against the fakes behind real SDK clients, with per-API
 * token buckets answering over-limit calls with the real throttling errors. As deployed: GuardDuty re-read, ledger
 * records MACed with KMS. Runs in virtual time.
 */
export async function burst(options: BurstOptions): Promise<BurstResult> {
  const iam = new FakeIam(ACCOUNT);
  const ec2 = new FakeEc2(ACCOUNT);
  const table = new FakeDynamoDb();
  const metered = meteredTable(table);
  const topic = recordingTopic();
  const kms = new FakeKms();
  const guardDuty = new FakeGuardDuty();
  ec2.addVpc(VPC);
  const appGroup = ec2.addSecurityGroup({ groupName: 'app', vpcId: VPC });
  const deliveries: Delivery[] = [];
  for (let n = 0; n < INSTANCES; n += 1) {
    const instanceId = `i-0${pad(n, 16)}`;
    const eni = `eni-0${pad(n, 16)}`;
    const inGroup = n % 2 === 0;
    iam
      .addRole(`role-${pad(n, 4)}`, { id: `AROABURST${pad(n, 12)}` })
      .addInstanceProfile(`profile-${pad(n, 4)}`, `role-${pad(n, 4)}`);
    ec2.addInstance({
      instanceId,
      interfaces: [{ networkInterfaceId: eni, vpcId: VPC, groupIds: [appGroup] }],
      volumes: [
        { volumeId: `vol-0${pad(n, 15)}a`, deviceName: '/dev/xvda', deleteOnTermination: true },
        { volumeId: `vol-0${pad(n, 15)}b`, deviceName: '/dev/sdf', deleteOnTermination: true },
      ],
      rootDeviceName: '/dev/xvda',
      instanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/profile-${pad(n, 4)}`,
      ...(inGroup ? { autoScalingGroup: 'app-asg' } : {}),
    });
    const findingId = `burst-instance-${pad(n, 4)}`;
    const event = editedEvent('guardduty/ec2-instance', (e) => {
      e.detail.id = findingId;
      const details = e.detail.resource.instanceDetails;
      details.instanceId = instanceId;
      details.iamInstanceProfile.arn = `arn:aws:iam::${ACCOUNT}:instance-profile/profile-${pad(n, 4)}`;
      const [first] = details.networkInterfaces;
      details.networkInterfaces = [
        { ...first, networkInterfaceId: eni, vpcId: VPC, securityGroups: [{ groupId: appGroup, groupName: 'app' }] },
      ];
      if (inGroup) details.tags.push({ key: 'aws:autoscaling:groupName', value: 'app-asg' });
    }) as { detail: Record<string, unknown> };
    await guardDuty.addEventDetail(event.detail as never);
    for (let copy = 0; copy < 3; copy += 1) deliveries.push({ event, findingId, playbook: 'ec2' });
  }
  for (let n = 0; n < USERS; n += 1) {
    const userName = `user-${pad(n, 4)}`;
    iam.addUser(userName, { id: `AIDABURST${pad(n, 12)}`, keys: [{ id: `AKIABURST${pad(n, 11)}`, status: 'Active' }] });
    const findingId = `burst-user-${pad(n, 4)}`;
    const event = editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.detail.id = findingId;
      e.detail.resource.accessKeyDetails = {
        accessKeyId: `AKIABURST${pad(n, 11)}`,
        principalId: `AIDABURST${pad(n, 12)}`,
        userName,
        userType: 'IAMUser',
      };
    }) as { detail: Record<string, unknown> };
    await guardDuty.addEventDetail(event.detail as never);
    for (let copy = 0; copy < 4; copy += 1) deliveries.push({ event, findingId, playbook: 'iam' });
  }
  shuffle(deliveries, options.seed ?? 7);

  const aws = new SimulatedAws(
    {
      iam: iam.client,
      ec2: ec2.ec2Client,
      autoScaling: ec2.autoScalingClient,
      dynamodb: metered.answering,
      sns: topic.answering,
      kms: kms.client,
      guardDuty: guardDuty.clientFor('us-east-1'),
    },
    { latencyMs: options.latencyMs, throttle: true },
  );
  const playbooks = loadPlaybooks();
  const settingsOf = (id: string) =>
    responderSettings({ playbook: playbooks.find((playbook) => playbook.id === id)!, breaker: options.breaker });
  const settings = { ec2: settingsOf('compromised-ec2-instance'), iam: settingsOf('compromised-iam-credentials') };
  const invokeSettings: AsyncInvokeSettings = { ...options.invoke, retryDelaysMs: [60_000, 120_000] };
  const outcomes: Record<string, number> = {};
  const depths: Record<'ec2' | 'iam', number[]> = { ec2: [], iam: [] };

  const clock = new VirtualClock(Date.parse('2026-12-03T10:00:00.000Z')).install();
  const restoreRandom = seedRandom(options.seed ?? 7);
  const started = performance.now();
  try {
    const responder = (playbook: 'ec2' | 'iam') => {
      const environments = Array.from({ length: options.invoke.concurrency }, () =>
        warmEnvironment(aws, settings[playbook], table.tableName),
      );
      return invokeAsync(
        deliveries.filter((delivery) => delivery.playbook === playbook),
        invokeSettings,
        async (delivery, index) => {
          const { environment, deps } = environments[index]!;
          environment.tag = delivery.findingId;
          environment.deepest = 0;
          try {
            const result = await handleEvent(delivery.event, { ...deps, invocationId: randomUUID() });
            const status = result.kind === 'handled' ? result.outcome.status : result.kind;
            outcomes[status] = (outcomes[status] ?? 0) + 1;
          } catch (error) {
            const name = (error as Error).name || 'Error';
            outcomes[`threw ${name}`] = (outcomes[`threw ${name}`] ?? 0) + 1;
            throw error;
          } finally {
            depths[playbook].push(environment.deepest);
            environment.tag = undefined;
          }
        },
      );
    };
    const [ec2Result, iamResult] = await clock.run(Promise.all([responder('ec2'), responder('iam')]));
    const totalMs = performance.now() - started;

    const calls = aws.calls.filter((call) => call.tag !== undefined);
    const containedIds = containedIncidents(iam, ec2);
    const told = new Map<string, number>();
    for (const call of calls)
      if (call.operation === 'Publish' && call.error === undefined) told.set(call.tag!, (told.get(call.tag!) ?? 0) + 1);
    const incidents = [...new Set(deliveries.map((delivery) => delivery.findingId))];
    const buckets = aws.bucketStats().map((stats) => ({
      ...stats,
      minimumMs: minimumMsFor(stats.granted, stats.capacity, stats.refillPerSecond),
    }));
    const slowestBucket = [...buckets].sort((a, b) => b.minimumMs - a.minimumMs)[0];
    const tokenBucketMinimumMs = slowestBucket?.minimumMs ?? 0;
    const concurrencyMinimumMs = Math.max(
      ...(['ec2', 'iam'] as const).map(
        (playbook) =>
          (depths[playbook].reduce((total, depth) => total + depth, 0) * options.latencyMs) /
          options.invoke.concurrency,
      ),
    );
    const minimumMs = Math.max(tokenBucketMinimumMs, concurrencyMinimumMs);
    const throttlingErrorsByService: Record<string, number> = {};
    for (const call of calls)
      if (call.throttled > 0)
        throttlingErrorsByService[call.service] = (throttlingErrorsByService[call.service] ?? 0) + call.throttled;
    const throttlingErrors = Object.values(throttlingErrorsByService).reduce((total, count) => total + count, 0);
    const sdkRetries = calls.reduce((total, call) => total + Math.max(0, call.attempts - 1), 0);
    const callsThrottledOut = calls.filter((call) => call.error && THROTTLING_ERROR_NAMES.has(call.error)).length;
    const writesByService: Record<string, number> = {};
    for (const call of calls)
      if (isWrite(call)) writesByService[call.service] = (writesByService[call.service] ?? 0) + 1;

    return {
      deliveries: deliveries.length,
      incidents: incidents.length,
      reservedConcurrency: options.invoke.concurrency,
      breaker: options.breaker,
      breakerNote: options.breakerNote,
      latencyMs: options.latencyMs,
      invocations: ec2Result.invocations + iamResult.invocations,
      failedInvocations: ec2Result.failedInvocations + iamResult.failedInvocations,
      timedOutInvocations: ec2Result.timedOut + iamResult.timedOut,
      contained: incidents.filter((id) => containedIds.has(id)).length,
      lost: incidents.filter((id) => !containedIds.has(id) && !told.has(id)).length,
      leftInDlq: ec2Result.deadLetters.length + iamResult.deadLetters.length,
      duplicateEffects: duplicateEffects(ec2),
      duplicateNotifications: [...told.values()].reduce((total, count) => total + count - 1, 0),
      deliveryOutcomes: outcomes,
      throttlingErrors,
      throttlingErrorsByService,
      sdkRetries,
      callsThrottledOut,
      retriesAccountedFor: throttlingErrors === sdkRetries + callsThrottledOut,
      totalMs,
      allContainedMs:
        Math.max(
          started,
          ...calls.filter((call) => writeKindOf(call) === 'containment' && !call.error).map((call) => call.answeredAt),
        ) - started,
      tokenBucketMinimumMs,
      slowestBucket,
      concurrencyMinimumMs,
      minimumMs,
      ratioToMinimum: minimumMs > 0 ? totalMs / minimumMs : Number.NaN,
      buckets,
      writeOrder: checkWriteOrder(calls),
      writesByService,
    };
  } finally {
    restoreRandom();
    clock.uninstall();
  }
}

/** An execution environment after its cold start: its clients, ledger and finding sources, the detector looked up. */
function warmEnvironment(aws: SimulatedAws, settings: ResponderSettings, tableName: string) {
  const environment: Environment = aws.environment();
  const { clients } = environment;
  const findingSources = createFindingSourceClients({ homeRegion: 'us-east-1', home: clients });
  prefetchDetector(clients.guardDuty!, 'us-east-1');
  const { logger } = countingLogger(settings.playbook.id, settings.playbook.mode, randomUUID());
  const deps = {
    settings,
    clients,
    topicArn: TOPIC_ARN,
    log: logger,
    ledger: withRecordMacs(
      new DynamoDbLedger(clients.dynamodb, tableName, settings.ledgerRetentionDays),
      new KmsRecordMac(clients.kms!, MAC_KEY_ARN),
    ),
    findingSources,
  };
  return { environment, deps };
}

/** The finding ids whose containment holds at the end: the key inactive, or every interface on a quarantine group. */
function containedIncidents(iam: FakeIam, ec2: FakeEc2): Set<string> {
  const contained = new Set<string>();
  for (const [name, user] of iam.users)
    if (user.keys?.[0]?.status === 'Inactive') contained.add(`burst-user-${name.replace('user-', '')}`);
  for (const instance of ec2.instances.values()) {
    const quarantined = instance.interfaceIds.every((eni) =>
      ec2.groupsOf(eni).every((group) => ec2.securityGroup(group).tags['firebreak:group-role'] === 'quarantine'),
    );
    if (quarantined) contained.add(`burst-instance-${instance.instanceId.slice(-4)}`);
  }
  return contained;
}

/** Effects that should exist once: a snapshot per volume, a quarantine and a transition group per VPC. */
function duplicateEffects(ec2: FakeEc2): number {
  const count = (keys: readonly string[]) => {
    const seen = new Map<string, number>();
    for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
    return [...seen.values()].reduce((total, n) => total + n - 1, 0);
  };
  const snapshots = count([...ec2.snapshots.values()].map((snapshot) => snapshot.volumeId));
  const groups = count(
    [...ec2.securityGroups.values()]
      .filter((group) => group.tags['firebreak:group-role'] !== undefined)
      .map((group) => `${group.vpcId} ${group.tags['firebreak:group-role']}`),
  );
  return snapshots + groups;
}

const WRITE = /^(Update|Put|Delete|Tag|Create|Modify|Revoke|Authorize|Disassociate|Associate|Enter|Exit|Replace)/;
const isWrite = (call: RecordedCall) =>
  (call.service === 'ec2' || call.service === 'iam' || call.service === 'autoScaling') && WRITE.test(call.operation);

function shuffle<T>(items: T[], seed: number): T[] {
  const random = seeded(seed);
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

/** mulberry32: a small seeded generator, uniform on [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Math.random seeded while the burst runs (the SDK's backoff jitter), so a run can be repeated. */
function seedRandom(seed: number): () => void {
  const original = Math.random;
  Math.random = seeded(seed);
  return () => {
    Math.random = original;
  };
}
