import { PublishCommand } from '@aws-sdk/client-sns';
import type { AwsClients } from '../../lambdas/aws/aws-clients';
import { handleEvent, type Log } from '../../lambdas/engine/handle-event';
import type { ResponderSettings } from '../../lambdas/engine/responder-settings';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { loadPlaybooks } from '../../lib/playbooks';
import { ACTION_CASES, instanceWorld } from '../support/action-cases';
import { accessDenied, serverError, throttling, timeout } from '../support/aws-errors';
import { FakeDynamoDb } from '../support/fake-dynamodb';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, testClients } from '../support/settings';

/**
 * For every AWS call a playbook makes (IAM, EC2, Auto Scaling, the DynamoDB ledger, SNS), and for each of four
 * faults at that call, one delivery runs with the fault and a second delivery runs without. After the first: the
 * outcome is not silent, the all-traffic group is attached nowhere, and the ledger matches reality. After the
 * second: the containment is complete.
 */

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
type ClientName = 'iam' | 'ec2' | 'autoScaling' | 'dynamodb' | 'sns';
interface CallSite {
  readonly client: ClientName;
  readonly command: string;
  readonly occurrence: number;
}
type Fault = { readonly name: string; readonly before: boolean; readonly error: () => Error };

const FAULTS: readonly Fault[] = [
  { name: 'throttling', before: true, error: throttling },
  { name: 'AccessDenied', before: true, error: () => accessDenied() },
  { name: '5xx', before: true, error: serverError },
  // The call reaches AWS and takes effect, but the answer is lost.
  { name: 'timeout', before: false, error: timeout },
];

interface Fakes {
  readonly iam: FakeIam;
  readonly ec2: FakeEc2;
  readonly table: FakeDynamoDb;
}

interface Scenario {
  readonly name: string;
  readonly fixture: string;
  readonly settings: () => ResponderSettings;
  readonly world: (fakes: Fakes) => void;
  /** action id -> has its effect fully taken (containment and evidence steps). */
  readonly effects: Readonly<Record<string, (fakes: Fakes) => boolean>>;
}

const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;
const caseEffect = (action: string, fixture = 'guardduty/ec2-instance') => {
  const actionCase = ACTION_CASES.find((candidate) => candidate.action === action && candidate.fixture === fixture)!;
  return (fakes: Fakes) => actionCase.isContained(fakes.iam, fakes.ec2);
};
const caseWorld = (action: string, fixture: string) => (fakes: Fakes) => ACTION_CASES.find((candidate) => candidate.action === action && candidate.fixture === fixture)!.world(fakes.iam, fakes.ec2);

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'IAM user with a long-term key',
    fixture: 'guardduty/iam-user-long-term-key',
    settings: () => responderSettings(),
    world: ({ iam }) => void iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] }),
    effects: {
      'iam-deactivate-access-key': ({ iam }) => iam.user('ci-deploy').keys![0]!.status === 'Inactive',
      'iam-revoke-user-sessions': ({ iam }) => iam.user('ci-deploy').policies?.['firebreak-deny-sessions-issued-before'] !== undefined,
      'iam-tag-principal': ({ iam }) => iam.user('ci-deploy').tags?.['firebreak:finding-id'] !== undefined,
    },
  },
  {
    name: 'assumed-role session',
    fixture: 'guardduty/assumed-role-session',
    settings: () => responderSettings(),
    world: ({ iam }) => void iam.addRole('app-server-role', { id: 'AROAR2EXAMPLEJ5VW8PTQ' }),
    effects: {
      'iam-revoke-role-sessions': ({ iam }) => iam.role('app-server-role').policies?.['firebreak-deny-session-i-0abc123def4567890'] !== undefined,
      'iam-tag-principal': ({ iam }) => iam.role('app-server-role').tags?.['firebreak:finding-id'] !== undefined,
    },
  },
  {
    name: 'EC2 instance in an Auto Scaling group',
    fixture: 'guardduty/ec2-instance',
    settings: () => responderSettings({ playbook: playbook('compromised-ec2-instance') }),
    world: ({ iam, ec2 }) => instanceWorld(iam, ec2),
    effects: Object.fromEntries(
      ['ec2-protect-evidence', 'autoscaling-enter-standby', 'ec2-isolate-network', 'ec2-revoke-instance-credentials', 'ec2-snapshot-volumes', 'ec2-tag-instance'].map(
        (action) => [action, caseEffect(action)],
      ),
    ),
  },
  {
    name: 'Config restricted-ssh',
    fixture: 'config/restricted-ssh-non-compliant',
    settings: () => responderSettings({ playbook: playbook('config-restricted-ssh') }),
    world: caseWorld('ec2-revoke-open-ingress', 'config/restricted-ssh-non-compliant'),
    effects: { 'ec2-revoke-open-ingress': caseEffect('ec2-revoke-open-ingress', 'config/restricted-ssh-non-compliant') },
  },
  {
    name: 'Config access-keys-rotated',
    fixture: 'config/access-keys-rotated-non-compliant',
    settings: () => responderSettings({ playbook: playbook('config-access-keys-rotated') }),
    world: caseWorld('iam-deactivate-stale-keys', 'config/access-keys-rotated-non-compliant'),
    effects: { 'iam-deactivate-stale-keys': caseEffect('iam-deactivate-stale-keys', 'config/access-keys-rotated-non-compliant') },
  },
];

/** Wraps every client's send: counts each (client, command) call and lets the hook fail one of them. */
function instrument(clients: AwsClients, hook: (site: CallSite) => Fault | undefined, calls: CallSite[]): void {
  const counts = new Map<string, number>();
  for (const name of ['iam', 'ec2', 'autoScaling', 'dynamodb', 'sns'] as const) {
    const client = clients[name] as unknown as { send: (command: object) => Promise<unknown> };
    const send = client.send.bind(client);
    client.send = async (command: object) => {
      const key = `${name}:${command.constructor.name}`;
      const occurrence = (counts.get(key) ?? 0) + 1;
      counts.set(key, occurrence);
      const site = { client: name, command: command.constructor.name.replace(/Command$/, ''), occurrence };
      calls.push(site);
      const fault = hook(site);
      if (fault?.before) throw fault.error();
      const result = await send(command);
      if (fault) throw fault.error();
      return result;
    };
  }
}

function setup(scenario: Scenario) {
  const fakes: Fakes = { iam: new FakeIam(HOME_ACCOUNT), ec2: new FakeEc2(HOME_ACCOUNT), table: new FakeDynamoDb() };
  scenario.world(fakes);
  const test = testClients(fakes.iam, fakes.ec2, fakes.table);
  test.sns.on(PublishCommand).resolves({ MessageId: 'm' });
  return { fakes, clients: test.clients, ledger: new DynamoDbLedger(fakes.table.client, fakes.table.tableName, 400) };
}

async function deliver(scenario: Scenario, env: ReturnType<typeof setup>, invocationId: string, now: Date): Promise<{ threw: boolean }> {
  try {
    await handleEvent(loadEvent(scenario.fixture), {
      settings: scenario.settings(),
      clients: env.clients,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
      log: quiet,
      ledger: env.ledger,
      invocationId,
      now: () => now,
    });
    return { threw: false };
  } catch {
    return { threw: true };
  }
}

function allTrafficAttached(fakes: Fakes): string[] {
  const transition = new Set([...fakes.ec2.securityGroups.values()].filter((group) => group.tags['firebreak:group-role'] === 'all-traffic-transition').map((group) => group.groupId));
  return [...fakes.ec2.interfaces.entries()].filter(([, eni]) => eni.groupIds.some((group) => transition.has(group))).map(([id]) => id);
}

/** Steps the ledger holds for the scenario's incident: action -> confirmed or only intended. */
function ledgerSteps(fakes: Fakes): Map<string, 'applied' | 'applying'> {
  const steps = new Map<string, 'applied' | 'applying'>();
  for (const item of fakes.table.itemsUnder('INCIDENT#')) {
    const state = item.state?.S;
    if (item.sk?.S?.startsWith('STEP#') && (state === 'applied' || state === 'applying')) steps.set(item.action!.S!, state);
  }
  // A fast write's intent rides on the incident lease until the step is recorded on its own.
  for (const item of fakes.table.itemsUnder('INCIDENT#')) {
    if (item.sk?.S !== 'LEASE' || !item.planned?.S) continue;
    for (const entry of JSON.parse(item.planned.S) as { action: string }[]) if (!steps.has(entry.action)) steps.set(entry.action, 'applying');
  }
  return steps;
}

const baselines = SCENARIOS.map((scenario) => ({ scenario, calls: [] as CallSite[], uncontained: [] as string[] }));

beforeAll(async () => {
  for (const baseline of baselines) {
    const env = setup(baseline.scenario);
    instrument(env.clients, () => undefined, baseline.calls);
    const { threw } = await deliver(baseline.scenario, env, 'baseline', FIXED_NOW);
    if (threw) throw new Error(`baseline ${baseline.scenario.name} failed`);
    baseline.uncontained.push(...Object.entries(baseline.scenario.effects).filter(([, effective]) => !effective(env.fakes)).map(([action]) => action));
  }
});

describe.each(SCENARIOS.map((scenario, index) => [scenario.name, index] as const))('fault injection: %s', (_name, index) => {
  const scenario = SCENARIOS[index]!;

  it('the baseline makes every call of the playbook and contains fully', () => {
    const { calls, uncontained } = baselines[index]!;
    expect(uncontained).toEqual([]);
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.some((call) => call.client === 'sns')).toBe(true);
    expect(calls.some((call) => call.client === 'dynamodb')).toBe(true);
  });

  it('every call x every fault: not silent, never an all-traffic group left, ledger = reality, a second delivery completes', async () => {
    const calls = baselines[index]!.calls;
    const failures: string[] = [];
    let cases = 0;
    for (const site of calls) {
      for (const fault of FAULTS) {
        cases += 1;
        const label = `${site.client}:${site.command}#${site.occurrence} ${fault.name}`;
        const env = setup(scenario);
        const seen: CallSite[] = [];
        instrument(env.clients, (candidate) => (candidate.client === site.client && candidate.command === site.command && candidate.occurrence === site.occurrence ? fault : undefined), seen);
        const first = await deliver(scenario, env, 'first', FIXED_NOW);
        const published = seen.some((call) => call.client === 'sns') && !(site.client === 'sns' && fault.before);
        if (!first.threw && !published) failures.push(`${label}: silent (no message, no error for the DLQ)`);
        const leftOpen = allTrafficAttached(env.fakes);
        if (leftOpen.length > 0) failures.push(`${label}: all-traffic group still attached to ${leftOpen.join(', ')}`);
        const recorded = ledgerSteps(env.fakes);
        for (const [action, effective] of Object.entries(scenario.effects)) {
          const took = effective(env.fakes);
          if (recorded.get(action) === 'applied' && !took) failures.push(`${label}: ledger says ${action} applied, it is not`);
          if (took && !recorded.has(action)) failures.push(`${label}: ${action} took effect with no record of its pre-state in the ledger`);
          if (!first.threw && !took) failures.push(`${label}: ${action} not done, yet the delivery ended as if complete`);
        }
        // The second delivery: after the first one's leases expired, no faults.
        await deliver(scenario, env, 'second', new Date(FIXED_NOW.getTime() + 10 * 60_000));
        for (const [action, effective] of Object.entries(scenario.effects)) {
          if (!effective(env.fakes)) failures.push(`${label}: after a second delivery ${action} is still not done`);
        }
        if (allTrafficAttached(env.fakes).length > 0) failures.push(`${label}: all-traffic group attached after the second delivery`);
        const afterSecond = ledgerSteps(env.fakes);
        for (const action of Object.keys(scenario.effects)) {
          if (afterSecond.get(action) !== 'applied') failures.push(`${label}: after a second delivery the ledger does not confirm ${action}`);
        }
      }
    }
    expect(cases).toBe(calls.length * FAULTS.length);
    expect(failures).toEqual([]);
  }, 120_000);
});

// Printed for the issue note (npx jest test/engine/fault-injection).
it('reports the size of the matrix', () => {
  const sizes = baselines.map((baseline) => `${baseline.scenario.name}: ${baseline.calls.length} calls x ${FAULTS.length} faults = ${baseline.calls.length * FAULTS.length}`);
  expect(sizes).toHaveLength(SCENARIOS.length);
  process.stdout.write(`fault-injection matrix: ${sizes.join('; ')}\n`);
});
