import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  EntityAlreadyExistsException,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { DRILL_TAG_KEY } from '../../lambdas/findings/drill-finding';
import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import type { DrillDependencies as ResponderDrillDependencies } from '../../lambdas/pipeline/drill-request';
import { signCallerProof } from '../../lib/cli/caller-proof';
import { runDrill } from '../../lib/cli/drill';
import type { DrillInvoke } from '../../lib/cli/drill-inject';
import { renderDrillReport } from '../../lib/cli/drill-render-report';
import { accessDenied } from '../support/aws-errors';
import type { FakeIam } from '../support/fake-iam';
import { HOME_ACCOUNT, ledgerWorld, responderSettings } from '../support/settings';
import { loadReleaseModule } from '../identity/release-module';
import { REGION, RELEASE_FUNCTION, fakeSts, homePrincipal } from '../identity/sts-principals';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const RESPONDER = 'Firebreak-responder-iam';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic';
const ALICE = homePrincipal('alice');
const { handleReleaseEvent } = loadReleaseModule();
const sha256 = new STSClient({ region: REGION }).config.sha256;

/** The person's IAM writes a drill makes (the responder's are in FakeIam already), on the fake's state. */
function withCanaryCommands(iam: FakeIam): void {
  let keys = 0;
  iam.mock.on(CreateUserCommand).callsFake((input: { UserName: string; Tags?: { Key: string; Value: string }[] }) => {
    if (iam.users.has(input.UserName))
      throw new EntityAlreadyExistsException({
        message: `User with name ${input.UserName} already exists.`,
        $metadata: {},
      });
    const tags = Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    iam.addUser(input.UserName, { id: `AIDADRILLCANARY${String(iam.users.size).padStart(5, '0')}`, tags });
    return { User: { UserName: input.UserName, UserId: iam.user(input.UserName).id } };
  });
  iam.mock.on(CreateAccessKeyCommand).callsFake((input: { UserName: string }) => {
    const id = `AKIADRILLCANARYKEY${String((keys += 1)).padStart(2, '0')}`;
    iam.user(input.UserName).keys!.push({ id, status: 'Active' });
    return { AccessKey: { UserName: input.UserName, AccessKeyId: id, Status: 'Active', SecretAccessKey: 'secret' } };
  });
  iam.mock.on(DeleteAccessKeyCommand).callsFake((input: { UserName: string; AccessKeyId: string }) => {
    const user = iam.user(input.UserName);
    user.keys = user.keys!.filter((key) => key.id !== input.AccessKeyId);
    return {};
  });
  iam.mock.on(ListUserPoliciesCommand).callsFake((input: { UserName: string }) => ({
    PolicyNames: Object.keys(iam.user(input.UserName).policies ?? {}),
  }));
  iam.mock.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
  iam.mock.on(DeleteUserCommand).callsFake((input: { UserName: string }) => {
    iam.users.delete(input.UserName);
    return {};
  });
}

function world() {
  const w = ledgerWorld((iam) => withCanaryCommands(iam));
  const sts = fakeSts(() => new Date(), [ALICE]);
  const calls: string[] = [];
  /** Lambda's Invoke, in this process: the responder's and the release function's handlers, with a signed proof. */
  const invoke: DrillInvoke = async (operation, functionName, request) => {
    calls.push(`${operation} ${functionName}`);
    const credentials = sts.credentials(ALICE.accessKeyId);
    const callerProof = await signCallerProof(operation, functionName, request, {
      region: REGION,
      credentials,
      sha256,
    });
    const event = { ...request, callerProof };
    const identity = { region: REGION, functionName, fetch: sts.fetch };
    const responder: ResponderDrillDependencies = {
      settings: responderSettings(),
      clients: w.clients,
      topicArn: TOPIC,
      log: quiet,
      ledger: w.ledger,
      invocationId: 'request-1',
      callerIdentity: identity,
    };
    try {
      const result =
        operation === 'drill'
          ? await handleEvent(event, responder)
          : await handleReleaseEvent(event, {
              ledger: w.ledger,
              clients: w.clients,
              topicArn: TOPIC,
              exemptionHours: 24,
              identity: { homeAccountId: HOME_ACCOUNT, ...identity },
              log: quiet,
            });
      return { result: JSON.parse(JSON.stringify(result)) as unknown, body: JSON.stringify(result) };
    } catch (error) {
      const result = { errorType: (error as Error).name, errorMessage: (error as Error).message };
      return { functionError: 'Unhandled', result, body: JSON.stringify(result) };
    }
  };
  return { ...w, invoke, calls };
}

const drill = (w: ReturnType<typeof world>, invoke: DrillInvoke = w.invoke) =>
  runDrill(
    { iam: w.iam.client, ledger: w.ledger, invoke, sleep: () => Promise.resolve() },
    { responderFunction: RESPONDER, releaseFunction: RELEASE_FUNCTION, drillId: '20261121-0000abcd', settleMs: 50 },
  );
const statuses = (report: Awaited<ReturnType<typeof runDrill>>) =>
  Object.fromEntries(report.phases.map((phase) => [phase.name, phase.status]));

describe('firebreak drill on the fakes', () => {
  it('passes end to end: every phase ok, the canary contained, released and deleted', async () => {
    const w = world();
    const report = await drill(w);
    expect(renderDrillReport(report)).toMatch(/^FIREBREAK DRILL 20261121-0000abcd: PASSED\n/);
    expect(w.calls).toEqual([`drill ${RESPONDER}`, `release ${RELEASE_FUNCTION}`]);
    expect(w.iam.users.has('firebreak-drill-20261121-0000abcd')).toBe(false);
    expect(renderDrillReport(report)).toMatch(/^FIREBREAK DRILL 20261121-0000abcd: PASSED\n/);
    expect(report.ok).toBe(true);
  });

  it('cleans up after a failed release: the key, the deny policy and the user are deleted all the same', async () => {
    const w = world();
    const failingRelease: DrillInvoke = (operation, functionName, request) =>
      operation === 'release'
        ? Promise.resolve({
            functionError: 'Unhandled',
            result: { errorType: 'Error', errorMessage: 'timed out' },
            body: '',
          })
        : w.invoke(operation, functionName, request);
    const report = await drill(w, failingRelease);
    expect(report.ok).toBe(false);
    expect(statuses(report)).toMatchObject({
      'containment effective': 'ok',
      release: 'failed',
      'verify release': 'skipped',
      'clean up': 'ok',
    });
    expect(report.cleanedUp.map((item) => `${item.status} ${item.resource}`)).toEqual([
      'deleted access key AKIADRILLCANARYKEY01',
      'deleted inline policy firebreak-deny-sessions-issued-before',
      'deleted IAM user firebreak-drill-20261121-0000abcd',
    ]);
    expect(w.iam.users.size).toBe(0);
  });

  it('cleans up after a partial containment and after a responder that cannot be reached', async () => {
    const partial = world();
    partial.iam.failOn('PutUserPolicy', accessDenied('iam:PutUserPolicy'));
    const report = await drill(partial);
    expect(statuses(report)).toMatchObject({ inject: 'failed', 'containment effective': 'failed', 'clean up': 'ok' });
    expect(report.phases.find((phase) => phase.name === 'inject')!.detail).toContain('ContainmentIncompleteError');
    expect(partial.iam.users.size).toBe(0);

    const unreachable = world();
    const report2 = await drill(unreachable, () => Promise.reject(new Error('connect ETIMEDOUT')));
    expect(statuses(report2)).toMatchObject({ inject: 'failed', release: 'failed', 'clean up': 'ok' });
    expect(unreachable.iam.users.size).toBe(0);
  });

  it('deletes nothing that lacks its tag: a user of that name from before is refused and left', async () => {
    const w = world();
    w.iam.addUser('firebreak-drill-20261121-0000abcd', { id: 'AIDAPREEXISTING00001', tags: { team: 'payments' } });
    const report = await drill(w);
    expect(statuses(report)).toMatchObject({ 'create canaries': 'failed', inject: 'skipped', 'clean up': 'failed' });
    expect(report.cleanedUp).toEqual([
      {
        resource: 'IAM user firebreak-drill-20261121-0000abcd',
        status: 'refused',
        detail: `not deleted: it does not carry the tag ${DRILL_TAG_KEY}; the drill deletes only its own canaries`,
      },
    ]);
    expect(w.iam.users.has('firebreak-drill-20261121-0000abcd')).toBe(true);
    expect(w.calls).toEqual([]);
  });
});
