import { PublishCommand } from '@aws-sdk/client-sns';
import type { ClientFactory } from '../../lambdas/aws/client-factory';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { serverError } from '../support/aws-errors';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { editedEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, ledgerWorld, responderSettings } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const MEMBER = '444455556666';
const minutes = (m: number) => new Date(FIXED_NOW.getTime() + m * 60_000);
const pad = (n: number) => String(n).padStart(12, '0');
const keyOf = (n: number) => `AKIAUSER${pad(n)}`;

/** Finding n: a leaked key of user-n in `account` (finding ids differ per account). */
const userEvent = (n: number, account = HOME_ACCOUNT) =>
  editedEvent('guardduty/iam-user-long-term-key', (e) => {
    e.detail.id = `finding${account}x${n}`;
    e.detail.accountId = account;
    e.detail.resource.accessKeyDetails.userName = `user-${n}`;
    e.detail.resource.accessKeyDetails.principalId = `AIDAUSER${pad(n)}`;
    e.detail.resource.accessKeyDetails.accessKeyId = keyOf(n);
  });

function addUsers(iam: FakeIam, from: number, to: number): void {
  for (let n = from; n <= to; n += 1)
    iam.addUser(`user-${n}`, { id: `AIDAUSER${pad(n)}`, keys: [{ id: keyOf(n), status: 'Active' }] });
}

/** The home account and one member account (its own IAM), one ledger and one topic. */
function world(users = 20) {
  const memberIam = new FakeIam(MEMBER);
  addUsers(memberIam, 1, users);
  const member = new FakeEc2(MEMBER);
  const w = ledgerWorld((iam) => addUsers(iam, 1, users));
  const clientFactory: ClientFactory = {
    forTarget: async (accountId) =>
      accountId === MEMBER
        ? { iam: memberIam.client, ec2: member.ec2Client, autoScaling: member.autoScalingClient }
        : { iam: w.clients.iam, ec2: w.clients.ec2, autoScaling: w.clients.autoScaling },
  };
  return { ...w, memberIam, clientFactory };
}

type World = ReturnType<typeof world>;

const limits = (account: number, playbook = 100): ResponderSettings =>
  responderSettings({
    breaker: { maxPerAccountPerHour: account, maxPerPlaybookPerHour: playbook },
    memberRoleName: 'FirebreakMemberResponder',
  });

function deliver(w: World, event: unknown, settings: ResponderSettings, invocationId: string, now = FIXED_NOW) {
  return handleEvent(event, {
    settings,
    clients: w.clients,
    clientFactory: w.clientFactory,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId,
    now: () => now,
  });
}

const statusOf = (result: HandleResult) => (result.kind === 'handled' ? result.outcome.status : result.kind);
const subjects = (w: World) => w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Subject ?? '');
const pages = (w: World) => subjects(w).filter((subject) => subject.includes('BREAKER OPEN'));
const activeKeys = (iam: FakeIam, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => iam.user(`user-${from + i}`).keys![0]!.status).filter(
    (status) => status === 'Inactive',
  ).length;
const count = (values: readonly string[], value: string) => values.filter((candidate) => candidate === value).length;

describe('blast-radius breaker under concurrent deliveries', () => {
  it('10 concurrent findings against a limit of 3: exactly 3 contained, 7 dry runs, one page', async () => {
    const w = world();
    const settings = limits(3);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => deliver(w, userEvent(i + 1), settings, `r${i + 1}`)),
    );
    const statuses = results.map(statusOf);
    expect(count(statuses, 'contained')).toBe(3);
    expect(count(statuses, 'dry-run')).toBe(7);
    expect(activeKeys(w.iam, 1, 10)).toBe(3);
    expect(pages(w)).toHaveLength(1);
    expect(pages(w)[0]).toContain(`account ${HOME_ACCOUNT}`);
    // Every finding still gets its own message: 3 contained, 7 dry runs saying why.
    expect(subjects(w).length - pages(w).length).toBe(10);
  });

  it('the playbook scope holds across accounts under concurrency too', async () => {
    const w = world();
    const settings = limits(100, 4);
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => deliver(w, userEvent(i + 1), settings, `home${i}`)),
      ...Array.from({ length: 6 }, (_, i) => deliver(w, userEvent(i + 1, MEMBER), settings, `member${i}`)),
    ]);
    expect(count(results.map(statusOf), 'contained')).toBe(4);
    expect(activeKeys(w.iam, 1, 6) + activeKeys(w.memberIam, 1, 6)).toBe(4);
    expect(pages(w)).toHaveLength(1);
    expect(pages(w)[0]).toContain('playbook compromised-iam-credentials');
  });
});

describe('the time to contain', () => {
  it('the slots are taken in the first round trip: every ledger call before the first write goes out before any returns', async () => {
    const w = world();
    const events: string[] = [];
    for (const [service, client] of [
      ['dynamodb', w.clients.dynamodb],
      ['iam', w.clients.iam],
    ] as const) {
      const target = client as unknown as {
        send: (command: { input?: { Key?: { pk?: { S?: string } } } }) => Promise<unknown>;
      };
      const send = target.send.bind(target);
      target.send = async (command) => {
        const name = `${service}:${command.constructor.name.replace(/Command$/, '')}${command.input?.Key?.pk?.S?.startsWith('BREAKER#') ? ' (breaker)' : ''}`;
        events.push(`start ${name}`);
        // Every DynamoDB call takes a while, so a second round trip would start after the first one ended.
        if (service === 'dynamodb') await new Promise((resolve) => setTimeout(resolve, 5));
        const result = await send(command);
        events.push(`end ${name}`);
        return result;
      };
    }
    const result = await deliver(w, userEvent(1), limits(3), 'r1');
    expect(statusOf(result)).toBe('contained');
    const beforeWrite = events.slice(0, events.indexOf('start iam:UpdateAccessKey'));
    const ledgerStarts = beforeWrite.flatMap((event, index) => (event.startsWith('start dynamodb:') ? [index] : []));
    const firstLedgerEnd = beforeWrite.findIndex((event) => event.startsWith('end dynamodb:'));
    expect(beforeWrite.filter((event) => event.includes('(breaker)') && event.startsWith('start'))).toHaveLength(2);
    expect(ledgerStarts.every((index) => firstLedgerEnd === -1 || index < firstLedgerEnd)).toBe(true);
    // And the contained run keeps its slots: nothing given back after it.
    expect(events.filter((event) => event.startsWith('start dynamodb:UpdateItem (breaker)'))).toHaveLength(2);
  });
});

describe('a flood of findings in one account', () => {
  it('that account falls to dry-run and pages once per hour; another account is still contained', async () => {
    const w = world();
    const settings = limits(3, 100);
    // Two waves in the same hour: 8 findings, then 8 more.
    const first = await Promise.all(
      Array.from({ length: 8 }, (_, i) => deliver(w, userEvent(i + 1), settings, `a${i}`, minutes(1))),
    );
    const second = await Promise.all(
      Array.from({ length: 8 }, (_, i) => deliver(w, userEvent(i + 9), settings, `b${i}`, minutes(40))),
    );
    expect(count([...first, ...second].map(statusOf), 'contained')).toBe(3);
    expect(pages(w)).toHaveLength(1);

    // The member account is not held back by the flood next door.
    const member = await Promise.all(
      Array.from({ length: 3 }, (_, i) => deliver(w, userEvent(i + 1, MEMBER), settings, `m${i}`, minutes(41))),
    );
    expect(member.map(statusOf)).toEqual(['contained', 'contained', 'contained']);
    expect(activeKeys(w.memberIam, 1, 3)).toBe(3);

    // The next hour: a new counter. Three more containments, then one more page.
    // Findings of users 4 to 8, held back last hour (planned only), are contained now as GuardDuty re-sends them.
    const next = await Promise.all(
      [4, 5, 6, 7, 8].map((n) => deliver(w, userEvent(n), settings, `c${n}`, minutes(61))),
    );
    expect(count(next.map(statusOf), 'contained')).toBe(3);
    expect(pages(w)).toHaveLength(2);
  });
});

describe('a flood in one account at the same moment as findings elsewhere', () => {
  it('does not starve the other account of the playbook slots it only held for a moment', async () => {
    const w = world();
    // Each account may have 2, the playbook 4: the flood's 6 extra runs each take a playbook slot as they find
    // their account full, and give it back; the member account still gets its 2.
    const settings = limits(2, 4);
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => deliver(w, userEvent(i + 1), settings, `flood${i}`)),
      ...Array.from({ length: 2 }, (_, i) => deliver(w, userEvent(i + 1, MEMBER), settings, `member${i}`)),
    ]);
    const statuses = results.map(statusOf);
    expect(count(statuses.slice(0, 8), 'contained')).toBe(2);
    expect(statuses.slice(8)).toEqual(['contained', 'contained']);
    expect(activeKeys(w.memberIam, 1, 2)).toBe(2);
    expect(pages(w)).toHaveLength(1);
    expect(pages(w)[0]).toContain(`account ${HOME_ACCOUNT}`);
  });
});

describe('which runs keep their slot', () => {
  it('a re-delivery of a contained finding (nothing written) gives its slot back', async () => {
    const w = world();
    const settings = limits(2);
    expect(statusOf(await deliver(w, userEvent(1), settings, 'first'))).toBe('contained');
    for (let i = 0; i < 4; i += 1)
      expect(statusOf(await deliver(w, userEvent(1), settings, `again${i}`, minutes(i + 1)))).toBe('already-contained');
    expect(statusOf(await deliver(w, userEvent(2), settings, 'second', minutes(10)))).toBe('contained');
    expect(await w.ledger.breakerState({ kind: 'account', accountId: HOME_ACCOUNT }, 2, minutes(11))).toMatchObject({
      count: 2,
    });
    expect(pages(w)).toHaveLength(0);
  });

  it('concurrent duplicates of one finding use one slot', async () => {
    const w = world();
    const settings = limits(2);
    const results = await Promise.all([1, 2, 3, 4].map((i) => deliver(w, userEvent(1), settings, `dup${i}`)));
    expect(count(results.map(statusOf), 'contained')).toBe(1);
    expect(await w.ledger.breakerState({ kind: 'account', accountId: HOME_ACCOUNT }, 2, minutes(1))).toMatchObject({
      count: 1,
    });
  });

  it('a finding gated after the read (exemption tag) gives its slot back', async () => {
    const w = world();
    w.iam.user('user-1').tags = { 'firebreak:exempt': 'true' };
    const settings = limits(1);
    expect(statusOf(await deliver(w, userEvent(1), settings, 'exempt'))).toBe('skipped');
    expect(statusOf(await deliver(w, userEvent(2), settings, 'next', minutes(1)))).toBe('contained');
  });

  it('a run whose write failed keeps its slot: the write may have taken', async () => {
    const w = world();
    // Every write fails (a timeout may still have applied it): nothing is confirmed contained.
    for (const command of ['UpdateAccessKey', 'PutUserPolicy', 'TagUser']) w.iam.failOn(command, serverError());
    const settings = limits(2);
    await expect(deliver(w, userEvent(1), settings, 'failing')).rejects.toThrow();
    expect(w.iam.user('user-1').keys![0]!.status).toBe('Active');
    expect(await w.ledger.breakerState({ kind: 'account', accountId: HOME_ACCOUNT }, 2, minutes(1))).toMatchObject({
      count: 1,
    });
  });
});

describe('closing the breaker', () => {
  it('reopens enforcement for that scope for the rest of the hour, up to the limit again, and pages again once', async () => {
    const w = world();
    const settings = limits(2);
    const before = await Promise.all([1, 2, 3, 4].map((n) => deliver(w, userEvent(n), settings, `r${n}`, minutes(1))));
    expect(count(before.map(statusOf), 'contained')).toBe(2);
    expect(pages(w)).toHaveLength(1);

    await w.ledger.closeBreaker({ kind: 'account', accountId: HOME_ACCOUNT }, minutes(2));
    const after = await Promise.all([5, 6, 7, 8].map((n) => deliver(w, userEvent(n), settings, `s${n}`, minutes(3))));
    expect(count(after.map(statusOf), 'contained')).toBe(2);
    expect(pages(w)).toHaveLength(2);
    expect(activeKeys(w.iam, 1, 8)).toBe(4);
  });
});
