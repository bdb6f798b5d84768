import { PublishCommand } from '@aws-sdk/client-sns';
import { AwsCallError } from '../../lambdas/aws/aws-call-error';
import type { Outcome } from '../../lambdas/model/outcome';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import {
  buildNotification,
  NotificationNotPublishedError,
  publishChatMessage,
  publishNotification,
} from '../../lambdas/notify/publish-outcome';
import { accessDenied, serverError, throttling } from '../support/aws-errors';
import { loadFinding } from '../support/fixtures';
import { FIXED_NOW, responderSettings, testClients } from '../support/settings';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';

let outcome: Outcome;
beforeAll(async () => {
  outcome = await runPlaybook(loadFinding('guardduty/iam-user-long-term-key'), {
    settings: responderSettings(),
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
});

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('publishNotification retries a failed publish', () => {
  it('a publish that fails twice (throttled, then a 5xx) and then succeeds is sent, after two backoff waits', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).rejectsOnce(throttling()).rejectsOnce(serverError()).resolves({ MessageId: 'third-time' });
    const { waits, sleep } = recordingSleep();
    await expect(
      publishNotification(buildNotification(outcome), TOPIC, clients, { sleep, random: () => 1 }),
    ).resolves.toBe('third-time');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    // Exponential, with jitter bounded by 200 ms * 2^(n-1) (random() = 1 gives the bound).
    expect(waits).toEqual([200, 400]);
    // Every attempt sends the same message.
    const [first, second, third] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  });

  it('gives up after the bounded attempts: the error names the topic, counts the attempts and keeps the cause', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    const { waits, sleep } = recordingSleep();
    const published = publishNotification(buildNotification(outcome), TOPIC, clients, { sleep });
    await expect(published).rejects.toBeInstanceOf(NotificationNotPublishedError);
    const error = (await published.catch((caught: unknown) => caught)) as NotificationNotPublishedError;
    expect(error.message).toBe(
      `sns:Publish on ${TOPIC} failed after 3 attempt(s): KMSDisabledException: KMS key disabled`,
    );
    expect(error).toMatchObject({
      topicArn: TOPIC,
      attempts: 3,
      errorCode: 'KMSDisabledException',
      operation: 'sns:Publish',
    });
    expect(error.cause).toBeInstanceOf(AwsCallError);
    expect((error.cause as AwsCallError).resource).toBe(TOPIC);
    expect(((error.cause as AwsCallError).cause as Error).name).toBe('KMSDisabledException');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(waits).toHaveLength(2);
    for (const [index, wait] of waits.entries()) {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(200 * 2 ** index);
    }
  });

  it('takes its bounds from the options, and the waits never pass maxDelayMs', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).rejects(accessDenied('sns:Publish'));
    const { waits, sleep } = recordingSleep();
    await expect(
      publishNotification(buildNotification(outcome), TOPIC, clients, {
        attempts: 6,
        baseDelayMs: 100,
        maxDelayMs: 500,
        sleep,
        random: () => 1,
      }),
    ).rejects.toThrow(`sns:Publish on ${TOPIC} failed after 6 attempt(s): AccessDenied`);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(6);
    expect(waits).toEqual([100, 200, 400, 500, 500]);
  });

  it('a malformed request is not sent again as is: once more in its smallest form, then reported', async () => {
    const { clients, sns } = testClients();
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Invalid parameter: Message too long'), { name: 'InvalidParameterException' }));
    const { waits, sleep } = recordingSleep();
    await expect(publishNotification(buildNotification(outcome), TOPIC, clients, { sleep })).rejects.toThrow(
      `sns:Publish on ${TOPIC} failed after 2 attempt(s): InvalidParameterException`,
    );
    const [full, smallest] = sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(smallest!.Message!.length).toBeLessThan(full!.Message!.length / 2);
    expect(JSON.parse(smallest!.Message!).email).toMatch(/^SIMULATED: WOULD CONTAIN\n[^]*the rest did not fit/);
    expect(waits).toEqual([]);
  });

  it('a smallest form the topic accepts is the message that goes out', async () => {
    const { clients, sns } = testClients();
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('Invalid parameter: Message too long'), { name: 'InvalidParameter' }))
      .resolves({ MessageId: 'small' });
    await expect(
      publishNotification(buildNotification(outcome), TOPIC, clients, { sleep: async () => undefined }),
    ).resolves.toBe('small');
  });

  it('keeps the three-argument call (the default waits are short and real)', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).rejectsOnce(throttling()).resolves({ MessageId: 'm' });
    await expect(publishNotification(buildNotification(outcome), TOPIC, clients)).resolves.toBe('m');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('never sends an empty subject (SNS refuses one)', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    await publishNotification({ ...buildNotification(outcome), subject: ' \u202e ' }, TOPIC, clients);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).toBeUndefined();
  });
});

describe('publishChatMessage retries too', () => {
  const CHAT = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Chat';

  it('sent after a throttled attempt; a lasting failure names the chat topic', async () => {
    const { clients, sns } = testClients();
    sns.on(PublishCommand).rejectsOnce(throttling()).resolves({ MessageId: 'chat' });
    await expect(publishChatMessage(outcome, CHAT, clients, { sleep: async () => undefined })).resolves.toBe('chat');

    const failing = testClients();
    failing.sns.on(PublishCommand).rejects(throttling());
    await expect(publishChatMessage(outcome, CHAT, failing.clients, { sleep: async () => undefined })).rejects.toThrow(
      `sns:Publish on ${CHAT} failed after 3 attempt(s): Throttling`,
    );
    expect(failing.sns.commandCalls(PublishCommand)).toHaveLength(3);
  });
});
