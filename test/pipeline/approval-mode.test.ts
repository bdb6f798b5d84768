import { UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { ApprovalDependencies } from '../../lambdas/pipeline/handle-approval';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import { CallerNotAuthenticatedError } from '../../lambdas/identity/verify-caller';
import type { ApprovalSettings } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { DynamoDbApprovals } from '../../lambdas/ledger/dynamodb-approvals';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, iamPlaybook, ledgerWorld, responderSettings } from '../support/settings';
import { MALLORY, fakeSts, homePrincipal, proofOf } from '../identity/sts-principals';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
const KEY_EVENT = 'guardduty/iam-user-long-term-key';
const minutes = (n: number) => new Date(FIXED_NOW.getTime() + n * 60_000);
const RESPONDER = 'Firebreak-responder-iam';
const PEOPLE = ['alice', 'bob', 'carol'].map(homePrincipal);
const arnOf = (name: string) => homePrincipal(name).arn;

function approveSettings(
  approval: ApprovalSettings = { timeoutMinutes: 30, onTimeout: 'drop' },
  overrides: Partial<ResponderSettings> = {},
): ResponderSettings {
  return responderSettings({ playbook: iamPlaybook({ mode: 'approve', approval }), ...overrides });
}

function world() {
  const w = ledgerWorld((iam) => {
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] });
  });
  const clock = { now: FIXED_NOW };
  const sts = fakeSts(() => clock.now, [...PEOPLE, MALLORY]);
  return { ...w, clock, sts, approvals: new DynamoDbApprovals(w.table.client, w.table.tableName, 400) };
}
type World = ReturnType<typeof world>;

function invoke(
  w: World,
  event: unknown,
  options: { settings?: ResponderSettings; at?: Date; invocationId?: string } = {},
): Promise<HandleResult> {
  const at = options.at ?? FIXED_NOW;
  w.clock.now = at;
  const deps: ApprovalDependencies = {
    settings: options.settings ?? approveSettings(),
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    approvals: w.approvals,
    approvalTargets: { functionName: RESPONDER, tableName: 'Firebreak-Ledger', region: 'us-east-1' },
    invocationId: options.invocationId ?? 'request-1',
    now: () => at,
    callerIdentity: { region: 'us-east-1', functionName: RESPONDER, fetch: w.sts.fetch },
  };
  return handleEvent(event, deps);
}

const messages = (w: World) => w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const bodies = (w: World) => messages(w).map((message) => JSON.parse(message.Message!).email as string);
const keyStatus = (w: World) => w.iam.user('ci-deploy').keys![0]!.status;
const keyWrites = (w: World) => w.iam.mock.commandCalls(UpdateAccessKeyCommand).length;
/** `firebreak approve` as `by` runs it: the request, with a caller proof signed by that person at the time. */
async function approve(
  w: World,
  by: string,
  options: { settings?: ResponderSettings; at?: Date; invocationId?: string; incidentId?: string } = {},
) {
  const at = options.at ?? minutes(5);
  const request = { firebreak: 'approve', incidentId: options.incidentId ?? INCIDENT };
  const callerProof = await proofOf(
    w.sts,
    by === 'mallory' ? MALLORY : homePrincipal(by),
    at,
    'approve',
    RESPONDER,
    request,
  );
  return invoke(w, { ...request, callerProof }, { ...options, at });
}
/** `firebreak deny` as `by` runs it: the same request shape and proof as approve. */
async function deny(w: World, by: string, at: Date) {
  const request = { firebreak: 'deny', incidentId: INCIDENT };
  const callerProof = await proofOf(w.sts, homePrincipal(by), at, 'deny', RESPONDER, request);
  return invoke(w, { ...request, callerProof }, { at });
}
const sweep = (w: World, at: Date, settings?: ResponderSettings) =>
  invoke(w, { firebreak: 'sweep' }, { at, ...(settings ? { settings } : {}) });
const statusOf = (result: HandleResult) =>
  result.kind === 'handled' ? result.outcome.status : result.kind === 'approval' ? result.result : result.kind;

describe('approval mode', () => {
  it('plans like a dry run, writes nothing to AWS, records the plan and asks once with ready commands', async () => {
    const w = world();
    const event = loadEvent(KEY_EVENT);
    const result = await invoke(w, event);
    expect(statusOf(result)).toBe('awaiting-approval');
    expect(w.iam.writeCalls()).toBe(0);
    expect(keyStatus(w)).toBe('Active');
    const approval = await w.approvals.getApproval(INCIDENT);
    expect(approval).toMatchObject({
      status: 'awaiting',
      playbook: 'compromised-iam-credentials',
      approvalExpiresAt: minutes(30).toISOString(),
      onTimeout: 'drop',
    });
    expect(approval!.event).toEqual(event);
    expect(approval!.plan.find((step) => step.action === 'iam-deactivate-access-key')).toMatchObject({
      status: 'planned',
    });
    expect(messages(w)).toHaveLength(1);
    expect(messages(w)[0]!.Subject).toMatch(/^APPROVE\? Firebreak \| /);
    expect(messages(w)[0]!.MessageAttributes!.outcome!.StringValue).toBe('awaiting-approval');
    expect(bodies(w)[0]).toContain(
      `$ npm run firebreak -- approve ${INCIDENT} --function Firebreak-responder-iam --region us-east-1 --by "$USER"`,
    );
    expect(bodies(w)[0]).toContain(
      `$ npm run firebreak -- deny ${INCIDENT} --function ${RESPONDER} --region us-east-1 --by "$USER"`,
    );
    expect(bodies(w)[0]).toContain(`APPROVE OR DENY before ${minutes(30).toISOString()} (then the plan is dropped`);
    expect((await w.ledger.getIncident(INCIDENT))!.status).toBe('awaiting-approval');
  });

  it('a re-delivery while pending, and a concurrent delivery, send no second request and create no second plan', async () => {
    const w = world();
    const event = loadEvent(KEY_EVENT);
    const first = await Promise.all([invoke(w, event, { invocationId: 'a' }), invoke(w, event, { invocationId: 'b' })]);
    expect(first.map(statusOf).sort()).toEqual(['awaiting-approval', 'duplicate']);
    const later = await invoke(w, event, { at: minutes(15), invocationId: 'c' });
    expect(later).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('approval request for this incident is pending'),
    });
    expect(messages(w)).toHaveLength(1);
    expect((await w.approvals.getApproval(INCIDENT))!.requestedAt).toBe(FIXED_NOW.toISOString());
    expect(w.iam.writeCalls()).toBe(0);
  });

  it('approving re-runs the enforce path: the key is deactivated once even when approved twice at the same time', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    const results = await Promise.all([
      approve(w, 'alice', { invocationId: 'x' }),
      approve(w, 'bob', { invocationId: 'y' }),
    ]);
    expect(results.map(statusOf).sort()).toEqual(['already-decided', 'contained']);
    expect(keyStatus(w)).toBe('Inactive');
    expect(keyWrites(w)).toBe(1);
    const approval = await w.approvals.getApproval(INCIDENT);
    expect(approval).toMatchObject({ status: 'approved', decidedAt: minutes(5).toISOString() });
    expect(messages(w)).toHaveLength(2);
    expect(bodies(w)[1]).toContain(`APPROVED by ${approval!.decidedBy} at ${minutes(5).toISOString()}`);
    expect(bodies(w)[1]).toContain('The state was as planned.');
    // The breaker counts an approved containment like any other.
    expect(w.table.itemsUnder(`BREAKER#ACCOUNT#${HOME_ACCOUNT}`).length).toBe(1);
    // A third approval, and a sweep after the deadline, change nothing.
    expect(statusOf(await approve(w, 'carol', { invocationId: 'z' }))).toBe('already-decided');
    await sweep(w, minutes(40));
    expect(keyWrites(w)).toBe(1);
    expect(messages(w)).toHaveLength(2);
    // GuardDuty re-sends the finding: contained as approved, so nothing to ask and nothing to send.
    const again = await invoke(w, loadEvent(KEY_EVENT), { at: minutes(45), invocationId: 'resend' });
    expect(again).toMatchObject({
      kind: 'handled',
      outcome: { status: 'already-contained' },
      suppressed: expect.any(String),
    });
    expect(messages(w)).toHaveLength(2);
    expect(w.iam.writeCalls()).toBe(3);
  });

  it('approval after the state changed reports the step that is now a no-op', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    w.iam.user('ci-deploy').keys![0]!.status = 'Inactive'; // someone deactivated it by hand meanwhile
    const result = await approve(w, 'alice');
    expect(result.kind === 'handled' && result.outcome.approval).toMatchObject({
      kind: 'approved',
      by: arnOf('alice'),
      changes: [expect.stringMatching(/^iam-deactivate-access-key: planned ".*", now NO-OP: /)],
    });
    expect(keyWrites(w)).toBe(0);
    expect(bodies(w)[1]).toContain('THE STATE CHANGED SINCE THE PLAN WAS MADE:');
  });

  it('a protected principal is not contained by an approval: the gates run again', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    w.iam.user('ci-deploy').tags = { 'firebreak:exempt': 'true' };
    const result = await approve(w, 'alice');
    expect(statusOf(result)).toBe('skipped');
    expect(w.iam.writeCalls()).toBe(0);
    const protectedToo = world();
    await invoke(protectedToo, loadEvent(KEY_EVENT));
    const settings = approveSettings(undefined, { protectedPrincipals: [`arn:aws:iam::${HOME_ACCOUNT}:user/ci-*`] });
    expect(statusOf(await approve(protectedToo, 'alice', { settings }))).toBe('skipped');
    expect(protectedToo.iam.writeCalls()).toBe(0);
    expect(bodies(protectedToo)[1]).toContain('nothing was applied');
  });

  it('deny: nothing is ever applied, one DENIED message from the sweep, later approvals and re-deliveries stay quiet', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    expect(await deny(w, 'alice', minutes(2))).toMatchObject({ kind: 'approval', result: 'denied' });
    expect(await deny(w, 'bob', minutes(3))).toMatchObject({ kind: 'approval', result: 'already-decided' });
    expect((await w.approvals.getApproval(INCIDENT))!.decidedBy).toBe(homePrincipal('alice').arn);
    expect(statusOf(await approve(w, 'bob'))).toBe('already-decided');
    await sweep(w, minutes(3));
    await sweep(w, minutes(4));
    await sweep(w, minutes(40));
    expect(messages(w)).toHaveLength(2);
    expect(messages(w)[1]!.Subject).toMatch(/^Firebreak DENIED \| /);
    expect(bodies(w)[1]).toContain(`was denied by ${homePrincipal('alice').arn} at ${minutes(2).toISOString()}`);
    expect(await invoke(w, loadEvent(KEY_EVENT), { at: minutes(60) })).toMatchObject({ kind: 'ignored' });
    expect(w.iam.writeCalls()).toBe(0);
    expect((await w.ledger.getIncident(INCIDENT))!.status).toBe('skipped');
  });

  it('timeout with onTimeout contain: not before the deadline, then contained once', async () => {
    const w = world();
    const settings = approveSettings({ timeoutMinutes: 30, onTimeout: 'contain' });
    await invoke(w, loadEvent(KEY_EVENT), { settings });
    expect(await sweep(w, minutes(29), settings)).toMatchObject({ kind: 'sweep', due: 0 });
    expect(keyStatus(w)).toBe('Active');
    const swept = await sweep(w, minutes(31), settings);
    expect(swept).toMatchObject({
      kind: 'sweep',
      due: 1,
      results: [{ incidentId: INCIDENT, result: 'expired: contained (contained)' }],
    });
    expect(keyStatus(w)).toBe('Inactive');
    expect(await w.approvals.getApproval(INCIDENT)).toMatchObject({
      status: 'approved',
      decidedBy: 'timeout (onTimeout: contain)',
    });
    await Promise.all([sweep(w, minutes(32), settings), sweep(w, minutes(32), settings)]);
    expect(keyWrites(w)).toBe(1);
    expect(messages(w)).toHaveLength(2);
    expect(bodies(w)[1]).toContain('APPROVED by timeout (onTimeout: contain)');
  });

  it('timeout with onTimeout drop: never applied, one urgent EXPIRED message, approve afterwards refused', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    await Promise.all([sweep(w, minutes(31)), sweep(w, minutes(31))]);
    await sweep(w, minutes(35));
    expect(messages(w)).toHaveLength(2);
    expect(messages(w)[1]!.Subject).toMatch(/^Firebreak URGENT APPROVAL EXPIRED \| /);
    expect(messages(w)[1]!.MessageAttributes!.urgent!.StringValue).toBe('true');
    expect(statusOf(await approve(w, 'alice', { at: minutes(36) }))).toBe('already-decided');
    expect(w.iam.writeCalls()).toBe(0);
    expect(keyStatus(w)).toBe('Active');
  });

  it('an approval for an unknown incident or another playbook is refused without a write', async () => {
    const w = world();
    expect(await approve(w, 'alice', { incidentId: 'nope' })).toMatchObject({ kind: 'approval', result: 'not-found' });
    await invoke(w, loadEvent(KEY_EVENT));
    const other = responderSettings({ playbook: { ...iamPlaybook(), id: 'another-playbook' } });
    expect(await approve(w, 'alice', { settings: other })).toMatchObject({
      kind: 'approval',
      result: 'other-playbook',
    });
    await expect(invoke(w, { firebreak: 'approve', incidentId: INCIDENT })).rejects.toThrow('callerProof: required');
    // A denial is a decision too: a self-declared name stops nothing.
    await expect(invoke(w, { firebreak: 'deny', incidentId: INCIDENT, deniedBy: 'alice' })).rejects.toThrow(
      'Denial refused, nothing was changed',
    );
    // A proof signed for an approval is not one for a denial.
    const approval = { firebreak: 'approve', incidentId: INCIDENT };
    const approvalProof = await proofOf(w.sts, homePrincipal('alice'), minutes(5), 'approve', RESPONDER, approval);
    await expect(
      invoke(w, { firebreak: 'deny', incidentId: INCIDENT, callerProof: approvalProof }, { at: minutes(5) }),
    ).rejects.toThrow('Denial refused');
    expect(w.iam.writeCalls()).toBe(0);
    expect((await w.approvals.getApproval(INCIDENT))!.status).toBe('awaiting');
  });
});

describe('approval mode: a finding that arrived through Security Hub', () => {
  it('records the request with that finding alone, and the approval contains it from the stored ASFF event', async () => {
    const w = world();
    const requested = await invoke(w, loadEvent('securityhub/guardduty-iam-user-long-term-key'));
    expect(requested.kind).toBe('securityhub');
    const approval = (await w.approvals.getApproval(INCIDENT))!;
    expect(approval.status).toBe('awaiting');
    expect((approval.event as { source?: string }).source).toBe('aws.securityhub');
    expect(keyWrites(w)).toBe(0);
    // The same finding, natively, while the approval is pending: one incident, asked once.
    await invoke(w, loadEvent(KEY_EVENT), { at: minutes(2), invocationId: 'native' });
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
    const approved = await approve(w, 'alice', { invocationId: 'approve' });
    expect(approved.kind === 'handled' && approved.outcome.status).toBe('contained');
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(2);
  });
});

describe('approval mode: the approver is who STS says signed the request', () => {
  async function refusal(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CallerNotAuthenticatedError);
    return (error as Error).message;
  }

  it('a forged approval with approvedBy only is refused: nothing applied, still awaiting, one urgent message', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    const message = await refusal(
      invoke(w, { firebreak: 'approve', incidentId: INCIDENT, approvedBy: 'alice' }, { at: minutes(5) }),
    );
    expect(message).toContain('Approval refused, nothing was changed: the caller is not authenticated.');
    expect(message).toContain('approvedBy: a name the caller writes proves nothing');
    expect(keyWrites(w)).toBe(0);
    expect((await w.approvals.getApproval(INCIDENT))!.status).toBe('awaiting');
    expect(messages(w)).toHaveLength(2);
    expect(messages(w)[1]!.Subject).toMatch(/^Firebreak URGENT UNAUTHENTICATED APPROVAL REFUSED \| 8ecbd6e2/);
    expect(bodies(w)[1]).toContain(`Someone invoked ${RESPONDER} to approve the plan of incident ${INCIDENT}`);
    expect(bodies(w)[1]).toContain('Lambda does not tell a function who invoked it');
    expect(w.sts.calls).toHaveLength(0);
  });

  it('the outcome and the approval record the ARN STS returned', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    const result = await approve(w, 'alice');
    expect(statusOf(result)).toBe('contained');
    expect((await w.approvals.getApproval(INCIDENT))!.decidedBy).toBe(arnOf('alice'));
    expect(bodies(w)[1]).toContain(`APPROVED by ${arnOf('alice')} at`);
  });

  it('a proof of another account, for another incident, or for the release function is refused', async () => {
    const w = world();
    await invoke(w, loadEvent(KEY_EVENT));
    expect(await refusal(approve(w, 'mallory'))).toContain(
      "of account 444455556666, not of this stack's account 111122223333: only identities of the home account may approve",
    );
    const forOther = await proofOf(w.sts, homePrincipal('alice'), minutes(5), 'approve', RESPONDER, {
      firebreak: 'approve',
      incidentId: 'other',
    });
    expect(
      await refusal(
        invoke(w, { firebreak: 'approve', incidentId: INCIDENT, callerProof: forOther }, { at: minutes(5) }),
      ),
    ).toContain('x-firebreak-request: expected');
    const forRelease = await proofOf(w.sts, homePrincipal('alice'), minutes(5), 'release', RESPONDER, {
      firebreak: 'approve',
      incidentId: INCIDENT,
    });
    expect(
      await refusal(
        invoke(w, { firebreak: 'approve', incidentId: INCIDENT, callerProof: forRelease }, { at: minutes(5) }),
      ),
    ).toContain('x-firebreak-request: expected');
    expect(keyWrites(w)).toBe(0);
    expect((await w.approvals.getApproval(INCIDENT))!.status).toBe('awaiting');
  });
});
