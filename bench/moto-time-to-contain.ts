import { DynamoDbLedger } from '../lambdas/ledger/dynamodb-ledger';
import { KmsRecordMac } from '../lambdas/ledger/record-mac';
import { withRecordMacs } from '../lambdas/ledger/verified-ledger';
import { handleEvent, type Log } from '../lambdas/pipeline/handle-event';
import { parseResponderSettings } from '../lambdas/pipeline/responder-settings';
import { deployedFunctions, functionNamed } from '../test/contract/support/deployed-functions';
import { destroyClients, motoClients, type MotoClients } from '../test/contract/support/moto-clients';
import { emulatorProblem, MOTO_ACCOUNT, startMoto, type MotoServer } from '../test/contract/support/moto-server';
import { stackReferences, withIds } from '../test/contract/support/read-back';
import { startRecordingProxy, writesOf, type RecordingProxy } from '../test/contract/support/recording-proxy';
import { seedEc2, seedIam, seedStackResources, type StackResources } from '../test/contract/support/seed';
import { synthesizeStack, type SynthesizedStack } from '../test/contract/support/synthesized-stack';
import { loadEvent } from '../test/support/fixtures';
import { median } from './stats';

export interface MotoContainResult {
  readonly scenario: string;
  readonly playbook: string;
  /** Until the first containment write (IAM, EC2, Auto Scaling) was answered. */
  readonly effectiveMs: number;
  /** Until the notification's Publish was answered. */
  readonly doneMs: number;
  /** Until handleEvent returned (the ledger writes after the message included). */
  readonly totalMs: number;
  /** HTTP requests that reached moto during the delivery, by SigV4 service. */
  readonly requestsByService: Readonly<Record<string, number>>;
  readonly requests: number;
  readonly status: string;
}

export interface MotoTimeToContain {
  readonly runs: number;
  readonly note: string;
  readonly scenarios: readonly MotoContainResult[];
}

const NOTE =
  'moto 5.2.5 on this machine (loopback, no network latency): real HTTP and SDK serialization, so it measures ' +
  "serialization, moto's and our own CPU, not AWS latency; without the GuardDuty re-read (moto lacks GetFindings)";

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Times {
  effectiveAt?: number;
  doneAt?: number;
}

/** Notes, in process, when the first containment write and the first Publish are answered. */
function timed(clients: MotoClients, times: Times): void {
  for (const [service, client] of Object.entries(clients)) {
    const stack = (client as { middlewareStack: MotoClients['iam']['middlewareStack'] }).middlewareStack;
    stack.add(
      (next, context) => async (args) => {
        const answer = await next(args);
        const operation = `${service}:${String(context.commandName).replace(/Command$/, '')}`;
        const now = performance.now();
        if (times.effectiveAt === undefined && writesOf([operation]).length > 0) times.effectiveAt = now;
        if (times.doneAt === undefined && operation === 'sns:Publish') times.doneAt = now;
        return answer;
      },
      { step: 'initialize', name: 'benchAnswerTimes' },
    );
  }
}

interface Scenario {
  readonly name: string;
  readonly playbook: string;
  /** Seeds fresh resources and returns the finding that names them. */
  seed(clients: MotoClients): Promise<unknown>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'IAM user key (AKIA), the user has two keys',
    playbook: 'compromised-iam-credentials',
    seed: async (clients) => {
      const world = await seedIam(clients, 'ci-deploy');
      return withIds(loadEvent('guardduty/iam-user-long-term-key'), {
        '111122223333': MOTO_ACCOUNT,
        AKIAI44QH8DHBEXAMPLE: world.accessKeyIds[0],
        'ci-deploy': world.userName,
        AIDAJQABLZS4A3QDU576Q: world.userId,
      });
    },
  },
  {
    name: 'EC2 instance, 2 interfaces in 2 VPCs, 3 volumes, profile, Auto Scaling',
    playbook: 'compromised-ec2-instance',
    seed: async (clients) => {
      const iam = await seedIam(clients, 'web');
      const ec2 = await seedEc2(clients, iam);
      return withIds(loadEvent('guardduty/ec2-instance'), {
        '111122223333': MOTO_ACCOUNT,
        'i-0abc123def4567890': ec2.instanceId,
        'eni-0f1e2d3c4b5a69788': ec2.networkInterfaceIds[0]!,
        'sg-0a1b2c3d4e5f67890': ec2.groupIds[0],
        'vpc-0fedcba9876543210': ec2.vpcIds[0],
        'subnet-0123456789abcdef0': ec2.subnetIds[0],
        'app-server-profile': iam.instanceProfileName,
      });
    },
  },
];

/** One delivery on an emptied moto: the stack's resources and the scenario's world seeded again, then the finding. */
async function containOnce(
  moto: MotoServer,
  proxy: RecordingProxy,
  stack: SynthesizedStack,
  scenario: Scenario,
  run: number,
): Promise<MotoContainResult> {
  await moto.reset();
  const direct = motoClients(moto.endpoint);
  let seeded: StackResources;
  let event: unknown;
  try {
    seeded = await seedStackResources(direct, stack.template);
    event = await scenario.seed(direct);
  } finally {
    destroyClients(direct);
  }
  const functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
  const settings = parseResponderSettings(
    functionNamed(functions, scenario.playbook).environment.FIREBREAK_SETTINGS,
    `${scenario.playbook} settings`,
  );
  const clients = motoClients(proxy.endpoint);
  const times: Times = {};
  timed(clients, times);
  try {
    const ledger = withRecordMacs(
      new DynamoDbLedger(clients.dynamodb, seeded.tableName, settings.ledgerRetentionDays),
      new KmsRecordMac(clients.kms, seeded.macKeyArn),
    );
    proxy.take();
    const started = performance.now();
    const result = await handleEvent(event, {
      settings,
      clients,
      topicArn: seeded.topicArn,
      log: silent,
      ledger,
      invocationId: `bench-${run}`,
    });
    const finished = performance.now();
    const requestsByService: Record<string, number> = {};
    const requests = proxy.take();
    for (const operation of requests) {
      const service = operation.split(':')[0]!;
      requestsByService[service] = (requestsByService[service] ?? 0) + 1;
    }
    return {
      scenario: scenario.name,
      playbook: scenario.playbook,
      effectiveMs: (times.effectiveAt ?? Number.NaN) - started,
      doneMs: (times.doneAt ?? Number.NaN) - started,
      totalMs: finished - started,
      requestsByService,
      requests: requests.length,
      status: result.kind === 'handled' ? result.outcome.status : result.kind,
    };
  } finally {
    destroyClients(clients);
  }
}

/**
 * Each scenario `runs` times against a moto server of its own, the engine in process wired as respond.ts wires it
 * (as test/contract/containment-on-moto.test.ts does). Times are medians; the counts those of the first run.
 * Where moto cannot run here (no python3), `skipped` says why.
 */
export async function timeToContainOnMoto(runs: number): Promise<MotoTimeToContain | { skipped: string }> {
  const problem = emulatorProblem();
  if (problem) return { skipped: problem };
  const stack = synthesizeStack({
    name: 'bench-moto',
    playbooks: {
      'compromised-iam-credentials': { mode: 'enforce' },
      'compromised-ec2-instance': { mode: 'enforce' },
    },
  });
  const moto = await startMoto();
  const proxy = await startRecordingProxy(moto.endpoint);
  try {
    const scenarios: MotoContainResult[] = [];
    for (const scenario of SCENARIOS) {
      const samples: MotoContainResult[] = [];
      for (let run = 0; run < runs; run += 1) samples.push(await containOnce(moto, proxy, stack, scenario, run));
      const middle = (pick: (sample: MotoContainResult) => number) => median(samples.map(pick));
      scenarios.push({
        ...samples[0]!,
        effectiveMs: middle((sample) => sample.effectiveMs),
        doneMs: middle((sample) => sample.doneMs),
        totalMs: middle((sample) => sample.totalMs),
        status: [...new Set(samples.map((sample) => sample.status))].join(', '),
      });
    }
    return { runs, note: NOTE, scenarios };
  } finally {
    await proxy.close();
    await moto.stop();
  }
}
