import { PublishCommand } from '@aws-sdk/client-sns';
import { ContainmentIncompleteError, handleEvent } from '../../lambdas/pipeline/handle-event';
import type { Outcome } from '../../lambdas/model/outcome';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { CHAT_LIMITS, renderChat, type ChatMessage } from '../../lambdas/notify/render-chat';
import { accessDenied } from '../support/aws-errors';
import { FakeIam } from '../support/fake-iam';
import { editedEvent, loadEvent, loadFinding } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, iamPlaybook, responderSettings, testClients } from '../support/settings';

const CHAT_TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Chat';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';

const ciDeploy = () =>
  new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  });

async function outcomeOf(
  options: { iam?: FakeIam; fixture?: string; settings?: Parameters<typeof responderSettings>[0] } = {},
): Promise<Outcome> {
  const { clients } = testClients(options.iam ?? ciDeploy());
  return runPlaybook(loadFinding(options.fixture ?? 'guardduty/iam-user-long-term-key'), {
    settings: responderSettings(options.settings),
    clients,
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
}

const KEY_RELEASE =
  '`aws iam update-access-key --user-name ci-deploy --access-key-id AKIAI44QH8DHBEXAMPLE --status Active`';

const CASES: [string, () => Promise<Outcome>, { status: string; title: RegExp; step?: string; next: string }][] = [
  [
    'contained',
    () => outcomeOf(),
    {
      status: 'contained',
      title: /^:white_check_mark: Firebreak CONTAINED \| Medium 5 \| IAM user ci-deploy/,
      step: '1. *DONE* Deactivate access key AKIAI44QH8DHBEXAMPLE of user ci-deploy (was Active) (verified: yes)',
      next: `Undo (2 of 2): ${KEY_RELEASE}`,
    },
  ],
  [
    'partially contained',
    () => outcomeOf({ iam: ciDeploy().failOn('PutUserPolicy', accessDenied('iam:PutUserPolicy')) }),
    {
      status: 'partially-contained',
      title: /^:rotating_light: Firebreak URGENT PARTIALLY CONTAINED/,
      step: '*FAILED* Deny every session of user ci-deploy',
      next: KEY_RELEASE,
    },
  ],
  [
    'dry run',
    () => outcomeOf({ settings: { playbook: iamPlaybook({ mode: 'dry-run' }) } }),
    {
      status: 'dry-run',
      title: /^:memo: Firebreak DRY RUN/,
      step: '1. *WOULD DO* Deactivate access key',
      next: `Once enforced, undo with (2 of 2): ${KEY_RELEASE}`,
    },
  ],
  [
    'skipped',
    () => outcomeOf({ settings: { protectedPrincipals: ['arn:aws:iam::*:user/ci-deploy'] } }),
    {
      status: 'skipped',
      title: /^:information_source: Firebreak NO ACTION/,
      step: 'Nothing: arn:aws:iam::111122223333:user/ci-deploy is a protected principal',
      next: 'Nothing to undo: Firebreak changed nothing.',
    },
  ],
  [
    'manual action',
    () => outcomeOf({ fixture: 'guardduty/root' }),
    {
      status: 'manual-action-required',
      title: /^:rotating_light: Firebreak URGENT ACTION REQUIRED/,
      next: 'Nothing to undo: Firebreak changed nothing.',
    },
  ],
];

function expectWithinLimits(message: ChatMessage) {
  expect(message.content.title.length).toBeLessThanOrEqual(CHAT_LIMITS.title);
  expect(message.content.description.length).toBeLessThanOrEqual(CHAT_LIMITS.description);
  expect(message.content.nextSteps.length).toBeLessThanOrEqual(CHAT_LIMITS.nextSteps);
  for (const step of message.content.nextSteps) expect(step.length).toBeLessThanOrEqual(CHAT_LIMITS.nextStep);
  expect(message.content.keywords.length).toBeLessThanOrEqual(CHAT_LIMITS.keywords);
  for (const keyword of message.content.keywords) expect(keyword.length).toBeLessThanOrEqual(CHAT_LIMITS.keyword);
}

describe('renderChat', () => {
  it.each(CASES)(
    '%s: the custom notification format with what was detected, done, left to do and how to release',
    async (_name, build, expected) => {
      const outcome = await build();
      expect(outcome.status).toBe(expected.status);
      const message = renderChat(outcome);
      expect(message).toMatchObject({
        version: '1.0',
        source: 'custom',
        content: { textType: 'client-markdown' },
        metadata: { eventType: 'firebreak.outcome' },
      });
      expect(message.content.title).toMatch(expected.title);
      const { description, nextSteps } = message.content;
      expect(description).toContain('*What was detected*');
      expect(description).toContain('Account `111122223333`, Region `us-east-1`');
      expect(description).toContain('*What Firebreak did* (playbook `compromised-iam-credentials`');
      if (expected.step) expect(description).toContain(expected.step);
      expect(nextSteps.some((step) => step.includes(expected.next))).toBe(true);
      for (const manual of outcome.manualSteps.slice(0, 3))
        expect(nextSteps.join('\n')).toContain(manual.slice(0, 40).replace(/`/g, "'"));
      expect(message.content.keywords).toEqual(expect.arrayContaining(['compromised-iam-credentials', HOME_ACCOUNT]));
      expect(message.metadata.additionalContext).toMatchObject({
        outcome: expected.status,
        accountId: HOME_ACCOUNT,
        playbook: 'compromised-iam-credentials',
      });
      expectWithinLimits(message);
    },
  );

  it('a hostile user agent cannot mention the channel, add a link, forge lines or escape its code span', async () => {
    const event = editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.detail.service.action.awsApiCallAction.userAgent.fullUserAgent =
        'curl` <!channel> [click](https://evil.example)\n*DONE* all fine\u202e';
    });
    const parsed = parseEvent(event);
    if (parsed.kind !== 'finding') throw new Error('fixture');
    const outcome = await runPlaybook(parsed.finding, {
      settings: responderSettings(),
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    const text = JSON.stringify(renderChat(outcome));
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('](https://evil');
    expect(text).not.toContain('\u202e');
    expect(text).not.toContain('*DONE* all fine');
  });

  it('bounds everything and says where the rest is when a message is too long for chat', async () => {
    const outcome = await outcomeOf();
    const long: Outcome = {
      ...outcome,
      manualSteps: Array.from({ length: 30 }, (_, index) => `step ${index} ${'x'.repeat(3000)}`),
      steps: Array.from({ length: 60 }, () => outcome.steps[0]!),
    };
    const message = renderChat(long);
    expectWithinLimits(message);
    // The e-mail may be shortened too (to fit SNS), so the chat no longer promises it has everything.
    expect(message.content.description).toMatch(/more line\(s\): see the e-mail message\.$/);
    expect(message.content.nextSteps.at(-1)).toMatch(/more step\(s\): see the e-mail message\.$/);
  });

  it('with thousands of steps: counts with separators, renders only what it shows, keeps the whole-incident release', async () => {
    const outcome = await outcomeOf();
    const long: Outcome = {
      ...outcome,
      incidentId: 'incident-1',
      steps: Array.from({ length: 20_000 }, () => outcome.steps[0]!),
      manualSteps: Array.from({ length: 3_000 }, (_, index) => `manual ${index}`),
      release: Array.from(
        { length: 5_000 },
        (_, index) => `aws iam update-access-key --access-key-id AKIA${index} --status Active`,
      ),
    };
    const started = Date.now();
    const message = renderChat(long);
    expect(Date.now() - started).toBeLessThan(1_000);
    expectWithinLimits(message);
    expect(message.content.description).toMatch(/… \d{1,3}(,\d{3})+ more line\(s\): see the e-mail message\.$/);
    expect(message.content.nextSteps.at(-2)).toBe('… 7,992 more step(s): see the e-mail message.');
    // The one command that undoes everything is never the part that is cut.
    expect(message.content.nextSteps.at(-1)).toMatch(/^Or undo all of it from the recorded pre-state/);
  });

  it('never alters a command: one that cannot be shown safely points to the e-mail instead', async () => {
    const outcome = await outcomeOf();
    const message = renderChat({
      ...outcome,
      release: ['aws iam delete-user-policy --user-name `whoami` --policy-name <x>'],
    });
    expect(message.content.nextSteps).toContain(
      'Undo (1 of 1): this command cannot be shown safely in chat: copy it from the e-mail message',
    );
  });
});

describe('handleEvent with a chat topic', () => {
  function setup() {
    const test = testClients(ciDeploy());
    const deps = {
      settings: responderSettings(),
      clients: test.clients,
      topicArn: TOPIC,
      chatTopicArn: CHAT_TOPIC,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => FIXED_NOW,
    };
    return { ...test, deps };
  }

  it('publishes the chat form to the chat topic after the main message', async () => {
    const { deps, sns } = setup();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), deps);
    const calls = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.TopicArn)).toEqual([TOPIC, CHAT_TOPIC]);
    expect(calls[1]!.MessageStructure).toBeUndefined();
    expect(JSON.parse(calls[1]!.Message!)).toMatchObject({
      version: '1.0',
      source: 'custom',
      metadata: { additionalContext: { outcome: 'contained' } },
    });
  });

  it('a chat failure keeps the main message and is reported as a problem', async () => {
    const { deps, sns, iam } = setup();
    sns.on(PublishCommand, { TopicArn: TOPIC }).resolves({ MessageId: 'main' });
    sns.on(PublishCommand, { TopicArn: CHAT_TOPIC }).rejects(accessDenied('sns:Publish'));
    const handled = handleEvent(loadEvent('guardduty/iam-user-long-term-key'), deps);
    await expect(handled).rejects.toBeInstanceOf(ContainmentIncompleteError);
    await expect(handled).rejects.toThrow(`the chat message was not published: sns:Publish on ${CHAT_TOPIC} failed`);
    expect(sns.commandCalls(PublishCommand, { TopicArn: TOPIC })).toHaveLength(1);
    expect(iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  });
});
