import { PublishCommand, type PublishCommandInput } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import type { Outcome, StepOutcome } from '../../lambdas/model/outcome';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { buildNotification, publishChatMessage, publishNotification } from '../../lambdas/notify/publish-outcome';
import { renderRejection } from '../../lambdas/notify/render-rejection';
import { FakeIam } from '../support/fake-iam';
import { loadFinding } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, testClients } from '../support/settings';

// Amazon SNS: a message is at most 262,144 bytes of UTF-8 (not characters), and every message attribute's name,
// data type and value counts toward it; a per-protocol JSON message counts whole, every protocol's value in it.
// The subject is at most 100 characters (counted here too, to be safe).
const SNS_LIMIT = 262_144;
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';
const bytes = (value: string) => Buffer.byteLength(value, 'utf8');

function publishedSize(input: PublishCommandInput): number {
  const attributes = Object.entries(input.MessageAttributes ?? {}).reduce(
    (sum, [name, value]) => sum + bytes(name) + bytes(value.DataType ?? '') + bytes(value.StringValue ?? ''),
    0,
  );
  return bytes(input.Message ?? '') + bytes(input.Subject ?? '') + attributes;
}

let base: Outcome;
beforeAll(async () => {
  const iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  });
  base = await runPlaybook(loadFinding('guardduty/iam-user-long-term-key'), {
    settings: responderSettings(),
    clients: testClients(iam).clients,
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
});

/** Thousands of steps (every other one failed, with its own undo commands and a long error), manual steps, release commands and evidence ids. */
function huge(options: { steps?: number; unit?: string } = {}): Outcome {
  const unit = options.unit ?? 'x';
  const count = options.steps ?? 5_000;
  const template = base.steps[0]!;
  const steps: StepOutcome[] = Array.from({ length: count }, (_, index) => ({
    ...template,
    status: index % 2 === 0 ? 'done' : 'failed',
    summary: `Snapshot volume vol-${String(index).padStart(17, '0')} ${unit.repeat(500)}`,
    replaced: {
      snapshotIds: Array.from({ length: 50 }, (_unused, n) => `snap-${index}-${n}`),
      note: unit.repeat(2_000),
    },
    release: [
      `aws ec2 delete-snapshot --snapshot-id snap-${index} # ${unit.repeat(300)}`,
      `aws ec2 modify-instance-attribute --no-disable-api-termination # ${index}`,
    ],
    ...(index % 2 === 1
      ? { error: { name: 'AwsCallError', message: `ec2:CreateSnapshots failed ${unit.repeat(2_000)}` } }
      : {}),
  }));
  return {
    ...base,
    status: 'partially-contained',
    urgent: true,
    incidentId: 'incident-1/user/ci-deploy/AKIAI44QH8DHBEXAMPLE',
    finding: {
      ...base.finding,
      title: unit.repeat(60_000),
      activity: { ...base.finding.activity, userAgent: unit.repeat(100_000) },
    },
    steps,
    manualSteps: Array.from({ length: 3_000 }, (_, index) => `Manual step ${index}: ${unit.repeat(700)}`),
    release: Array.from(
      { length: 5_000 },
      (_, index) => `aws ec2 delete-snapshot --snapshot-id snap-${index} ${unit.repeat(300)}`,
    ),
  };
}

async function published(notification: ReturnType<typeof buildNotification>): Promise<PublishCommandInput> {
  const { clients, sns } = testClients();
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  await publishNotification(notification, TOPIC, clients);
  return sns.commandCalls(PublishCommand)[0]!.args[0].input;
}

describe('every message fits in one SNS message (262,144 bytes)', () => {
  it.each([
    ['ASCII', 'x'],
    ['three-byte characters', '漢'],
    ['four-byte characters', '😀'],
  ])(
    'thousands of steps and very long fields (%s): published under the limit, the important parts first, and it says what was cut',
    async (_name, unit) => {
      const outcome = huge({ unit });
      const input = await published(buildNotification(outcome));
      expect(publishedSize(input)).toBeLessThanOrEqual(SNS_LIMIT);
      expect(input.Subject!.length).toBeLessThanOrEqual(100);

      const envelope = JSON.parse(input.Message!) as Record<string, string>;
      expect(Object.keys(envelope)).toEqual(['default', 'email', 'email-json', 'sqs', 'lambda', 'http', 'https']);
      for (const body of Object.values(envelope)) expect(bytes(body)).toBeLessThan(SNS_LIMIT);

      const text = envelope.email!;
      // What happened, what was done, how to undo it: all there, in that order, each cut list saying how much is missing.
      const order = [
        'URGENT - PARTIALLY CONTAINED',
        'Firebreak only PARTLY contained',
        'WHAT WAS DETECTED',
        'WHAT FIREBREAK DID',
        'WHAT A HUMAN STILL HAS TO DO',
        'HOW TO RELEASE',
      ].map((part) => text.indexOf(part));
      expect(order.every((index) => index >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(text).toContain('shortened to fit');
      expect(text).toMatch(/\.\.\. and [\d,]+ more steps/);
      expect(text).toMatch(/\.\.\. and [\d,]+ more manual steps/);
      expect(text).toMatch(/\.\.\. and [\d,]+ more release commands/);
      expect(text).toMatch(/and \d{1,3}(,\d{3})+ more/); // thousands, written with separators
      // The whole-incident release is never cut: one command undoes everything the cut list holds.
      expect(text).toContain(`release '${outcome.incidentId}'`);
      expect(text).toContain('[DONE] Snapshot volume vol-00000000000000000');
      expect(text).toContain('$ aws ec2 delete-snapshot --snapshot-id snap-0 ');

      const json = JSON.parse(envelope.sqs!);
      expect(json).toMatchObject({
        schemaVersion: '1',
        kind: 'firebreak.outcome',
        status: 'partially-contained',
        incidentId: outcome.incidentId,
      });
      expect(json.steps.length).toBeGreaterThan(0);
      expect(json.steps.length).toBeLessThan(5_000);
      expect(json.steps[0].summary).toContain('vol-00000000000000000');
      expect(json.truncated.lists).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'steps', total: 5_000, kept: json.steps.length })]),
      );
      expect(json.truncated.lists).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'release', total: 5_000 })]),
      );
      expect(json.truncated.stringsShortened).toBeGreaterThan(0);
      expect(envelope['email-json']).toBe(envelope.sqs);
    },
  );

  it('a message that fits is not changed: no note, no truncated field', async () => {
    const notification = buildNotification(base);
    expect(notification.text).not.toContain('shortened');
    expect(JSON.parse(notification.json).truncated).toBeUndefined();
    expect(JSON.parse(notification.json).steps).toHaveLength(base.steps.length);
  });

  it('the chat form, with thousands of steps and long fields, is under the limit and says what was cut', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await publishChatMessage(huge({ unit: '😀' }), 'arn:aws:sns:us-east-1:111122223333:Firebreak-Chat', clients);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publishedSize(input)).toBeLessThanOrEqual(SNS_LIMIT);
    const chat = JSON.parse(input.Message!);
    expect(chat.content.description).toMatch(/[\d,]+ more line\(s\)/);
    expect(chat.content.nextSteps.at(-2)).toMatch(/\d{1,3}(,\d{3})+ more step\(s\)/);
    expect(chat.content.nextSteps.at(-1)).toMatch(/^Or undo all of it/);
  });

  it('any other message (here a rejection with 20,000 problems) is cut to fit too, saying so', async () => {
    const problems = Array.from(
      { length: 20_000 },
      (_, index) => `detail.resource[${index}]: expected string, got ${'y'.repeat(200)}`,
    );
    const input = await published(renderRejection(problems, 'compromised-iam-credentials', 'event-1'));
    expect(publishedSize(input)).toBeLessThanOrEqual(SNS_LIMIT);
    const envelope = JSON.parse(input.Message!) as Record<string, string>;
    expect(envelope.email).toContain('URGENT - NOT READ');
    expect(envelope.email).toMatch(/\.\.\. and [\d,]+ more lines/);
    expect(envelope.email).toContain('Firebreak · playbook compromised-iam-credentials · event event-1');
    const json = JSON.parse(envelope.sqs!);
    expect(json).toMatchObject({ kind: 'firebreak.rejected', eventId: 'event-1' });
    expect(json.truncated.lists).toEqual([expect.objectContaining({ path: 'problems', total: 20_000 })]);
  });

  it('never over the limit, whatever the sizes (property-based)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          steps: fc.integer({ min: 0, max: 3_000 }),
          manual: fc.integer({ min: 0, max: 3_000 }),
          release: fc.integer({ min: 0, max: 3_000 }),
          field: fc.integer({ min: 0, max: 200_000 }),
          unit: fc.constantFrom('a', 'é', '漢', '😀', '"', '\\', '\u202e'),
        }),
        async ({ steps, manual, release, field, unit }) => {
          const outcome = huge({ steps, unit });
          const input = await published(
            buildNotification({
              ...outcome,
              manualSteps: outcome.manualSteps.slice(0, manual),
              release: outcome.release.slice(0, release),
              finding: { ...outcome.finding, activity: { ...outcome.finding.activity, userAgent: unit.repeat(field) } },
            }),
          );
          expect(publishedSize(input)).toBeLessThanOrEqual(SNS_LIMIT);
        },
      ),
      { numRuns: 25 },
    );
  });
});
