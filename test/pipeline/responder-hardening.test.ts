import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, ContainmentIncompleteError, type Log } from '../../lambdas/pipeline/handle-event';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook } from '../../lambdas/model/playbook';
import { releaseIncident } from '../../lambdas/pipeline/release-incident';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { renderRelease } from '../../lambdas/notify/render-release';
import { loadPlaybooks } from '../../lib/playbooks';
import { ACTION_CASES, instanceWorld } from '../support/action-cases';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { editedEvent, loadEvent, loadFinding } from '../support/fixtures';
import { FakeGuardDuty, fakeFindingSources } from '../support/fake-guardduty';
import type { FindingSources } from '../../lambdas/findings/confirm-finding';
import { incidentIdOf } from '../../lambdas/ledger/incident-id';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbookById = (id: string): Playbook => loadPlaybooks().find((playbook) => playbook.id === id)!;
const LATER = new Date(FIXED_NOW.getTime() + 3_600_000);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:t';
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

function world() {
  return ledgerWorld((iam, ec2) => {
    instanceWorld(iam, ec2);
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] });
  });
}
type World = ReturnType<typeof world>;

async function deliver(
  w: World,
  fixture: string,
  settings: ResponderSettings = responderSettings(),
  invocationId = 'r1',
  at = FIXED_NOW,
) {
  return handleEvent(loadEvent(fixture), {
    settings,
    clients: w.clients,
    topicArn: TOPIC,
    log: quiet,
    ledger: w.ledger,
    invocationId,
    now: () => at,
  });
}

async function contain(w: World, fixture: string, settings?: ResponderSettings) {
  const result = await deliver(w, fixture, settings);
  if (result.kind !== 'handled' || !result.outcome.incidentId)
    throw new Error(`not handled: ${JSON.stringify(result)}`);
  return result.outcome;
}

const release = (w: World, incidentId: string) =>
  releaseIncident(incidentId, {
    ledger: w.ledger,
    clients: w.clients,
    releasedBy: 'arn:aws:sts::111122223333:assumed-role/Responder/alice',
    exemptionHours: 24,
    now: () => LATER,
  });

/** The table item of one step record (what anyone with dynamodb:UpdateItem on the table can change). */
function stepItem(w: World, incidentId: string, action: string) {
  const key = [...w.table.items.keys()].find(
    (candidate) => candidate.startsWith(`INCIDENT#${incidentId}\u0000STEP#`) && candidate.endsWith(`#${action}`),
  );
  if (!key) throw new Error(`no ${action} record of ${incidentId}`);
  return w.table.items.get(key)!;
}

describe('release trusts only records Firebreak wrote', () => {
  it('a step record rewritten in the table to "restore" an Allow *:* policy: no write at all, an urgent message naming the record', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key');
    // The attack of the review: the recorded pre-state of the session deny now says an Allow-everything document was there.
    const item = stepItem(w, outcome.incidentId!, 'iam-revoke-user-sessions');
    item.replaced = { S: JSON.stringify({ policyName: 'firebreak-deny-sessions-issued-before', document: ALLOW_ALL }) };
    const policiesBefore = structuredClone(w.iam.user('ci-deploy').policies);
    const keysBefore = structuredClone(w.iam.user('ci-deploy').keys);

    const report = await release(w, outcome.incidentId!);

    expect(report.complete).toBe(false);
    expect(report.refused).toEqual([`STEP#001#iam-revoke-user-sessions of incident ${outcome.incidentId}`]);
    // Nothing was written: not the policy, not the key, and the incident is not marked released.
    expect(w.iam.user('ci-deploy').policies).toEqual(policiesBefore);
    expect(w.iam.user('ci-deploy').keys).toEqual(keysBefore);
    expect(Object.values(w.iam.user('ci-deploy').policies ?? {}).some((document) => document.includes('"Allow"'))).toBe(
      false,
    );
    expect((await w.ledger.getIncident(outcome.incidentId!))!.releasedAt).toBeUndefined();
    const message = renderRelease(report, 'arn:aws:sts::111122223333:assumed-role/Responder/alice');
    expect(message.subject).toContain('URGENT RELEASE REFUSED');
    expect(message.text).toContain(`STEP#001#iam-revoke-user-sessions of incident ${outcome.incidentId}`);
    expect(message.attributes.urgent!.StringValue).toBe('true');
  });

  it('a whole record inserted by someone else (no MAC) to reactivate a key is refused', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key');
    // Written straight to the table with the table's own API, as an attacker would: no MAC.
    await new DynamoDbLedger(w.table.client, w.table.tableName, 400).recordApplied(
      outcome.incidentId!,
      {
        index: 9,
        action: 'iam-deactivate-access-key',
        summary: 'x',
        write: { userName: 'ci-deploy', accessKeyId: 'AKIAI44QH8DHBEXAMPLE' },
        replaced: { status: 'Active' },
        appliedAt: FIXED_NOW.toISOString(),
      },
      'attacker',
    );
    const report = await release(w, outcome.incidentId!);
    expect(report.refused).toEqual([`STEP#009#iam-deactivate-access-key of incident ${outcome.incidentId}`]);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  });

  it('even a record that verifies never makes release write an Allow or a policy outside firebreak-*', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key');
    // Signed through Firebreak's own ledger (as a bug in an action could): the write guard still stops it.
    await w.ledger.recordApplied(
      outcome.incidentId!,
      {
        index: 8,
        action: 'iam-revoke-user-sessions',
        summary: 'x',
        write: {
          holder: { kind: 'user', name: 'ci-deploy' },
          policyName: 'their-admin-policy',
          document: JSON.parse(ALLOW_ALL),
        },
        replaced: { document: ALLOW_ALL },
        appliedAt: FIXED_NOW.toISOString(),
      },
      'r1',
    );
    const report = await release(w, outcome.incidentId!);
    const step = report.steps.find((candidate) => candidate.summary.includes('their-admin-policy'));
    expect(step?.status).toBe('failed');
    expect(step?.summary).toContain('Firebreak writes only inline policies named firebreak-*');
    expect(w.iam.user('ci-deploy').policies!['their-admin-policy']).toBeUndefined();
  });
});

describe('the engine does not act on records it did not write', () => {
  it('a forged "already applied" record does not stop containment, and is reported as urgent', async () => {
    const w = world();
    // Written before the finding arrives, so the re-delivery logic would skip the key as deactivated.
    const incidentId = incidentIdOf(loadFinding('guardduty/iam-user-long-term-key'));
    await new DynamoDbLedger(w.table.client, w.table.tableName, 400).recordApplied(
      incidentId,
      {
        index: 0,
        action: 'iam-deactivate-access-key',
        summary: 'forged',
        write: { userName: 'ci-deploy', accessKeyId: 'AKIAI44QH8DHBEXAMPLE' },
        replaced: { status: 'Active' },
        appliedAt: FIXED_NOW.toISOString(),
      },
      'attacker',
    );
    const failure = await deliver(w, 'guardduty/iam-user-long-term-key').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContainmentIncompleteError);
    const outcome = (failure as ContainmentIncompleteError).outcome!;
    expect(outcome.incidentId).toBe(incidentId);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(outcome.urgent).toBe(true);
    expect(outcome.steps.find((step) => step.action === 'verify-ledger-record')?.summary).toContain(
      `STEP#000#iam-deactivate-access-key of incident ${incidentId}`,
    );
  });

  it('an exemption written into the table by someone else is not honoured', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key');
    await release(w, outcome.incidentId!);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
    // Honest exemption: a re-delivery within it is skipped.
    const skipped = await deliver(w, 'guardduty/iam-user-long-term-key', responderSettings(), 'r2', LATER);
    expect(skipped.kind === 'handled' && skipped.outcome.status).toBe('skipped');
    // Someone stretches it by a year in the table: no longer Firebreak's marker, so containment goes ahead.
    const head = [...w.table.items.entries()].find(
      ([key]) => key === `INCIDENT#${outcome.incidentId}\u0000INCIDENT`,
    )![1];
    head.exemptUntil = { S: '2027-12-01T00:00:00.000Z' };
    const again = await deliver(
      w,
      'guardduty/iam-user-long-term-key',
      responderSettings(),
      'r3',
      new Date(LATER.getTime() + 60_000),
    ).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(ContainmentIncompleteError);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(
      (again as ContainmentIncompleteError).outcome!.steps.find((step) => step.action === 'verify-ledger-record')
        ?.summary,
    ).toContain('release marker');
  });
});

describe('every principal a write changes passes the protected-principal gate', () => {
  it('an instance whose profile role is protected: no PutRolePolicy on that role, the step says why', async () => {
    const w = world();
    const settings = responderSettings({
      playbook: playbookById('compromised-ec2-instance'),
      protectedPrincipals: ['arn:aws:iam::*:role/app-server-*'],
    });
    const result = await deliver(w, 'guardduty/ec2-instance', settings).catch((error: unknown) => error);
    const outcome =
      result instanceof ContainmentIncompleteError ? result.outcome! : (result as { outcome: Outcome }).outcome;
    expect(Object.keys(w.iam.role('app-server-role').policies ?? {})).toEqual([]);
    const step = outcome.steps.find((candidate) => candidate.action === 'ec2-revoke-instance-credentials')!;
    expect(step.status).toBe('skipped');
    expect(step.summary).toContain(
      'arn:aws:iam::111122223333:role/app-server-role is a protected principal (pattern arn:aws:iam::*:role/app-server-*)',
    );
    // The network isolation, which writes to no principal, still happened.
    expect(outcome.steps.find((candidate) => candidate.action === 'ec2-isolate-network')!.status).toBe('done');
  });
});

describe('a message that cannot be sent is not lost', () => {
  it('contained, responder not told: recorded so, and the re-delivery sends the whole story instead of a quiet ALREADY CONTAINED', async () => {
    const w = world();
    w.sns.reset();
    w.sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'InternalErrorException' }));
    const first = await deliver(w, 'guardduty/iam-user-long-term-key').catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ContainmentIncompleteError);
    expect((first as Error).message).toContain('contained, responder not told');
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const incidentId = (first as ContainmentIncompleteError).outcome!.incidentId!;
    const recorded = (await w.ledger.getIncident(incidentId))!;
    expect(recorded).toMatchObject({ status: 'contained' });
    expect(recorded.notifiedAt).toBeUndefined();
    expect(recorded.notifyFailedAt).toBeDefined();

    w.sns.reset();
    w.sns.on(PublishCommand).resolves({ MessageId: 'm2' });
    const second = await deliver(
      w,
      'guardduty/iam-user-long-term-key',
      responderSettings(),
      'r2',
      new Date(FIXED_NOW.getTime() + 900_000),
    );
    expect(second.kind).toBe('handled');
    if (second.kind !== 'handled') return;
    expect(second.messageId).toBe('m2');
    expect(second.outcome.untoldSince).toBe(recorded.notifyFailedAt);
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
    const told = w.sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(told).toContain(
      `NOT TOLD BEFORE: an earlier delivery of this finding acted on it, but its message could not be sent (SNS failed at ${recorded.notifyFailedAt})`,
    );
    expect(told).toContain('Already applied by an earlier delivery');
    expect((await w.ledger.getIncident(incidentId))!.notifiedAt).toBeDefined();

    // Told now: a third delivery that changes nothing stays quiet again.
    const third = await deliver(
      w,
      'guardduty/iam-user-long-term-key',
      responderSettings(),
      'r3',
      new Date(FIXED_NOW.getTime() + 1_800_000),
    );
    expect(third.kind === 'handled' && third.suppressed).toBeTruthy();
  });
});

describe('an enforcing run acts only on the finding as its source returns it', () => {
  async function withSource(fixture = 'guardduty/iam-user-long-term-key') {
    const w = world();
    const guardDuty = new FakeGuardDuty();
    await guardDuty.addFixture(fixture);
    return { w, guardDuty, sources: fakeFindingSources(guardDuty) };
  }
  const deliverEvent = (w: World, event: Record<string, unknown>, sources: FindingSources) =>
    handleEvent(event, {
      settings: responderSettings(),
      clients: w.clients,
      topicArn: TOPIC,
      log: quiet,
      ledger: w.ledger,
      findingSources: sources,
      invocationId: 'r1',
      now: () => FIXED_NOW,
    }).catch((error: unknown) => error);

  it('the genuine finding is re-read (GetFindings in its Region) and contained', async () => {
    const { w, guardDuty, sources } = await withSource();
    const result = await deliverEvent(w, loadEvent('guardduty/iam-user-long-term-key'), sources);
    expect(result).toMatchObject({ kind: 'handled', outcome: { status: 'contained' } });
    expect(guardDuty.calls('GetFindings')).toHaveLength(1);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  });

  it('a forged payload naming another key of a real finding: no write, an urgent message that says what differs and who can tell who invoked it', async () => {
    const { w, sources } = await withSource();
    w.iam.user('ci-deploy').keys!.push({ id: 'AKIAIOSFODNN7FORGED1', status: 'Active' });
    const forged = editedEvent('guardduty/iam-user-long-term-key', (event) => {
      event.detail.resource.accessKeyDetails.accessKeyId = 'AKIAIOSFODNN7FORGED1';
    });
    const result = await deliverEvent(w, forged, sources);
    expect(result).toBeInstanceOf(ContainmentIncompleteError);
    const outcome = (result as ContainmentIncompleteError).outcome!;
    expect(outcome).toMatchObject({ status: 'not-contained', urgent: true });
    expect(w.iam.user('ci-deploy').keys!.map((key) => key.status)).toEqual(['Active', 'Active']);
    const message = w.sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!;
    expect(message).toContain('AKIAIOSFODNN7FORGED1');
    expect(message).toContain('lambda:Invoke data event');
  });

  it('an invented finding id: not found at its source, no write', async () => {
    const { w, sources } = await withSource();
    const forged = editedEvent('guardduty/iam-user-long-term-key', (event) => {
      event.detail.id = '0000000000000000000000000000beef';
    });
    const result = await deliverEvent(w, forged, sources);
    expect((result as ContainmentIncompleteError).outcome).toMatchObject({ status: 'not-contained', urgent: true });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });

  it('a source that cannot be read (GetFindings denied): fail closed, nothing written', async () => {
    const { w, guardDuty, sources } = await withSource();
    guardDuty.failOn(
      'GetFindings',
      Object.assign(new Error('not authorized to perform guardduty:GetFindings'), { name: 'AccessDeniedException' }),
    );
    const result = await deliverEvent(w, loadEvent('guardduty/iam-user-long-term-key'), sources);
    expect((result as ContainmentIncompleteError).outcome).toMatchObject({ status: 'not-contained' });
    expect((result as ContainmentIncompleteError).outcome!.steps[0]!.summary).toContain('AccessDeniedException');
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });

  it('a finding a person archived in GuardDuty since: skipped, nothing written', async () => {
    const { w, guardDuty, sources } = await withSource();
    guardDuty.archive(loadFinding('guardduty/iam-user-long-term-key').id);
    const result = await deliverEvent(w, loadEvent('guardduty/iam-user-long-term-key'), sources);
    expect(result).toMatchObject({ kind: 'handled', outcome: { status: 'skipped' } });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });
});

describe('a write goes out only once its ledger record can be signed', () => {
  it('the ledger key unavailable (every GenerateMac fails): nothing is written, the message says why, and the next delivery contains', async () => {
    const w = world();
    w.kms.generateMacFailure = Object.assign(new Error('KMS is unavailable'), { name: 'KMSInternalException' });
    const first = await deliver(w, 'guardduty/iam-user-long-term-key').catch((error: unknown) => error);
    expect(first).toBeInstanceOf(ContainmentIncompleteError);
    const outcome = (first as ContainmentIncompleteError).outcome!;
    expect(outcome).toMatchObject({ status: 'not-contained', urgent: true });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
    expect(Object.keys(w.iam.user('ci-deploy').policies ?? {})).toEqual([]);
    expect(outcome.steps.find((step) => step.action === 'iam-deactivate-access-key')!.error!.message).toContain(
      'could not be signed, so nothing was written',
    );

    w.kms.generateMacFailure = undefined;
    const second = await deliver(
      w,
      'guardduty/iam-user-long-term-key',
      responderSettings(),
      'r2',
      new Date(FIXED_NOW.getTime() + 180_000),
    );
    expect(second).toMatchObject({ kind: 'handled', outcome: { status: 'contained' } });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const report = await release(w, outcome.incidentId!);
    expect(report.complete).toBe(true);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });
});

describe('a finding forwarded from another Region is contained there', () => {
  it('eu-west-1: re-read from GuardDuty in eu-west-1, every EC2 write through the eu-west-1 clients, none in the home Region', async () => {
    const w = world();
    const ireland = new FakeEc2('111122223333', 'eu-west-1');
    // IAM is global: the instance profile's role lives in the same IAM as the home Region's.
    const irelandIam = new FakeIam('111122223333');
    instanceWorld(irelandIam, ireland);
    const event = editedEvent('guardduty/ec2-instance', (e) => {
      e.region = 'eu-west-1';
      e.detail.region = 'eu-west-1';
      e.detail.arn = String(e.detail.arn).replace('us-east-1', 'eu-west-1');
    });
    const guardDuty = new FakeGuardDuty(['us-east-1', 'eu-west-1']);
    await guardDuty.addEventDetail(event.detail as never);
    const regions: string[] = [];
    const clientFactory = {
      async forTarget(_account: string, region: string) {
        regions.push(region);
        if (region !== 'eu-west-1') throw new Error(`clients asked for ${region}`);
        return { iam: irelandIam.client, ec2: ireland.ec2Client, autoScaling: ireland.autoScalingClient };
      },
    };
    const settings = responderSettings({ playbook: playbookById('compromised-ec2-instance') });
    const result = await handleEvent(event, {
      settings,
      clients: w.clients,
      topicArn: TOPIC,
      log: quiet,
      ledger: w.ledger,
      clientFactory,
      findingSources: fakeFindingSources(guardDuty),
      invocationId: 'r1',
      now: () => FIXED_NOW,
    });
    expect(result).toMatchObject({ kind: 'handled', outcome: { status: 'contained' } });
    expect(regions).toEqual(['eu-west-1']);
    expect(guardDuty.calls('GetFindings').map((call) => call.region)).toEqual(['eu-west-1']);
    expect(ireland.writeCalls()).toBeGreaterThan(0);
    expect(w.ec2.writeCalls()).toBe(0);
  });
});

describe('a review found these after the first fixes (each reproduced before its fix)', () => {
  const H = 3_600_000;
  const clearRelease = (w: World, incidentId: string) => {
    for (const [key, item] of w.table.items) {
      if (!key.startsWith(`INCIDENT#${incidentId}\u0000STEP#`)) continue;
      delete item.releasedAt;
      item.state = { S: 'applied' };
    }
  };

  it('a release cleared from the step records: the next delivery contains again (and says so), a second release writes nothing', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key');
    await releaseIncident(outcome.incidentId!, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'arn:aws:sts::111122223333:assumed-role/Responder/alice',
      exemptionHours: 24,
      now: () => new Date(FIXED_NOW.getTime() + H),
    });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
    clearRelease(w, outcome.incidentId!);
    // A person deactivates the key by hand meanwhile: a second release must not turn it on again.
    w.iam.user('ci-deploy').keys![0]!.status = 'Inactive';
    const again = await releaseIncident(outcome.incidentId!, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'arn:aws:sts::111122223333:assumed-role/Responder/alice',
      exemptionHours: 24,
      now: () => new Date(FIXED_NOW.getTime() + 2 * H),
    });
    expect(again.refused?.length).toBeGreaterThan(0);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    // After the exemption, a re-delivery does not take the cleared records for applied steps.
    w.iam.user('ci-deploy').keys![0]!.status = 'Active';
    const later = await deliver(
      w,
      'guardduty/iam-user-long-term-key',
      responderSettings(),
      'r9',
      new Date(FIXED_NOW.getTime() + 30 * H),
    ).catch((error: unknown) => error);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(
      (later as ContainmentIncompleteError).outcome!.steps.some((step) => step.action === 'verify-ledger-record'),
    ).toBe(true);
  });

  it("a Config link pointed at another resource's released incident exempts nothing", async () => {
    const configPlaybook = responderSettings({ playbook: playbookById('config-restricted-ssh') });
    const w = ledgerWorld((iam, ec2) => {
      for (const candidate of ACTION_CASES.filter((entry) => entry.fixture === 'config/restricted-ssh-non-compliant'))
        candidate.world(iam, ec2);
    });
    const go = (event: unknown, at: Date) =>
      handleEvent(event, {
        settings: configPlaybook,
        clients: w.clients,
        topicArn: TOPIC,
        log: quiet,
        ledger: w.ledger,
        invocationId: `r-${at.getTime()}`,
        now: () => at,
      }).catch((error: unknown) => error);
    const first = (await go(loadEvent('config/restricted-ssh-non-compliant'), FIXED_NOW)) as {
      outcome: { incidentId: string };
    };
    await releaseIncident(first.outcome.incidentId, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'arn:aws:sts::111122223333:assumed-role/Responder/alice',
      exemptionHours: 24,
      now: () => new Date(FIXED_NOW.getTime() + 60_000),
    });
    const other = 'sg-0bbbbbbbbbbbbbbbb';
    w.ec2.addSecurityGroup({
      groupId: other,
      groupName: 'prod-db',
      vpcId: 'vpc-0fedcba9876543210',
      ingress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    const event = editedEvent('config/restricted-ssh-non-compliant', (e) => {
      e.id = 'other-event';
      e.detail.resourceId = other;
      e.detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId = other;
      e.detail.oldEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier.resourceId = other;
    });
    // One PutItem on the link of the other group's evaluation, pointing at the released incident.
    await w.ledger.linkConfigIncident(
      `111122223333|us-east-1|restricted-ssh|AWS::EC2::SecurityGroup|${other}`,
      first.outcome.incidentId,
      new Date('2030-01-01'),
    );
    await go(event, new Date(FIXED_NOW.getTime() + 120_000));
    expect(w.ec2.securityGroup(other).ingress.some((rule) => rule.cidrIp === '0.0.0.0/0')).toBe(false);
  });

  it("a forged payload its source does not confirm never rewrites the real incident's record", async () => {
    const { w, sources } = await (async () => {
      const fresh = world();
      const guardDuty = new FakeGuardDuty();
      await guardDuty.addFixture('guardduty/iam-user-long-term-key');
      return { w: fresh, sources: fakeFindingSources(guardDuty) };
    })();
    const go = (event: unknown, id: string, at: Date) =>
      handleEvent(event, {
        settings: responderSettings(),
        clients: w.clients,
        topicArn: TOPIC,
        log: quiet,
        ledger: w.ledger,
        findingSources: sources,
        invocationId: id,
        now: () => at,
      }).catch((error: unknown) => error);
    const real = (await go(loadEvent('guardduty/iam-user-long-term-key'), 'r1', FIXED_NOW)) as {
      outcome: { incidentId: string };
    };
    const before = await w.ledger.getIncident(real.outcome.incidentId);
    const forged = editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.region = 'eu-west-1';
      e.detail.region = 'eu-west-1';
    });
    await go(forged, 'r2', new Date(FIXED_NOW.getTime() + 60_000));
    const after = await w.ledger.getIncident(real.outcome.incidentId);
    expect({ status: after!.status, region: after!.region }).toEqual({ status: before!.status, region: 'us-east-1' });
  });
});
