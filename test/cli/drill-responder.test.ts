import { PublishCommand } from '@aws-sdk/client-sns';
import { CallerNotAuthenticatedError } from '../../lambdas/identity/verify-caller';
import { DRILL_TAG_KEY, drillUserName } from '../../lambdas/findings/drill-finding';
import type { DrillDependencies } from '../../lambdas/pipeline/drill-request';
import { DrillRefusedError } from '../../lambdas/pipeline/drill-refusal';
import { handleEvent, type HandleResult, type Log } from '../../lambdas/pipeline/handle-event';
import { FIXED_NOW, iamPlaybook, ledgerWorld, responderSettings } from '../support/settings';
import { MALLORY, fakeSts, homePrincipal, proofOf } from '../identity/sts-principals';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const RESPONDER = 'Firebreak-responder-iam';
const DRILL = '20261121-ab12cd34';
const CANARY = drillUserName(DRILL);
const KEY = 'AKIAFIREBREAKDRILL01';
const ALICE = homePrincipal('alice');

function world(tags: Record<string, string> = { [DRILL_TAG_KEY]: DRILL }, userName = CANARY) {
  const w = ledgerWorld((iam) => {
    iam.addUser(userName, { id: 'AIDAFIREBREAKDRILL01', tags, keys: [{ id: KEY, status: 'Active' }] });
  });
  return { ...w, sts: fakeSts(() => FIXED_NOW, [ALICE, MALLORY]), userName };
}
type World = ReturnType<typeof world>;

function invoke(w: World, event: unknown, settings: ResponderSettings = responderSettings()): Promise<HandleResult> {
  const deps: DrillDependencies = {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId: 'request-1',
    now: () => FIXED_NOW,
    callerIdentity: { region: 'us-east-1', functionName: RESPONDER, fetch: w.sts.fetch },
  };
  return handleEvent(event, deps);
}

/** `firebreak drill` as `principal` sends it: the request and a proof bound to it. */
async function drillRequest(w: World, principal = ALICE, overrides: Record<string, unknown> = {}) {
  const request = { firebreak: 'drill', drillId: DRILL, userName: w.userName, accessKeyId: KEY, ...overrides };
  return { ...request, callerProof: await proofOf(w.sts, principal, FIXED_NOW, 'drill', RESPONDER, request) };
}

const messages = (w: World) => w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const email = (w: World, index: number) => JSON.parse(messages(w)[index]!.Message!).email as string;

describe('the responder, asked for a drill', () => {
  it('contains the tagged canary through the pipeline, as a real finding, and every message says DRILL', async () => {
    const w = world();
    const result = await invoke(w, await drillRequest(w));
    expect(result).toMatchObject({ kind: 'handled', outcome: { status: 'contained' } });
    const user = w.iam.user(CANARY);
    expect(user.keys![0]!.status).toBe('Inactive');
    expect(Object.keys(user.policies!)).toEqual(['firebreak-deny-sessions-issued-before']);
    const incidentId = `firebreak-drill-${DRILL}/user/${CANARY}/${KEY}`;
    expect(await w.ledger.getIncident(incidentId)).toMatchObject({
      findingId: `firebreak-drill-${DRILL}`,
      status: 'contained',
      notifiedAt: FIXED_NOW.toISOString(),
    });
    expect(messages(w)).toHaveLength(1);
    const [message] = messages(w);
    expect(message!.Subject).toMatch(/^Firebreak DRILL CONTAINED \| High 8 \| IAM user firebreak-drill-/);
    expect(message!.MessageAttributes!.drill).toEqual({ DataType: 'String', StringValue: DRILL });
    expect(email(w, 0)).toMatch(
      /^DRILL - NOT A REAL FINDING\. Firebreak drill 20261121-ab12cd34, started by arn:aws:sts::/,
    );
    expect(JSON.parse(JSON.parse(message!.Message!).sqs as string)).toMatchObject({
      drill: { id: DRILL, startedBy: ALICE.arn },
    });
  });

  it('refuses a user without the drill tag: no write, no ledger record, one urgent message', async () => {
    const w = world({ team: 'payments' });
    await expect(invoke(w, await drillRequest(w))).rejects.toThrow(DrillRefusedError);
    expect(w.iam.writeCalls()).toBe(0);
    expect(w.table.itemsUnder(`INCIDENT#firebreak-drill-${DRILL}/user/${CANARY}/${KEY}`)).toEqual([]);
    expect(messages(w)).toHaveLength(1);
    expect(messages(w)[0]!.Subject).toBe(`Firebreak URGENT DRILL REFUSED | IAM user ${CANARY}`);
    expect(messages(w)[0]!.MessageAttributes!.urgent!.StringValue).toBe('true');
    expect(email(w, 0)).toContain(
      `IAM user ${CANARY} does not carry the tag firebreak:drill: it is not a drill canary`,
    );
  });

  it("refuses another drill's tag, a user that is not the drill's canary, and a key the user does not hold", async () => {
    const cases = [
      { w: world({ [DRILL_TAG_KEY]: 'other-drill' }), why: 'carries firebreak:drill="other-drill"' },
      { w: world({ [DRILL_TAG_KEY]: DRILL }, 'ci-deploy'), why: 'acts only on its own canary user' },
      {
        w: world(),
        overrides: { accessKeyId: 'AKIAANOTHERKEY000001' },
        why: 'has no access key "AKIAANOTHERKEY000001"',
      },
    ];
    for (const { w, overrides, why } of cases) {
      await expect(invoke(w, await drillRequest(w, ALICE, overrides))).rejects.toThrow(why);
      expect(w.iam.writeCalls()).toBe(0);
      expect(messages(w).map((message) => message.Subject)).toEqual([
        `Firebreak URGENT DRILL REFUSED | IAM user ${w.userName}`,
      ]);
    }
  });

  it('refuses without a valid caller proof: absent, of another account, or for another drill', async () => {
    const absent = world();
    const { callerProof: _proof, ...unsigned } = await drillRequest(absent);
    await expect(invoke(absent, unsigned)).rejects.toThrow(CallerNotAuthenticatedError);
    const otherAccount = world();
    await expect(invoke(otherAccount, await drillRequest(otherAccount, MALLORY))).rejects.toThrow(
      /not of this stack's account/,
    );
    const rebound = world();
    const signed = await drillRequest(rebound);
    await expect(invoke(rebound, { ...signed, drillId: '20261121-ffffffff' })).rejects.toThrow(
      /the proof was signed for another request/,
    );
    for (const w of [absent, otherAccount, rebound]) {
      expect(w.iam.writeCalls()).toBe(0);
      expect(messages(w)).toHaveLength(1);
      expect(messages(w)[0]!.Subject).toMatch(/^Firebreak URGENT UNAUTHENTICATED DRILL REFUSED \| firebreak-drill-/);
    }
  });

  it('a name the caller writes for itself is refused, and a responder not enforcing runs no drill', async () => {
    const w = world();
    await expect(invoke(w, await drillRequest(w, ALICE, { startedBy: 'alice' }))).rejects.toThrow(
      /startedBy: a name the caller writes proves nothing/,
    );
    const dryRun = world();
    const settings = responderSettings({ playbook: iamPlaybook({ mode: 'dry-run' }) });
    await expect(invoke(dryRun, await drillRequest(dryRun), settings)).rejects.toThrow(/is in mode dry-run/);
    expect(dryRun.iam.writeCalls()).toBe(0);
  });
});
