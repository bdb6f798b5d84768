import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../lambdas/aws/aws-clients';
import { createClientFactory, type ClientFactory } from '../../lambdas/aws/client-factory';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import { responderSessionPolicy } from '../../lambdas/pipeline/playbook-permissions';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import type { FindingSources } from '../../lambdas/findings/confirm-finding';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import type { Ledger } from '../../lambdas/ledger/ledger';
import { withRecordMacs } from '../../lambdas/ledger/verified-ledger';
import { loadPlaybooks } from '../../lib/playbooks';
import { ACTION_CASES, instanceWorld } from './action-cases';
import { accessDenied, serverError, throttling, timeout } from './aws-errors';
import { FakeDynamoDb } from './fake-dynamodb';
import { AUTO_SCALING_WRITE_COMMANDS, EC2_WRITE_COMMANDS, FakeEc2 } from './fake-ec2';
import { FakeGuardDuty, FakeSecurityHub } from './fake-guardduty';
import { FakeIam, IAM_WRITE_COMMANDS } from './fake-iam';
import { FakeKms } from './fake-kms';
import { loadEvent } from './fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings } from './settings';

/**
 * The world of the fault matrix (test/engine/fault-injection.test.ts and test/engine/fault-matrix-*.test.ts): every
 * AWS client the deployed responder uses (IAM, EC2, Auto Scaling, the DynamoDB ledger, SNS, the KMS MAC key,
 * GuardDuty and Security Hub as finding sources, Security Hub BatchUpdateFindings, STS for member accounts), each
 * instrumented so that every call is recorded (which delivery made it, whether it took effect, whether its answer
 * reached the engine) and any of them can be failed, and the invariants every run must keep.
 */

export const MEMBER_ACCOUNT = '444455556666';
export const TOPIC = 'arn:aws:sns:us-east-1:111122223333:t';
const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export type Service = 'iam' | 'ec2' | 'autoScaling' | 'dynamodb' | 'sns' | 'kms' | 'guardDuty' | 'securityHub' | 'sts';

export interface Fault {
  readonly name: string;
  /** True: the call fails before it reaches AWS. False: it takes effect and its answer is lost. */
  readonly before: boolean;
  readonly error: () => Error;
}

export const FAULTS: readonly Fault[] = [
  { name: 'throttling', before: true, error: throttling },
  { name: 'AccessDenied', before: true, error: () => accessDenied() },
  { name: '5xx', before: true, error: serverError },
  // The call reaches AWS and takes effect, but the answer is lost.
  { name: 'timeout', before: false, error: timeout },
];

/** One call site of a recorded clean run: the n-th call of a command to a service (counted over the whole run). */
export interface CallSite {
  readonly service: Service;
  readonly command: string;
  /** 'every': an outage of that command for the faulted deliveries (every occurrence fails). */
  readonly occurrence: number | 'every';
}

export interface Injection {
  readonly site: CallSite;
  readonly fault: Fault;
}

export const siteName = (site: CallSite) => `${site.service}:${site.command}#${site.occurrence}`;
export const injectionName = (injection: Injection) => `${siteName(injection.site)} ${injection.fault.name}`;

export interface Call {
  readonly service: Service;
  readonly command: string;
  readonly occurrence: number;
  /** The delivery that made it (AsyncLocalStorage), '(none)' outside one. */
  readonly delivery: string;
  readonly input: Record<string, unknown>;
  readonly startedAt: number;
  endedAt?: number;
  /** The fault injected into this call, if any. */
  fault?: string;
  /** The fake executed it (its effect, if any, took). */
  tookEffect: boolean;
  /** Its answer reached the engine without an error. */
  ok: boolean;
  /** A write to the resources Firebreak contains (IAM, EC2, Auto Scaling write commands). */
  readonly write: boolean;
}

const WRITES = new Set<string>(
  [...IAM_WRITE_COMMANDS, ...EC2_WRITE_COMMANDS, ...AUTO_SCALING_WRITE_COMMANDS].map((command) =>
    command.name.replace(/Command$/, ''),
  ),
);
const TARGET_SERVICES: ReadonlySet<Service> = new Set(['iam', 'ec2', 'autoScaling']);

/** Records every call of the clients it wraps, in order, and fails the calls its injections name. */
export class Probe {
  readonly calls: Call[] = [];
  injections: readonly Injection[] = [];
  /** Paused: calls pass straight through, unrecorded and never failed (the invariant checks read the world). */
  paused = false;
  private readonly counts = new Map<string, number>();
  private readonly wrapped = new WeakSet<object>();
  private seq = 0;

  constructor(readonly deliveries: AsyncLocalStorage<string>) {}

  wrap<T extends object>(service: Service, client: T): T {
    if (this.wrapped.has(client)) return client;
    this.wrapped.add(client);
    const target = client as unknown as { send: (command: object, ...rest: unknown[]) => Promise<unknown> };
    const send = target.send.bind(target);
    target.send = async (command: object, ...rest: unknown[]) => {
      if (this.paused) return send(command, ...rest);
      const name = command.constructor.name.replace(/Command$/, '');
      const key = `${service}:${name}`;
      const occurrence = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, occurrence);
      const fault = this.injections.find(
        ({ site }) =>
          site.service === service &&
          site.command === name &&
          (site.occurrence === 'every' || site.occurrence === occurrence),
      )?.fault;
      const call: Call = {
        service,
        command: name,
        occurrence,
        delivery: this.deliveries.getStore() ?? '(none)',
        input: (command as { input?: Record<string, unknown> }).input ?? {},
        startedAt: this.seq++,
        tookEffect: false,
        ok: false,
        write: TARGET_SERVICES.has(service) && WRITES.has(name),
        ...(fault ? { fault: fault.name } : {}),
      };
      this.calls.push(call);
      try {
        if (fault?.before) throw fault.error();
        const result = await send(command, ...rest);
        call.tookEffect = true;
        if (fault) throw fault.error();
        call.ok = true;
        return result;
      } finally {
        call.endedAt = this.seq++;
      }
    };
    return client;
  }

  /** Runs `check` with the probe paused. */
  async unobserved<T>(check: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      return await check();
    } finally {
      this.paused = false;
    }
  }
}

export interface TargetFakes {
  readonly iam: FakeIam;
  readonly ec2: FakeEc2;
}

export interface Scenario {
  readonly name: string;
  readonly fixture: string;
  readonly settings: () => ResponderSettings;
  /** Where the engine re-reads the finding before writing ('guardduty', 'securityhub'), or not at all (native Config). */
  readonly source?: { readonly kind: 'guardduty' | 'securityhub'; readonly fixture: string };
  /** The finding is about MEMBER_ACCOUNT: the engine reaches it through STS AssumeRole with its session policy. */
  readonly member?: boolean;
  readonly world: (fakes: TargetFakes) => void;
  /** action id -> has its effect fully taken (containment and evidence steps). */
  readonly effects: Readonly<Record<string, (fakes: TargetFakes) => boolean>>;
}

let playbooks: ReturnType<typeof loadPlaybooks> | undefined;
const playbook = (id: string) => (playbooks ??= loadPlaybooks()).find((candidate) => candidate.id === id)!;
const settingsOf = new WeakMap<Scenario, ResponderSettings>();
const actionCase = (action: string, fixture: string) =>
  ACTION_CASES.find((candidate) => candidate.action === action && candidate.fixture === fixture)!;
const caseEffect = (action: string, fixture = 'guardduty/ec2-instance') => {
  const found = actionCase(action, fixture);
  return (fakes: TargetFakes) => found.isContained(fakes.iam, fakes.ec2);
};
const caseWorld = (action: string, fixture: string) => (fakes: TargetFakes) =>
  actionCase(action, fixture).world(fakes.iam, fakes.ec2);
const userWorld = ({ iam }: TargetFakes) =>
  void iam.addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  });
const userEffects: Scenario['effects'] = {
  'iam-deactivate-access-key': ({ iam }) => iam.user('ci-deploy').keys![0]!.status === 'Inactive',
  'iam-revoke-user-sessions': ({ iam }) =>
    iam.user('ci-deploy').policies?.['firebreak-deny-sessions-issued-before'] !== undefined,
  'iam-tag-principal': ({ iam }) => iam.user('ci-deploy').tags?.['firebreak:finding-id'] !== undefined,
};
const SECURITY_HUB_UPDATES = { updateFindings: true, updateNativeFindings: false } as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'IAM user with a long-term key',
    fixture: 'guardduty/iam-user-long-term-key',
    settings: () => responderSettings(),
    source: { kind: 'guardduty', fixture: 'guardduty/iam-user-long-term-key' },
    world: userWorld,
    effects: userEffects,
  },
  {
    name: 'assumed-role session',
    fixture: 'guardduty/assumed-role-session',
    settings: () => responderSettings(),
    source: { kind: 'guardduty', fixture: 'guardduty/assumed-role-session' },
    world: ({ iam }) => void iam.addRole('app-server-role', { id: 'AROAR2EXAMPLEJ5VW8PTQ' }),
    effects: {
      'iam-revoke-role-sessions': ({ iam }) =>
        iam.role('app-server-role').policies?.['firebreak-deny-session-i-0abc123def4567890'] !== undefined,
      'iam-tag-principal': ({ iam }) => iam.role('app-server-role').tags?.['firebreak:finding-id'] !== undefined,
    },
  },
  {
    name: 'EC2 instance in an Auto Scaling group',
    fixture: 'guardduty/ec2-instance',
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    source: { kind: 'guardduty', fixture: 'guardduty/ec2-instance' },
    world: ({ iam, ec2 }) => instanceWorld(iam, ec2),
    effects: Object.fromEntries(
      [
        'ec2-protect-evidence',
        'autoscaling-enter-standby',
        'ec2-isolate-network',
        'ec2-revoke-instance-credentials',
        'ec2-snapshot-volumes',
        'ec2-tag-instance',
      ].map((action) => [action, caseEffect(action)]),
    ),
  },
  {
    name: 'Config restricted-ssh',
    fixture: 'config/restricted-ssh-non-compliant',
    settings: () => responderSettings({ playbook: playbook('config-restricted-ssh') }),
    world: caseWorld('ec2-revoke-open-ingress', 'config/restricted-ssh-non-compliant'),
    effects: {
      'ec2-revoke-open-ingress': caseEffect('ec2-revoke-open-ingress', 'config/restricted-ssh-non-compliant'),
    },
  },
  {
    name: 'Config access-keys-rotated',
    fixture: 'config/access-keys-rotated-non-compliant',
    settings: () => responderSettings({ playbook: playbook('config-access-keys-rotated') }),
    world: caseWorld('iam-deactivate-stale-keys', 'config/access-keys-rotated-non-compliant'),
    effects: {
      'iam-deactivate-stale-keys': caseEffect('iam-deactivate-stale-keys', 'config/access-keys-rotated-non-compliant'),
    },
  },
  {
    name: 'member-account IAM user (STS AssumeRole)',
    fixture: 'guardduty/other-account',
    settings: () => responderSettings({ memberRoleName: 'FirebreakResponder' }),
    source: { kind: 'guardduty', fixture: 'guardduty/other-account' },
    member: true,
    world: userWorld,
    effects: userEffects,
  },
  {
    name: 'Config restricted-ssh through Security Hub (GetFindings, BatchUpdateFindings)',
    fixture: 'securityhub/config-restricted-ssh-non-compliant',
    settings: () =>
      responderSettings({ playbook: playbook('config-restricted-ssh'), securityHub: SECURITY_HUB_UPDATES }),
    source: { kind: 'securityhub', fixture: 'securityhub/config-restricted-ssh-non-compliant' },
    world: caseWorld('ec2-revoke-open-ingress', 'config/restricted-ssh-non-compliant'),
    effects: {
      'ec2-revoke-open-ingress': caseEffect('ec2-revoke-open-ingress', 'config/restricted-ssh-non-compliant'),
    },
  },
  {
    name: 'GuardDuty IAM user through Security Hub (BatchUpdateFindings)',
    fixture: 'securityhub/guardduty-iam-user-long-term-key',
    settings: () => responderSettings({ securityHub: SECURITY_HUB_UPDATES }),
    source: { kind: 'guardduty', fixture: 'guardduty/iam-user-long-term-key' },
    world: userWorld,
    effects: userEffects,
  },
];

export const scenarioNamed = (name: string): Scenario => {
  const found = SCENARIOS.find((scenario) => scenario.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

export interface Message {
  readonly delivery: string;
  readonly input: PublishCommandInput;
}

export interface Delivery {
  readonly label: string;
  readonly threw: boolean;
  readonly error?: Error;
  readonly result?: HandleResult;
}

/**
 * Which delivery a call belongs to. One for the whole file: every AsyncLocalStorage stays registered with
 * async_hooks for the life of the process, and each one slows every promise down a little.
 */
const DELIVERIES = new AsyncLocalStorage<string>();

export type World = Awaited<ReturnType<typeof setup>>;

/** A fresh world for one run: the scenario's resources, the finding held by its source, every client instrumented. */
export async function setup(scenario: Scenario) {
  const deliveries = DELIVERIES;
  const probe = new Probe(deliveries);
  const home: TargetFakes = { iam: new FakeIam(HOME_ACCOUNT), ec2: new FakeEc2(HOME_ACCOUNT) };
  const target: TargetFakes = scenario.member
    ? { iam: new FakeIam(MEMBER_ACCOUNT), ec2: new FakeEc2(MEMBER_ACCOUNT) }
    : home;
  scenario.world(target);
  const table = new FakeDynamoDb();
  const kms = new FakeKms();

  const sns = new SNSClient({ region: 'us-east-1' });
  const messages: Message[] = [];
  mockClient(sns)
    .on(PublishCommand)
    .callsFake((input: PublishCommandInput) => {
      messages.push({ delivery: deliveries.getStore() ?? '(none)', input });
      return { MessageId: `m${messages.length}` };
    });
  const hubUpdates = new SecurityHubClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
  });
  const updates: { delivery: string; input: unknown }[] = [];
  mockClient(hubUpdates)
    .on(BatchUpdateFindingsCommand)
    .callsFake((input: unknown) => {
      updates.push({ delivery: deliveries.getStore() ?? '(none)', input });
      return { ProcessedFindings: [], UnprocessedFindings: [] };
    });

  const guardDuty = new FakeGuardDuty();
  const securityHub = new FakeSecurityHub();
  if (scenario.source?.kind === 'guardduty') await guardDuty.addFixture(scenario.source.fixture);
  if (scenario.source?.kind === 'securityhub') securityHub.addFixture(scenario.source.fixture);
  const findingSources: FindingSources = {
    guardDutyFor: (region) => probe.wrap('guardDuty', guardDuty.clientFor(region)),
    securityHubFor: (region) => probe.wrap('securityHub', securityHub.clientFor(region)),
  };

  const clients: AwsClients = {
    iam: probe.wrap('iam', target.iam.client),
    ec2: probe.wrap('ec2', target.ec2.ec2Client),
    autoScaling: probe.wrap('autoScaling', target.ec2.autoScalingClient),
    dynamodb: probe.wrap('dynamodb', table.client),
    sns: probe.wrap('sns', sns),
    kms: probe.wrap('kms', kms.client),
    securityHub: probe.wrap('securityHub', hubUpdates),
  };
  // Read once per scenario (the YAML files and their validation are most of a world's setup otherwise).
  const settings = settingsOf.get(scenario) ?? scenario.settings();
  settingsOf.set(scenario, settings);
  let clientFactory: ClientFactory | undefined;
  if (scenario.member) {
    // The real factory makes the AssumeRole call (with the playbook's session policy, cached for the warm function);
    // the clients it would build for the session are replaced by the member account's fakes.
    const sts = new STSClient({ region: 'us-east-1' });
    mockClient(sts)
      .on(AssumeRoleCommand)
      .resolves({
        Credentials: {
          AccessKeyId: 'ASIAMEMBEREXAMPLE001',
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date(FIXED_NOW.getTime() + 6 * 3_600_000),
        },
      });
    probe.wrap('sts', sts);
    const real = createClientFactory(
      { iam: home.iam.client, ec2: home.ec2.ec2Client, autoScaling: home.ec2.autoScalingClient },
      {
        homeAccountId: HOME_ACCOUNT,
        partition: 'aws',
        memberRoleName: settings.memberRoleName!,
        sessionPolicy: responderSessionPolicy(settings.playbook),
        stsFor: () => sts,
        now: () => FIXED_NOW,
      },
    );
    clientFactory = {
      forTarget: async (accountId, region, findingId, sessionPolicy) => {
        await real.forTarget(accountId, region, findingId, sessionPolicy);
        if (accountId !== MEMBER_ACCOUNT) throw new Error(`the fault world knows no account ${accountId}`);
        return { iam: clients.iam, ec2: clients.ec2, autoScaling: clients.autoScaling };
      },
    };
  }
  const ledger: Ledger = withRecordMacs(new DynamoDbLedger(clients.dynamodb, table.tableName, 400), kms.recordMac());
  const event = loadEvent(scenario.fixture);

  const history: Delivery[] = [];
  const deliver = async (label: string, at: Date): Promise<Delivery> => {
    const delivery = await deliveries.run(label, async (): Promise<Delivery> => {
      try {
        const result = await handleEvent(structuredClone(event), {
          settings,
          clients,
          topicArn: TOPIC,
          log: silentLog,
          ledger,
          ...(clientFactory ? { clientFactory } : {}),
          ...(scenario.source ? { findingSources } : {}),
          invocationId: label,
          now: () => at,
        });
        return { label, threw: false, result };
      } catch (error) {
        return { label, threw: true, error: error as Error };
      }
    });
    history.push(delivery);
    return delivery;
  };

  return { scenario, probe, home, target, table, kms, messages, updates, history, deliver };
}

export const minutes = (count: number) => new Date(FIXED_NOW.getTime() + count * 60_000);

/** The clean run whose calls are the fault sites: a first delivery, and a re-delivery 10 minutes later. */
export async function recordCleanRun(
  scenario: Scenario,
): Promise<{ calls: Call[]; world: World; deliveries: Delivery[] }> {
  const world = await setup(scenario);
  const deliveries = [await world.deliver('first', minutes(0)), await world.deliver('again', minutes(10))];
  return { calls: world.probe.calls, world, deliveries };
}

/** The sites of a recorded run: each call, and an outage of each command the run makes. */
export function sitesOf(calls: readonly Call[]): { calls: CallSite[]; outages: CallSite[] } {
  const each = calls.map(({ service, command, occurrence }) => ({ service, command, occurrence }));
  const commands = [
    ...new Map(
      calls.map(({ service, command }) => [
        `${service}:${command}`,
        { service, command, occurrence: 'every' as const },
      ]),
    ).values(),
  ];
  return { calls: each, outages: commands };
}

// ---------------------------------------------------------------------------------------------------------------
// Invariants

function allTrafficAttached(ec2: FakeEc2): string[] {
  const transition = new Set(
    [...ec2.securityGroups.values()]
      .filter((group) => group.tags['firebreak:group-role'] === 'all-traffic-transition')
      .map((group) => group.groupId),
  );
  return [...ec2.interfaces.entries()]
    .filter(([, eni]) => eni.groupIds.some((group) => transition.has(group)))
    .map(([id]) => id);
}

/** Steps the ledger holds: action -> confirmed or only intended. */
function ledgerSteps(table: FakeDynamoDb): Map<string, 'applied' | 'applying'> {
  const steps = new Map<string, 'applied' | 'applying'>();
  for (const item of table.itemsUnder('INCIDENT#')) {
    const state = item.state?.S;
    if (item.sk?.S?.startsWith('STEP#') && (state === 'applied' || state === 'applying')) {
      const action = item.action!.S!;
      if (steps.get(action) !== 'applied') steps.set(action, state);
    }
  }
  // A fast write's intent rides on the incident lease until the step is recorded on its own.
  for (const item of table.itemsUnder('INCIDENT#')) {
    if (item.sk?.S !== 'LEASE' || !item.planned?.S) continue;
    for (const entry of JSON.parse(item.planned.S) as { action: string }[])
      if (!steps.has(entry.action)) steps.set(entry.action, 'applying');
  }
  return steps;
}

function incidentIds(table: FakeDynamoDb): string[] {
  return [...new Set(table.itemsUnder('INCIDENT#').map((item) => item.pk!.S!.slice('INCIDENT#'.length)))];
}

/** Why a delivery sent no message, if it says so (a native event, or each finding of a Security Hub event). */
function suppressedOf(result: HandleResult | undefined): string | undefined {
  if (result?.kind === 'handled') return result.suppressed;
  if (result?.kind === 'securityhub') {
    const quiet = result.findings.flatMap((finding) =>
      finding.result.kind === 'handled' && finding.result.suppressed ? [finding.result.suppressed] : [],
    );
    return quiet.length > 0 ? quiet.join('; ') : undefined;
  }
  return undefined;
}

/** What a person can see of the run: messages sent (their effect took), and the incidents' notify fields. */
const outcomeOf = (message: Message) =>
  message.input.MessageAttributes?.outcome?.StringValue ?? '(no outcome attribute)';

export interface Checks {
  /** The deliveries that may have met a fault. */
  readonly faulted: readonly Delivery[];
  /** Deliveries that ran at the same time (their messages are compared: at most one per outcome). */
  readonly concurrent?: boolean;
}

/** The invariants after the faulted deliveries. */
export async function checkAfterFaults(world: World, { faulted, concurrent }: Checks): Promise<string[]> {
  const failures: string[] = [];
  const { probe, scenario, target, table } = world;
  const labels = new Set(faulted.map((delivery) => delivery.label));
  const calls = probe.calls.filter((call) => labels.has(call.delivery));

  // 1. Nothing silent: each delivery published a message, or threw (DLQ + alarm), or the ledger says "responder not
  // told", or it stayed quiet because another delivery (earlier or at the same time) told a person or threw.
  const told = (label: string) =>
    probe.calls.some(
      (call) => call.delivery === label && call.service === 'sns' && call.command === 'Publish' && call.ok,
    );
  const notToldRecorded = table
    .itemsUnder('INCIDENT#')
    .some(
      (item) => item.sk?.S === 'INCIDENT' && item.notifyFailedAt?.S !== undefined && item.notifiedAt?.S === undefined,
    );
  for (const delivery of faulted) {
    if (delivery.threw || told(delivery.label) || notToldRecorded) continue;
    const quiet = suppressedOf(delivery.result);
    const others = world.history.filter(
      (other) => other.label !== delivery.label && (other.threw || told(other.label)),
    );
    if (quiet === undefined || others.length === 0)
      failures.push(
        `${delivery.label}: silent (no message, no error for the DLQ, no "responder not told" in the ledger)${quiet ? `; suppressed: ${quiet}` : ''}`,
      );
  }

  // 2. Fail closed: a delivery writes only after its re-read of the finding from the source succeeded.
  if (scenario.source) {
    for (const delivery of faulted) {
      const mine = calls.filter((call) => call.delivery === delivery.label);
      const reads = mine.filter(
        (call) =>
          call.command === 'GetFindings' && (call.service === 'guardDuty' || call.service === 'securityHub') && call.ok,
      );
      const firstRead = Math.min(...reads.map((call) => call.endedAt ?? Number.POSITIVE_INFINITY));
      const early = mine.filter((call) => call.write && call.startedAt < firstRead);
      if (early.length > 0)
        failures.push(
          `${delivery.label}: ${early.map((call) => `${call.service}:${call.command}`).join(', ')} ` +
            `written without a successful re-read of the finding from its source (fail closed)`,
        );
    }
  }

  // 3. The quarantine invariants.
  const leftOpen = allTrafficAttached(target.ec2);
  if (leftOpen.length > 0) failures.push(`all-traffic group still attached to ${leftOpen.join(', ')}`);
  const recorded = ledgerSteps(table);
  const anyThrew = faulted.some((delivery) => delivery.threw);
  for (const [action, effective] of Object.entries(scenario.effects)) {
    const took = effective(target);
    if (recorded.get(action) === 'applied' && !took) failures.push(`ledger says ${action} applied, it is not`);
    if (took && !recorded.has(action))
      failures.push(`${action} took effect with no record of its pre-state in the ledger`);
    if (!anyThrew && !took) failures.push(`${action} not done, yet no delivery failed (the run ended as if complete)`);
  }

  failures.push(...(await commonInvariants(world)));

  // Concurrent deliveries: at most one message per outcome (a message whose answer was lost may be sent again).
  if (concurrent) failures.push(...messagesPerOutcome(world, labels));
  return failures;
}

/** After a later clean delivery: containment complete, and the invariants that hold after every run. */
export async function checkAfterCompletion(
  world: World,
  completion: Delivery,
  earlier: readonly Delivery[],
): Promise<string[]> {
  const failures: string[] = [];
  const { scenario, target, table, probe } = world;
  for (const [action, effective] of Object.entries(scenario.effects))
    if (!effective(target)) failures.push(`after a clean delivery ${action} is still not done`);
  if (allTrafficAttached(target.ec2).length > 0) failures.push('all-traffic group attached after a clean delivery');
  const recorded = ledgerSteps(table);
  for (const action of Object.keys(scenario.effects))
    if (recorded.get(action) !== 'applied')
      failures.push(`after a clean delivery the ledger does not confirm ${action}`);
  // Nobody was told by the faulted deliveries: the clean one tells.
  const toldBefore = probe.calls.some(
    (call) => call.delivery !== completion.label && call.service === 'sns' && call.command === 'Publish' && call.ok,
  );
  const toldNow = probe.calls.some(
    (call) => call.delivery === completion.label && call.service === 'sns' && call.command === 'Publish' && call.ok,
  );
  if (!toldBefore && !toldNow && !completion.threw)
    failures.push(
      `no message reached a person in the whole run (earlier: ` +
        `${earlier.map((delivery) => (delivery.threw ? `${delivery.label} threw` : delivery.label)).join(', ')})`,
    );
  if (completion.threw) failures.push(`the clean delivery threw: ${completion.error?.message.slice(0, 300)}`);
  failures.push(...(await commonInvariants(world)));
  // Containment is reported once: no two "contained" messages in a run (beyond re-sends of a message whose answer was lost).
  const contained = world.messages.filter((message) => outcomeOf(message) === 'contained').length;
  if (contained > 1 + lostPublishes(world)) failures.push(`${contained} "contained" messages in one run`);
  return failures;
}

function lostPublishes(world: World, labels?: ReadonlySet<string>): number {
  return world.probe.calls.filter(
    (call) =>
      call.service === 'sns' &&
      call.command === 'Publish' &&
      call.tookEffect &&
      !call.ok &&
      (!labels || labels.has(call.delivery)),
  ).length;
}

/**
 * At most one message per outcome from deliveries at the same time. Beyond that, only a message re-sent because its
 * answer was lost, and one per delivery whose own ledger call failed: that one cannot know that another delivery holds
 * the incident, so its own report is the honest one. Every other delivery sees the lease and leaves the message to
 * its holder.
 */
function messagesPerOutcome(world: World, labels: ReadonlySet<string>): string[] {
  const counts = new Map<string, string[]>();
  for (const message of world.messages)
    if (labels.has(message.delivery))
      counts.set(outcomeOf(message), [...(counts.get(outcomeOf(message)) ?? []), message.delivery]);
  const blind = new Set(
    world.probe.calls
      .filter((call) => labels.has(call.delivery) && call.service === 'dynamodb' && call.fault)
      .map((call) => call.delivery),
  );
  const allowed = 1 + lostPublishes(world, labels) + blind.size;
  return [...counts.entries()]
    .filter(([, from]) => from.length > allowed)
    .map(
      ([outcome, from]) =>
        `${from.length} "${outcome}" messages from ${labels.size} concurrent deliveries (from ${from.sort().join(', ')}; ${allowed} allowed)`,
    );
}

/** Every record Firebreak wrote verifies; exactly one effect (one snapshot per volume, one deny policy, keys deactivated once). */
async function commonInvariants(world: World): Promise<string[]> {
  const failures: string[] = [];
  const { probe, table, kms, target, home, scenario } = world;
  const verifying = withRecordMacs(new DynamoDbLedger(table.client, table.tableName, 400), kms.recordMac());
  await probe.unobserved(async () => {
    for (const incidentId of incidentIds(table)) {
      const record = await verifying.readIncident(incidentId);
      for (const step of record.steps) {
        if (step.tentative) continue;
        if (step.integrity !== 'verified')
          failures.push(
            `ledger record STEP#${step.index}#${step.action} of ${incidentId}: MAC ${step.integrity ?? 'not checked'}`,
          );
      }
    }
  });

  const snapshotsPerVolume = new Map<string, number>();
  for (const snapshot of target.ec2.snapshots.values())
    snapshotsPerVolume.set(snapshot.volumeId, (snapshotsPerVolume.get(snapshot.volumeId) ?? 0) + 1);
  for (const [volume, count] of snapshotsPerVolume) if (count > 1) failures.push(`${count} snapshots of ${volume}`);
  const quarantine = [...target.ec2.securityGroups.values()].filter((group) =>
    group.groupName.startsWith('firebreak-'),
  );
  const byName = new Map<string, number>();
  for (const group of quarantine)
    byName.set(`${group.vpcId}/${group.groupName}`, (byName.get(`${group.vpcId}/${group.groupName}`) ?? 0) + 1);
  for (const [name, count] of byName) if (count > 1) failures.push(`${count} security groups ${name}`);
  for (const [kind, principals] of [
    ['user', target.iam.users],
    ['role', target.iam.roles],
  ] as const) {
    for (const [name, principal] of principals) {
      const denies = Object.keys(principal.policies ?? {}).filter((policy) => policy.startsWith('firebreak-'));
      if (
        denies.length >
        Object.keys(scenario.effects).filter((action) =>
          /revoke-(user|role)-sessions|revoke-instance-credentials/.test(action),
        ).length
      ) {
        failures.push(`${kind} ${name} holds ${denies.length} Firebreak deny policies: ${denies.join(', ')}`);
      }
    }
  }
  const deactivations = new Map<string, number>();
  for (const call of probe.calls) {
    if (
      call.service === 'iam' &&
      call.command === 'UpdateAccessKey' &&
      call.tookEffect &&
      call.input.Status === 'Inactive'
    ) {
      const key = String(call.input.AccessKeyId);
      deactivations.set(key, (deactivations.get(key) ?? 0) + 1);
    }
  }
  for (const [key, count] of deactivations)
    if (count > 1) failures.push(`access key ${key} deactivated ${count} times`);
  // One deny policy: each Firebreak policy put once (a second put would move its TokenIssueTime), one CreateSnapshots.
  const effects = new Map<string, number>();
  for (const call of probe.calls) {
    if (!call.tookEffect) continue;
    const key =
      call.command === 'PutUserPolicy' || call.command === 'PutRolePolicy'
        ? `${call.command} ${String(call.input.UserName ?? call.input.RoleName)}/${String(call.input.PolicyName)}`
        : call.command === 'CreateSnapshots'
          ? `CreateSnapshots ${JSON.stringify(call.input.InstanceSpecification)}`
          : undefined;
    if (key) effects.set(key, (effects.get(key) ?? 0) + 1);
  }
  for (const [key, count] of effects) if (count > 1) failures.push(`${key} took effect ${count} times`);
  if (scenario.member && (home.iam.writeCalls() > 0 || home.ec2.writeCalls() > 0))
    failures.push('a member-account finding wrote in the security account');
  return failures;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic sampling

/** mulberry32: a small seeded PRNG, so the sampled pairs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` distinct items of `items`, chosen by `random` (all of them when there are fewer). */
export function sample<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  for (let index = pool.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [pool[index], pool[other]] = [pool[other]!, pool[index]!];
  }
  return pool.slice(0, count);
}

/**
 * The SNS publish retry (lambdas/notify/publish-outcome.ts) waits random() x its backoff between attempts, with
 * Math.random as the jitter when handleEvent passes no options: 0 makes every wait 0 ms, so a publish fault costs no
 * wall time. Nothing else under test uses Math.random.
 */
export function noPublishBackoff(): void {
  beforeAll(() => void jest.spyOn(Math, 'random').mockReturnValue(0));
  afterAll(() => jest.restoreAllMocks());
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

export interface RunReport {
  readonly failures: string[];
  /** The injections that fired, with the delivery they fired in. */
  readonly fired: string[];
}

const prefixed = (prefix: string, failures: readonly string[]) => failures.map((failure) => `${prefix}: ${failure}`);

function firedIn(world: World): string[] {
  return [
    ...new Set(
      world.probe.calls
        .filter((call) => call.fault)
        .map((call) => `${call.service}:${call.command}#${call.occurrence} ${call.fault} in ${call.delivery}`),
    ),
  ];
}

/**
 * One sequential run: the first delivery and a re-delivery 10 minutes later with the injections armed (so a fault can
 * land on either, as in the recorded clean run), each checked on its own; then a clean delivery 10 minutes after that.
 */
export async function runSequential(scenario: Scenario, injections: readonly Injection[]): Promise<RunReport> {
  const world = await setup(scenario);
  world.probe.injections = injections;
  const first = await world.deliver('first', minutes(0));
  const failures = prefixed('after the first delivery', await checkAfterFaults(world, { faulted: [first] }));
  const again = await world.deliver('again', minutes(10));
  failures.push(...prefixed('after the re-delivery', await checkAfterFaults(world, { faulted: [again] })));
  world.probe.injections = [];
  const clean = await world.deliver('clean', minutes(20));
  failures.push(...prefixed('after a clean delivery', await checkAfterCompletion(world, clean, [first, again])));
  return { failures, fired: firedIn(world) };
}

export const CONCURRENT_LABELS = ['c1', 'c2', 'c3'] as const;

/** `count` deliveries of the same finding at the same time (Promise.all), then a clean delivery 10 minutes later. */
export async function runConcurrent(
  scenario: Scenario,
  count: number,
  injections: readonly Injection[],
): Promise<RunReport> {
  const world = await setup(scenario);
  world.probe.injections = injections;
  const group = await Promise.all(CONCURRENT_LABELS.slice(0, count).map((label) => world.deliver(label, minutes(0))));
  const failures = prefixed(
    `after ${count} concurrent deliveries`,
    await checkAfterFaults(world, { faulted: group, concurrent: true }),
  );
  world.probe.injections = [];
  const clean = await world.deliver('clean', minutes(10));
  failures.push(...prefixed('after a clean delivery', await checkAfterCompletion(world, clean, group)));
  return { failures, fired: firedIn(world) };
}

/** The clean concurrent run whose calls are the concurrent fault sites. */
export async function recordConcurrentRun(
  scenario: Scenario,
  count: number,
): Promise<{ calls: Call[]; world: World; deliveries: Delivery[] }> {
  const world = await setup(scenario);
  const deliveries = await Promise.all(
    CONCURRENT_LABELS.slice(0, count).map((label) => world.deliver(label, minutes(0))),
  );
  return { calls: world.probe.calls, world, deliveries };
}

// ---------------------------------------------------------------------------------------------------------------
// The matrices, as jest suites

/** A run that fails an invariant because of a known engine bug: run on its own as `it.failing`, named by the bug. */
export interface KnownBug {
  readonly scenario: string;
  /** injectionName of each injection of the run, joined by ' + '. */
  readonly run: string;
  readonly bug: string;
}

export const runName = (injections: readonly Injection[]) =>
  injections.length === 0 ? 'no fault' : injections.map(injectionName).join(' + ');

/** The faults of a site: the four at every recorded call; an outage (every occurrence) as a 5xx. */
export const faultsAt = (site: CallSite): readonly Fault[] =>
  site.occurrence === 'every' ? FAULTS.filter((fault) => fault.name === '5xx') : FAULTS;

/** Every (site, fault) of a scenario's recorded clean run. */
export function singleInjections(calls: readonly Call[]): Injection[] {
  const { calls: each, outages } = sitesOf(calls);
  return [...each, ...outages].flatMap((site) => faultsAt(site).map((fault) => ({ site, fault })));
}

/**
 * Runs `runs` of a scenario, collecting each run's invariant failures; the known bugs' runs are left to their own
 * `it.failing` (see `knownBugTests`). Returns the failures of every other run.
 */
export async function runAll(
  scenario: Scenario,
  runs: readonly (readonly Injection[])[],
  known: readonly KnownBug[],
  run: (injections: readonly Injection[]) => Promise<RunReport>,
): Promise<string[]> {
  const skip = new Set(known.filter((bug) => bug.scenario === scenario.name).map((bug) => bug.run));
  const failures: string[] = [];
  for (const injections of runs) {
    const name = runName(injections);
    if (skip.has(name)) continue;
    const report = await run(injections);
    failures.push(
      ...report.failures.map((failure) => `${name} [fired: ${report.fired.join(', ') || 'none'}]: ${failure}`),
    );
  }
  return failures;
}

/** Parses a run name back into its injections (the sites and faults of `runName`). */
export function injectionsOf(name: string): Injection[] {
  return name.split(' + ').map((part) => {
    const match = /^(\w+):(\w+)#(\d+|every) (\S+)$/.exec(part);
    if (!match) throw new Error(`not a run name: ${part}`);
    const fault = FAULTS.find((candidate) => candidate.name === match[4]);
    if (!fault) throw new Error(`no fault ${match[4]}`);
    return {
      site: {
        service: match[1] as Service,
        command: match[2]!,
        occurrence: match[3] === 'every' ? 'every' : Number(match[3]),
      },
      fault,
    };
  });
}
