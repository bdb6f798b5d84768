import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import type { Playbook } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { loadPlaybooks } from '../../lib/playbooks';
import { INSTANCE, instanceWorld } from '../support/action-cases';
import { serverError } from '../support/aws-errors';
import { editedEvent, loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, ledgerWorld } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbookById = (id: string): Playbook => loadPlaybooks().find((playbook) => playbook.id === id)!;

function world() {
  return ledgerWorld((iam, ec2) => {
    instanceWorld(iam, ec2);
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] });
  });
}

type World = ReturnType<typeof world>;

function deliver(
  w: World,
  event: unknown,
  options: { settings?: ResponderSettings; invocationId?: string; now?: Date } = {},
) {
  const now = options.now ?? FIXED_NOW;
  return handleEvent(event, {
    settings: options.settings ?? responderSettings({ playbook: playbookById('compromised-ec2-instance') }),
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId: options.invocationId ?? 'request-1',
    now: () => now,
  });
}

const messages = (w: World) => w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const writeCalls = (w: World) => w.iam.writeCalls() + w.ec2.writeCalls();

describe('exactly once in effect', () => {
  it('two concurrent deliveries of one finding: one snapshot set, one isolation, one message', async () => {
    const w = world();
    const event = loadEvent('guardduty/ec2-instance');
    const results = await Promise.all([
      deliver(w, event, { invocationId: 'a' }),
      deliver(w, event, { invocationId: 'b' }),
    ]);
    expect(w.ec2.snapshots.size).toBe(2);
    expect(
      w.ec2.ec2Mock.calls().filter((call) => (call.args[0] as object).constructor.name === 'CreateSnapshotsCommand'),
    ).toHaveLength(1);
    expect(
      w.ec2.autoScalingMock
        .calls()
        .filter((call) => (call.args[0] as object).constructor.name === 'EnterStandbyCommand'),
    ).toHaveLength(1);
    const statuses = results.map((result) => (result.kind === 'handled' ? result.outcome.status : result.kind)).sort();
    expect(statuses).toEqual(['contained', 'duplicate']);
    expect(messages(w)).toHaveLength(1);
  });

  it('a re-delivery after success writes nothing, takes no second snapshot and sends nothing', async () => {
    const w = world();
    const event = loadEvent('guardduty/ec2-instance');
    await deliver(w, event);
    const writes = writeCalls(w);
    const second = await deliver(w, event, { invocationId: 'r2' });
    expect(second.kind === 'handled' && second.outcome.status).toBe('already-contained');
    expect(writeCalls(w)).toBe(writes);
    expect(w.ec2.snapshots.size).toBe(2);
    const stepStatuses = second.kind === 'handled' ? second.outcome.steps.map((step) => step.summary) : [];
    expect(
      stepStatuses.filter((summary) => summary.startsWith('Already applied by an earlier delivery')).length,
    ).toBeGreaterThanOrEqual(6);
    // One message per finding: re-deliveries that change nothing are logged, not sent.
    expect(second.kind === 'handled' && second.suppressed).toContain('already reported as contained');
    expect(messages(w)).toHaveLength(1);
  });

  it('a lease left by a crashed invocation expires, and the next delivery completes the containment', async () => {
    const w = world();
    const event = loadEvent('guardduty/ec2-instance');
    const finding = event as { detail: { id: string } };
    // The crashed run took the incident with its isolation planned on the lease, and died before writing.
    const incidentId = `${finding.detail.id}/instance/${INSTANCE}`;
    const then = new Date(FIXED_NOW.getTime() - 180_000);
    const isolation = {
      index: 2,
      action: 'ec2-isolate-network',
      summary: 'Isolate (planned)',
      write: null,
      replaced: { interfaces: {} },
      appliedAt: then.toISOString(),
    };
    await w.ledger.leaseIncident(incidentId, 'crashed', 120_000, then, [isolation]);
    const result = await deliver(w, event, { invocationId: 'next' });
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
  });

  it('a live claim held by another delivery: this one reports a duplicate and sends nothing', async () => {
    const w = world();
    const event = loadEvent('guardduty/iam-user-long-term-key');
    const settings = responderSettings();
    const incident = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
    await w.ledger.leaseIncident(incident, 'other', 60_000, FIXED_NOW);
    const result = await deliver(w, event, { settings, invocationId: 'me' });
    expect(result.kind === 'handled' && result.outcome.status).toBe('duplicate');
    expect(w.iam.writeCalls()).toBe(0);
    expect(messages(w)).toHaveLength(0);
  });

  it('the ledger being unreachable fails closed: no write, notified, kept for the DLQ', async () => {
    const w = world();
    w.table.failOn('PutItem', serverError());
    await expect(
      deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: responderSettings() }),
    ).rejects.toThrow('dynamodb:PutItem');
    expect(w.iam.writeCalls()).toBe(0);
    expect(messages(w)).toHaveLength(1);
    expect(messages(w)[0]!.MessageAttributes!.outcome!.StringValue).toBe('not-contained');
  });
});

describe('blast-radius breaker', () => {
  const userEvent = (n: number) =>
    editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.detail.id = `finding${n}`;
      e.detail.resource.accessKeyDetails.userName = `user-${n}`;
      e.detail.resource.accessKeyDetails.principalId = `AIDAUSER${String(n).padStart(12, '0')}`;
      e.detail.resource.accessKeyDetails.accessKeyId = `AKIAUSER${String(n).padStart(12, '0')}`;
    });

  it('past the limit per account per hour, playbooks fall back to dry-run and one urgent message says so', async () => {
    const w = world();
    for (let n = 1; n <= 4; n += 1) {
      w.iam.addUser(`user-${n}`, {
        id: `AIDAUSER${String(n).padStart(12, '0')}`,
        keys: [{ id: `AKIAUSER${String(n).padStart(12, '0')}`, status: 'Active' }],
      });
    }
    const settings = responderSettings({ breaker: { maxPerAccountPerHour: 2, maxPerPlaybookPerHour: 100 } });
    const statuses: string[] = [];
    for (let n = 1; n <= 4; n += 1) {
      const result = await deliver(w, userEvent(n), { settings, invocationId: `r${n}` });
      statuses.push(result.kind === 'handled' ? result.outcome.status : result.kind);
    }
    expect(statuses).toEqual(['contained', 'contained', 'dry-run', 'dry-run']);
    expect(w.iam.user('user-3').keys![0]!.status).toBe('Active');
    expect(w.iam.user('user-4').keys![0]!.status).toBe('Active');
    const breakerMessages = messages(w).filter((message) => message.Subject!.includes('BREAKER OPEN'));
    expect(breakerMessages).toHaveLength(1);
    expect(breakerMessages[0]!.Subject).toContain('account 111122223333');

    // A human closes the breaker: enforcement resumes.
    await w.ledger.closeBreaker({ kind: 'account', accountId: HOME_ACCOUNT }, new Date(FIXED_NOW.getTime() + 1000));
    const after = await deliver(w, userEvent(4), {
      settings,
      invocationId: 'r5',
      now: new Date(FIXED_NOW.getTime() + 2000),
    });
    expect(after.kind === 'handled' && after.outcome.status).toBe('contained');
    expect(w.iam.user('user-4').keys![0]!.status).toBe('Inactive');
  });

  it('a sample or protected finding never counts towards the breaker', async () => {
    const w = world();
    await deliver(w, loadEvent('guardduty/sample-iam-user'), { settings: responderSettings() });
    expect(w.table.itemsUnder('BREAKER#')).toHaveLength(0);
  });
});

describe('release exemption', () => {
  it('a released incident is not contained again by a re-delivery during the exemption', async () => {
    const w = world();
    const event = loadEvent('guardduty/iam-user-long-term-key');
    const settings = responderSettings();
    await deliver(w, event, { settings });
    const incidentId = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
    const incident = (await w.ledger.getIncident(incidentId))!;
    w.iam.user('ci-deploy').keys![0]!.status = 'Active';
    await w.ledger.markReleased(
      incidentId,
      'alice',
      FIXED_NOW,
      new Date(FIXED_NOW.getTime() + 3_600_000),
      incident.steps,
    );
    const again = await deliver(w, event, {
      settings,
      invocationId: 'r2',
      now: new Date(FIXED_NOW.getTime() + 60_000),
    });
    expect(again.kind === 'handled' && again.outcome.status).toBe('skipped');
    expect(again.kind === 'handled' && again.outcome.reason).toContain('released by alice');
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });
});

/** The commands sent to IAM and DynamoDB, in the order they went out; the breaker's counter writes as `Breaker<command>`. */
function callOrder(w: World): string[] {
  const order: string[] = [];
  for (const client of [w.clients.iam, w.clients.dynamodb] as unknown as {
    send: (command: { input?: unknown }) => Promise<unknown>;
  }[]) {
    const send = client.send.bind(client);
    client.send = (command: { input?: unknown }) => {
      const breaker = (command.input as { Key?: { pk?: { S?: string } } } | undefined)?.Key?.pk?.S?.startsWith(
        'BREAKER#',
      )
        ? 'Breaker'
        : '';
      order.push(breaker + command.constructor.name.replace(/Command$/, ''));
      return send(command);
    };
  }
  return order;
}

describe('the pre-state of every write is in the ledger before the write', () => {
  const iamPlaybook = () => responderSettings({ playbook: playbookById('compromised-iam-credentials') });

  it('a key whose real state is the one planned before reading is deactivated at once: its intent went out with the lease', async () => {
    const w = world();
    const order = callOrder(w);
    const result = await deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: iamPlaybook() });
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
    const lease = w.table.itemsUnder('INCIDENT#').find((item) => item.sk?.S === 'LEASE');
    // Ended after the message, without its planned intents: every step is recorded on its own.
    expect(lease?.state?.S).toBe('released');
    expect(lease?.planned).toBeUndefined();
    // The lease (the first PutItem) precedes the write; no intent write stands between the reads and the write.
    const write = order.indexOf('UpdateAccessKey');
    expect(order.indexOf('PutItem')).toBeLessThan(write);
    expect(order.slice(0, write)).not.toContain('UpdateItem');
    const incident = (await w.ledger.getIncident(result.kind === 'handled' ? result.outcome.incidentId! : ''))!;
    expect(incident.steps.find((step) => step.action === 'iam-deactivate-access-key')).toMatchObject({
      replaced: expect.anything(),
    });
    expect(incident.steps.every((step) => !step.unconfirmed)).toBe(true);
  });

  it('the lease carries the planned intents while the run holds it', async () => {
    const w = world();
    let plannedOnLease: unknown;
    const client = w.clients.iam as unknown as { send: (command: object) => Promise<unknown> };
    const send = client.send.bind(client);
    client.send = (command: object) => {
      if (command.constructor.name === 'UpdateAccessKeyCommand') {
        const lease = w.table.itemsUnder('INCIDENT#').find((item) => item.sk?.S === 'LEASE');
        plannedOnLease = JSON.parse(lease?.planned?.S ?? '[]');
      }
      return send(command);
    };
    await deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: iamPlaybook() });
    expect(plannedOnLease).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'iam-deactivate-access-key', replaced: expect.anything() }),
      ]),
    );
  });

  it('a step whose real pre-state differs from the planned one records its intent before it writes', async () => {
    const w = world();
    const old = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-01T00:00:00Z' } },
        },
      ],
    });
    w.iam.user('ci-deploy').policies = { 'firebreak-deny-sessions-issued-before': old };
    const order = callOrder(w);
    const result = await deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: iamPlaybook() });
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
    const write = order.indexOf('PutUserPolicy');
    expect(order.slice(0, write)).toContain('UpdateItem');
    const incident = (await w.ledger.getIncident(result.kind === 'handled' ? result.outcome.incidentId! : ''))!;
    expect(incident.steps.find((step) => step.action === 'iam-revoke-user-sessions')!.replaced).toEqual({
      policyName: 'firebreak-deny-sessions-issued-before',
      document: old,
    });
  });

  it('a write whose record fails keeps the lease, so its intent stays in the ledger and release must check it by hand', async () => {
    const w = world();
    const dynamodb = w.clients.dynamodb as unknown as {
      send: (command: {
        constructor: { name: string };
        input?: { Item?: { state?: { S?: string }; action?: { S?: string } } };
      }) => Promise<unknown>;
    };
    const send = dynamodb.send.bind(dynamodb);
    dynamodb.send = (command) => {
      const item = command.input?.Item;
      if (
        command.constructor.name === 'PutItemCommand' &&
        item?.state?.S === 'applied' &&
        item.action?.S === 'iam-deactivate-access-key'
      )
        return Promise.reject(serverError());
      return send(command);
    };
    await expect(
      deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: iamPlaybook() }),
    ).rejects.toThrow();
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const incidentId = `${(loadEvent('guardduty/iam-user-long-term-key') as { detail: { id: string } }).detail.id}/user/ci-deploy/AKIAI44QH8DHBEXAMPLE`;
    const { steps } = await w.ledger.readIncident(incidentId);
    expect(steps.find((step) => step.action === 'iam-deactivate-access-key')).toMatchObject({
      unconfirmed: true,
      replaced: expect.anything(),
    });
  });
});

describe('recurrence: the same resource again within 30 days', () => {
  const iamPlaybook = () => responderSettings({ playbook: playbookById('compromised-iam-credentials') });
  const otherFinding = () =>
    editedEvent('guardduty/iam-user-long-term-key', (event) => {
      event.detail.id = 'a-later-finding-about-the-same-key';
    });

  it("a second incident on the same principal names the first; the first incident's re-delivery is not checked again", async () => {
    const w = world();
    const first = await deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: iamPlaybook() });
    expect(first.kind === 'handled' && first.outcome.recurrenceChecked).toBe(true);
    expect(first.kind === 'handled' && first.outcome.recurrence).toBeUndefined();
    const again = await deliver(w, loadEvent('guardduty/iam-user-long-term-key'), {
      settings: iamPlaybook(),
      invocationId: 'r2',
      now: new Date(FIXED_NOW.getTime() + 3_600_000),
    });
    expect(again.kind === 'handled' && again.outcome.recurrenceChecked).toBeUndefined();
    const second = await deliver(w, otherFinding(), {
      settings: iamPlaybook(),
      invocationId: 'r3',
      now: new Date(FIXED_NOW.getTime() + 10 * 86_400_000),
    });
    expect(second.kind === 'handled' && second.outcome.recurrence).toEqual({
      previousIncidentId: first.kind === 'handled' ? first.outcome.incidentId : '',
      previousAt: FIXED_NOW.toISOString(),
    });
  });

  it('an incident more than 30 days after the last one is not a recurrence', async () => {
    const w = world();
    await deliver(w, loadEvent('guardduty/iam-user-long-term-key'), { settings: iamPlaybook() });
    const later = await deliver(w, otherFinding(), {
      settings: iamPlaybook(),
      invocationId: 'r3',
      now: new Date(FIXED_NOW.getTime() + 31 * 86_400_000),
    });
    expect(later.kind === 'handled' && later.outcome.recurrenceChecked).toBe(true);
    expect(later.kind === 'handled' && later.outcome.recurrence).toBeUndefined();
  });
});

describe('the incident read that goes out with the lease', () => {
  it("may already show this run's own planned intents: they do not slow the run or make its steps unconfirmed", async () => {
    const w = world();
    // The incident query is answered after this run's lease write landed (DynamoDB does not order the two).
    let leaseWritten: () => void = () => undefined;
    const leased = new Promise<void>((resolve) => (leaseWritten = resolve));
    const ordered = new Proxy(w.ledger, {
      get(target, property, receiver) {
        if (property === 'leaseIncident')
          return (...args: Parameters<typeof target.leaseIncident>) =>
            target.leaseIncident(...args).finally(leaseWritten);
        if (property === 'readIncident') return async (id: string) => (await leased, target.readIncident(id));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const order = callOrder(w);
    const result = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
      settings: responderSettings({ playbook: playbookById('compromised-iam-credentials') }),
      clients: w.clients,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
      log: quiet,
      ledger: ordered,
      invocationId: 'request-1',
      now: () => FIXED_NOW,
    });
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
    expect(order.slice(0, order.indexOf('UpdateAccessKey'))).not.toContain('UpdateItem');
    const { steps } = await w.ledger.readIncident(result.kind === 'handled' ? result.outcome.incidentId! : '');
    expect(steps.filter((step) => step.unconfirmed)).toEqual([]);
  });
});
