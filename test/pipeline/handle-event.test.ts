import { PublishCommand } from '@aws-sdk/client-sns';
import { ContainmentIncompleteError, handleEvent } from '../../lambdas/pipeline/handle-event';
import { RecordingChannels } from '../../lambdas/pipeline/notify-recorder';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { accessDenied } from '../support/aws-errors';
import { FakeIam } from '../support/fake-iam';
import { loadEvent } from '../support/fixtures';
import { recordingLog } from '../support/recording-log';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, testClients } from '../support/settings';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';

function setup(
  iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  }),
) {
  const test = testClients(iam);
  test.sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  const { log, entries } = recordingLog();
  const deps = { settings: responderSettings(), clients: test.clients, topicArn: TOPIC, log, now: () => FIXED_NOW };
  return { ...test, deps, entries };
}

describe('handleEvent', () => {
  it('contains, then publishes exactly one message with attributes, e-mail text and JSON', async () => {
    const { deps, sns, iam } = setup();
    const result = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), deps);
    expect(result).toMatchObject({ kind: 'handled', messageId: 'message-1', outcome: { status: 'contained' } });
    expect(iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject!.length).toBeLessThanOrEqual(100);
    expect(input.MessageAttributes).toMatchObject({
      severity: { DataType: 'Number', StringValue: '5' },
      accountId: { StringValue: '111122223333' },
      playbook: { StringValue: 'compromised-iam-credentials' },
      outcome: { StringValue: 'contained' },
    });
    const message = JSON.parse(input.Message!);
    expect(message.email).toContain('WHAT WAS DETECTED');
    expect(JSON.parse(message.sqs)).toMatchObject({ kind: 'firebreak.outcome', status: 'contained' });
  });

  it('logs with the fixed keys', async () => {
    const { deps, entries } = setup();
    await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), deps);
    const step = entries.find(
      (entry) => entry.message === 'Step' && entry.attributes.action === 'iam-deactivate-access-key',
    )!;
    expect(step.attributes).toMatchObject({
      findingId: '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
      playbook: 'compromised-iam-credentials',
      accountId: '111122223333',
      region: 'us-east-1',
      mode: 'enforce',
      outcome: 'done',
      resource: 'arn:aws:iam::111122223333:user/ci-deploy',
      replaced: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' },
    });
  });

  it('ignores a GuardDuty event that is not a finding: logged, nothing read, written or sent', async () => {
    const { deps, sns, iam, entries } = setup();
    const result = await handleEvent(loadEvent('guardduty/not-a-finding-cloudtrail'), deps);
    expect(result.kind).toBe('ignored');
    expect(sns.calls()).toHaveLength(0);
    expect(iam.mock.calls()).toHaveLength(0);
    expect(
      entries.some(
        (entry) => entry.message === 'Event ignored' && String(entry.attributes.reason).includes('not a finding'),
      ),
    ).toBe(true);
  });

  it('rejects a malformed finding: no IAM call, an urgent notification naming the field, then throws for the DLQ', async () => {
    const { deps, sns, iam } = setup();
    await expect(handleEvent(loadEvent('guardduty/malformed/severity-as-string'), deps)).rejects.toBeInstanceOf(
      FindingRejectedError,
    );
    expect(iam.mock.calls()).toHaveLength(0);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.Subject).toContain('URGENT NOT READ');
    expect(JSON.parse(input.Message!).email).toContain('detail.severity');
  });

  it('a failed step: notifies the partial state once, then throws so the event is kept in the DLQ', async () => {
    const iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
      id: 'AIDAJQABLZS4A3QDU576Q',
      keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
    });
    iam.failOn('UpdateAccessKey', accessDenied());
    const { deps, sns } = setup(iam);
    await expect(handleEvent(loadEvent('guardduty/iam-user-long-term-key'), deps)).rejects.toBeInstanceOf(
      ContainmentIncompleteError,
    );
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.MessageAttributes!.outcome!.StringValue).toBe('partially-contained');
    expect(JSON.parse(calls[0]!.args[0].input.Message!).email).toContain('[FAILED]');
  });

  it('a sample finding: one notification, no IAM call at all', async () => {
    const { deps, sns, iam } = setup();
    const result = await handleEvent(loadEvent('guardduty/sample-iam-user'), deps);
    expect(result).toMatchObject({ kind: 'handled', outcome: { status: 'skipped' } });
    expect(iam.mock.calls()).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('an SNS failure is not swallowed (the event goes to the DLQ)', async () => {
    const { deps, sns } = setup();
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(handleEvent(loadEvent('guardduty/iam-user-long-term-key'), deps)).rejects.toThrow('sns:Publish');
  });
});

describe('handleEvent with other channels (what simulate and plan --live run)', () => {
  it('sends through the channels given, never to the topic, and acts as deployed', async () => {
    const { deps, sns, iam } = setup();
    const channels = new RecordingChannels();
    const result = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), { ...deps, channels });
    expect(result).toMatchObject({ kind: 'handled', messageId: 'recorded-1', outcome: { status: 'contained' } });
    expect(iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(sns.calls()).toHaveLength(0);
    expect(channels.sent).toEqual([
      expect.objectContaining({ kind: 'outcome', outcome: expect.objectContaining({ status: 'contained' }) }),
    ]);
  });

  it('without clients it is a simulation: state assumed, nothing read, written or sent', async () => {
    const { deps, sns, iam } = setup();
    const channels = new RecordingChannels();
    const { clients: _clients, ...simulated } = deps;
    const result = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), { ...simulated, channels });
    expect(result).toMatchObject({ kind: 'handled', outcome: { simulated: true, status: 'dry-run' } });
    expect(iam.mock.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(channels.sent).toHaveLength(1);
  });

  it('a rejected event is notified through the channels too', async () => {
    const { deps, sns } = setup();
    const channels = new RecordingChannels();
    await expect(
      handleEvent(loadEvent('guardduty/malformed/missing-resource'), { ...deps, channels }),
    ).rejects.toBeInstanceOf(FindingRejectedError);
    expect(sns.calls()).toHaveLength(0);
    expect(channels.sent).toEqual([expect.objectContaining({ kind: 'message' })]);
  });
});
