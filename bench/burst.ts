import { PublishCommand } from '@aws-sdk/client-sns';
import type { AwsClients } from '../lambdas/aws/aws-clients';
import { handleEvent, type HandleResult, type Log } from '../lambdas/pipeline/handle-event';
import { DynamoDbLedger } from '../lambdas/ledger/dynamodb-ledger';
import { loadPlaybooks } from '../lib/playbooks';
import { FakeDynamoDb } from '../test/support/fake-dynamodb';
import { FakeEc2 } from '../test/support/fake-ec2';
import { FakeIam } from '../test/support/fake-iam';
import { editedEvent } from '../test/support/fixtures';
import { responderSettings, testClients } from '../test/support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Writes per second the fake lets through per service; reads are not limited. Calls over the rate wait their turn. */
export const RATE_LIMITS = { iam: 20, ec2: 100, autoScaling: 20 } as const;
const WRITE = /^(Update|Put|Delete|Tag|Create|Modify|Revoke|Authorize|Disassociate|Associate|Enter|Exit)/;

export interface BurstResult {
  readonly events: number;
  readonly incidents: number;
  readonly contained: number;
  readonly duplicatesSuppressed: number;
  readonly failedThenRedriven: number;
  readonly lost: number;
  readonly totalMs: number;
  readonly minimumMsByRateLimits: number;
  readonly ratioToMinimum: number;
  readonly writes: Readonly<Record<string, number>>;
  readonly peakRssMb: number;
}

/** Spaces writes so no service sees more than its rate, as the SDK's adaptive retry would after throttling. */
function rateLimit(clients: AwsClients, latencyMs: number, writes: Record<string, number>): void {
  for (const name of ['iam', 'ec2', 'autoScaling', 'dynamodb', 'sns'] as const) {
    const client = clients[name] as unknown as { send: (command: object) => Promise<unknown> };
    const send = client.send.bind(client);
    const limit = (RATE_LIMITS as Record<string, number>)[name];
    let nextSlot = 0;
    client.send = async (command: object) => {
      const isWrite = WRITE.test(command.constructor.name);
      if (limit && isWrite) {
        writes[name] = (writes[name] ?? 0) + 1;
        const now = performance.now();
        const slot = Math.max(now, nextSlot);
        nextSlot = slot + 1000 / limit;
        if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
      }
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return send(command);
    };
  }
}

function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

/**
 * 1,000 deliveries: 200 instances and 100 IAM users, each finding delivered several times, in random order,
 * through 10 concurrent invocations of the real handler, against one account's fakes with rate-limited writes.
 * A delivery that fails goes to the "dead-letter queue" and is re-driven once the burst is over.
 */
export async function burst(latencyMs: number): Promise<BurstResult> {
  const iam = new FakeIam('111122223333');
  const ec2 = new FakeEc2('111122223333');
  const table = new FakeDynamoDb();
  ec2.addVpc('vpc-0fedcba9876543210');
  const appGroup = ec2.addSecurityGroup({ groupName: 'app', vpcId: 'vpc-0fedcba9876543210' });
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const ec2Playbook = loadPlaybooks().find((playbook) => playbook.id === 'compromised-ec2-instance')!;
  const events: { event: unknown; ec2: boolean }[] = [];
  for (let n = 0; n < 200; n += 1) {
    const instanceId = `i-0${pad(n, 16)}`;
    ec2.addInstance({
      instanceId,
      interfaces: [{ networkInterfaceId: `eni-0${pad(n, 16)}`, vpcId: 'vpc-0fedcba9876543210', groupIds: [appGroup] }],
      volumes: [{ volumeId: `vol-0${pad(n, 16)}`, deviceName: '/dev/xvda', deleteOnTermination: true }],
      rootDeviceName: '/dev/xvda',
    });
    const event = editedEvent('guardduty/ec2-instance', (e) => {
      e.detail.id = `burst-instance-${n}`;
      e.detail.resource.instanceDetails.instanceId = instanceId;
    });
    for (let copy = 0; copy < 3; copy += 1) events.push({ event, ec2: true });
  }
  for (let n = 0; n < 100; n += 1) {
    const userName = `user-${n}`;
    iam.addUser(userName, { id: `AIDABURST${pad(n, 12)}`, keys: [{ id: `AKIABURST${pad(n, 11)}`, status: 'Active' }] });
    const event = editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.detail.id = `burst-user-${n}`;
      e.detail.resource.accessKeyDetails = {
        accessKeyId: `AKIABURST${pad(n, 11)}`,
        principalId: `AIDABURST${pad(n, 12)}`,
        userName,
        userType: 'IAMUser',
      };
    });
    for (let copy = 0; copy < 4; copy += 1) events.push({ event, ec2: false });
  }
  shuffle(events, 7);

  const test = testClients(iam, ec2, table);
  test.sns.on(PublishCommand).resolves({ MessageId: 'm' });
  const writes: Record<string, number> = {};
  rateLimit(test.clients, latencyMs, writes);
  const ledger = new DynamoDbLedger(table.client, table.tableName, 400);
  // A burst of this size would trip the default breaker: the benchmark measures containment, so it is raised.
  const breaker = { maxPerAccountPerHour: 10_000, maxPerPlaybookPerHour: 10_000 };
  const settings = { iam: responderSettings({ breaker }), ec2: responderSettings({ playbook: ec2Playbook, breaker }) };
  let invocation = 0;
  const deliver = (item: { event: unknown; ec2: boolean }): Promise<HandleResult | 'failed'> =>
    handleEvent(item.event, {
      settings: item.ec2 ? settings.ec2 : settings.iam,
      clients: test.clients,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:bench',
      log: quiet,
      ledger,
      invocationId: `burst-${(invocation += 1)}`,
    }).catch((error: unknown) => {
      if (process.env.BURST_DEBUG) console.error('FAILED', (error as Error).message.slice(0, 400));
      return 'failed' as const;
    });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = performance.now();
  const queue = [...events];
  const deadLetters: { event: unknown; ec2: boolean }[] = [];
  let suppressed = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const result = await deliver(item);
        if (result === 'failed') deadLetters.push(item);
        else if (
          result.kind === 'handled' &&
          (result.suppressed || result.outcome.status === 'duplicate' || result.outcome.status === 'already-contained')
        )
          suppressed += 1;
      }
    }),
  );
  const redriven = deadLetters.length;
  for (const item of deadLetters) await deliver(item);
  const totalMs = performance.now() - started;
  clearInterval(sampler);

  const usersContained = [...iam.users.values()].filter((user) => user.keys?.[0]?.status === 'Inactive').length;
  const instancesContained = [...ec2.instances.values()].filter((instance) =>
    instance.interfaceIds.every((eni) =>
      ec2.groupsOf(eni).every((group) => ec2.securityGroup(group).tags['firebreak:group-role'] === 'quarantine'),
    ),
  ).length;
  const minimum = Math.max(
    ...Object.entries(writes).map(
      ([name, count]) => (count / ((RATE_LIMITS as Record<string, number>)[name] ?? Infinity)) * 1000,
    ),
  );
  return {
    events: events.length,
    incidents: 300,
    contained: usersContained + instancesContained,
    duplicatesSuppressed: suppressed,
    failedThenRedriven: redriven,
    lost: 300 - usersContained - instancesContained,
    totalMs,
    minimumMsByRateLimits: minimum,
    ratioToMinimum: totalMs / minimum,
    writes,
    peakRssMb: peakRss / 1048576,
  };
}
