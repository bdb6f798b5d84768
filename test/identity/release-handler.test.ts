import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import { CallerNotAuthenticatedError } from '../../lambdas/identity/verify-caller';
import type { ReleaseDependencies } from '../../lambdas/handlers/release';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, ledgerWorld, responderSettings } from '../support/settings';
import { loadReleaseModule } from './release-module';
import { ALICE, MALLORY, REGION, RELEASE_FUNCTION, fakeSts, proofOf } from './sts-principals';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';
const REFUSED_SUBJECT = `Firebreak URGENT UNAUTHENTICATED RELEASE REFUSED | ${INCIDENT}`.slice(0, 97) + '...';
const minutes = (n: number) => new Date(FIXED_NOW.getTime() + n * 60_000);
const { handleReleaseEvent } = loadReleaseModule();

/** A contained access key (the incident in the ledger), the release function's dependencies at `at`, and STS. */
async function contained(at = minutes(10)) {
  const w = ledgerWorld((iam) =>
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] }),
  );
  await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
    settings: responderSettings(),
    clients: w.clients,
    topicArn: TOPIC,
    log: quiet,
    ledger: w.ledger,
    invocationId: 'r1',
    now: () => FIXED_NOW,
  });
  expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  w.sns.resetHistory();
  const sts = fakeSts(() => at);
  const deps: ReleaseDependencies = {
    ledger: w.ledger,
    clients: w.clients,
    topicArn: TOPIC,
    exemptionHours: 24,
    identity: { homeAccountId: HOME_ACCOUNT, region: REGION, functionName: RELEASE_FUNCTION, fetch: sts.fetch },
    log: quiet,
    now: () => at,
  };
  const messages = () => w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
  const keyStatus = () => w.iam.user('ci-deploy').keys![0]!.status;
  return { w, sts, deps, messages, keyStatus, at };
}

async function refused(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CallerNotAuthenticatedError);
  return (error as Error).message;
}

describe('release function: the caller is authenticated with STS', () => {
  it('a forged release with releasedBy only is refused: nothing restored, no exemption, one urgent message', async () => {
    const { w, sts, deps, messages, keyStatus } = await contained();
    const message = await refused(handleReleaseEvent({ incidentId: INCIDENT, releasedBy: 'alice' }, deps));
    expect(message).toContain('Release refused, nothing was changed: the caller is not authenticated.');
    expect(message).toContain('callerProof: required');
    expect(message).toContain('releasedBy: a name the caller writes proves nothing and is not read');
    expect(keyStatus()).toBe('Inactive');
    const incident = await w.ledger.getIncident(INCIDENT);
    expect(incident!.releasedAt).toBeUndefined();
    expect(incident!.exemptUntil).toBeUndefined();
    expect(sts.calls).toHaveLength(0);
    expect(messages()).toHaveLength(1);
    expect(messages()[0]!.Subject).toBe(REFUSED_SUBJECT);
    expect(messages()[0]!.MessageAttributes!.urgent!.StringValue).toBe('true');
    const text = JSON.parse(messages()[0]!.Message!).email as string;
    expect(text).toContain(
      `Someone invoked ${RELEASE_FUNCTION} to release (undo the containment of, and exempt from re-containment) incident ${INCIDENT}`,
    );
    expect(text).toContain('Caller says it is: "alice" (not verified');
    expect(text).toContain(
      'Lambda does not tell a function who invoked it. CloudTrail does, if Lambda data events are logged',
    );
    expect(text).toContain(
      `npm run firebreak -- release '${INCIDENT}' --function ${RELEASE_FUNCTION} --region ${REGION}`,
    );
  });

  it('fields that look like an API Gateway or function URL request context are not an identity', async () => {
    const { deps, keyStatus } = await contained();
    const forged = {
      incidentId: INCIDENT,
      requestContext: {
        identity: { userArn: ALICE.arn },
        authorizer: { iam: { userArn: ALICE.arn, accountId: HOME_ACCOUNT } },
      },
    };
    expect(await refused(handleReleaseEvent(forged, deps))).toContain('Unrecognized key: "requestContext"');
    expect(keyStatus()).toBe('Inactive');
  });

  it('a valid proof: released, and the ledger and message record the ARN STS returned (the --by label beside it)', async () => {
    const { w, sts, deps, messages, keyStatus, at } = await contained();
    const request = { incidentId: INCIDENT, label: 'alice on call' };
    const callerProof = await proofOf(sts, ALICE, minutes(9), 'release', RELEASE_FUNCTION, request);
    const result = await handleReleaseEvent({ ...request, callerProof }, deps);
    const recorded = `${ALICE.arn} (--by "alice on call")`;
    expect(result).toMatchObject({
      kind: 'released',
      incidentId: INCIDENT,
      complete: true,
      releasedBy: recorded,
      caller: { arn: ALICE.arn, account: HOME_ACCOUNT, userId: ALICE.userId },
    });
    expect(keyStatus()).toBe('Active');
    expect(await w.ledger.getIncident(INCIDENT)).toMatchObject({ releasedBy: recorded, releasedAt: at.toISOString() });
    expect(JSON.parse(messages()[0]!.Message!).email).toContain(`was released by ${recorded}.`);
    expect(sts.calls).toHaveLength(1);
  });

  it('replaying the same proof within its 5 minutes only repeats the same release (idempotent); for another incident it is refused', async () => {
    const { w, sts, deps, keyStatus } = await contained();
    const request = { incidentId: INCIDENT };
    const callerProof = await proofOf(sts, ALICE, minutes(9), 'release', RELEASE_FUNCTION, request);
    await handleReleaseEvent({ ...request, callerProof }, deps);
    const writes = w.iam.writeCalls();
    const again = await handleReleaseEvent({ ...request, callerProof }, deps);
    expect(again.kind === 'released' && again.steps.every((step) => step.status === 'already-released')).toBe(true);
    expect(w.iam.writeCalls()).toBe(writes);
    expect(await refused(handleReleaseEvent({ incidentId: 'another-incident', callerProof }, deps))).toContain(
      'x-firebreak-request: expected',
    );
    expect(keyStatus()).toBe('Active');
  });

  it('a proof from another account, or a stale one, releases nothing', async () => {
    const { w, sts, deps, keyStatus, messages } = await contained();
    const request = { incidentId: INCIDENT };
    const foreign = await proofOf(sts, MALLORY, minutes(9), 'release', RELEASE_FUNCTION, request);
    expect(await refused(handleReleaseEvent({ ...request, callerProof: foreign }, deps))).toContain(
      "of account 444455556666, not of this stack's account 111122223333",
    );
    const stale = await proofOf(sts, ALICE, minutes(4), 'release', RELEASE_FUNCTION, request);
    expect(await refused(handleReleaseEvent({ ...request, callerProof: stale }, deps))).toContain(
      'more than 5 minutes',
    );
    expect(keyStatus()).toBe('Inactive');
    expect((await w.ledger.getIncident(INCIDENT))!.releasedAt).toBeUndefined();
    expect(messages().map((message) => message.Subject)).toEqual([REFUSED_SUBJECT, REFUSED_SUBJECT]);
  });

  it('a refusal whose urgent message cannot be sent still refuses, and says the message was not sent', async () => {
    const { w, deps } = await contained();
    w.sns.on(PublishCommand).rejects(Object.assign(new Error('topic gone'), { name: 'NotFoundException' }));
    expect(await refused(handleReleaseEvent({ incidentId: INCIDENT }, deps))).toMatch(
      /The urgent message about it was not sent: .*topic gone/,
    );
  });
});

describe('lambdas/handlers/release (as deployed)', () => {
  it('a payload with a self-declared releasedBy is refused before the ledger is read', async () => {
    const table = mockClient(DynamoDBClient);
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    table.on(GetItemCommand).resolves({});
    table.on(QueryCommand).resolves({ Items: [] });
    try {
      const { handler } = loadReleaseModule();
      const context = {
        functionName: RELEASE_FUNCTION,
        awsRequestId: 'r-1',
        invokedFunctionArn: `arn:aws:lambda:us-east-1:${HOME_ACCOUNT}:function:${RELEASE_FUNCTION}`,
      } as Context;
      await expect(handler({ incidentId: INCIDENT, releasedBy: 'alice' }, context)).rejects.toThrow(
        CallerNotAuthenticatedError,
      );
      expect(table.calls()).toHaveLength(0);
      expect(table.commandCalls(UpdateItemCommand)).toHaveLength(0);
      expect(table.commandCalls(PutItemCommand)).toHaveLength(0);
      expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    } finally {
      table.restore();
      sns.restore();
    }
  });
});
