import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentIncompleteError, handleEvent, type HandleResult } from '../../lambdas/pipeline/handle-event';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { loadPlaybooks } from '../../lib/playbooks';
import { instanceWorld } from '../support/action-cases';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import { editedEvent, loadEvent } from '../support/fixtures';
import { recordingLog } from '../support/recording-log';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../support/settings';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:t';
const LATER = new Date(FIXED_NOW.getTime() + 60_000);

function world(
  securityHub: ResponderSettings['securityHub'] | null = { updateFindings: true, updateNativeFindings: false },
) {
  const w = ledgerWorld((iam, ec2) => {
    instanceWorld(iam, ec2);
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] });
  });
  const hubClient = new SecurityHubClient({ region: 'us-east-1' });
  const hub = mockClient(hubClient);
  hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
  const { log, entries } = recordingLog();
  const clients = { ...w.clients, securityHub: hubClient };
  const deliver = (
    event: unknown,
    settings: ResponderSettings = responderSettings({ ...(securityHub ? { securityHub } : {}) }),
    at = FIXED_NOW,
  ): Promise<HandleResult> =>
    handleEvent(event, {
      settings,
      clients,
      topicArn: TOPIC,
      log,
      ledger: w.ledger,
      invocationId: `r-${at.getTime()}`,
      now: () => at,
    });
  return { ...w, hub, entries, deliver };
}

const iamWrites = (w: ReturnType<typeof world>) =>
  w.iam.mock
    .calls()
    .filter((call) => !/^(Get|List)/.test((call.args[0] as any).constructor.name.replace('Command', '')));

describe('Security Hub trigger: handler level', () => {
  it('the same finding natively, then via Security Hub: one incident, contained once, one message; the Security Hub finding is marked NOTIFIED', async () => {
    const w = world();
    const native = await w.deliver(loadEvent('guardduty/iam-user-long-term-key'));
    expect(native).toMatchObject({ kind: 'handled', outcome: { status: 'contained' } });
    const writesAfterNative = iamWrites(w).length;
    const viaHub = await w.deliver(loadEvent('securityhub/guardduty-iam-user-long-term-key'), undefined, LATER);
    expect(viaHub.kind).toBe('securityhub');
    const [entry] = viaHub.kind === 'securityhub' ? viaHub.findings : [];
    expect(entry?.result).toMatchObject({
      kind: 'handled',
      outcome: { status: 'already-contained', incidentId: native.kind === 'handled' ? native.outcome.incidentId : 'x' },
    });
    expect(iamWrites(w)).toHaveLength(writesAfterNative);
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
    // Native delivery: updateNativeFindings is off, so only the Security Hub delivery updated its finding.
    const updates = w.hub.commandCalls(BatchUpdateFindingsCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      FindingIdentifiers: [
        {
          Id: 'arn:aws:guardduty:us-east-1:111122223333:detector/6cc2b3e1a7d94f0e8b5a2c7d9e1f3a40/finding/8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
        },
      ],
      Workflow: { Status: 'NOTIFIED' },
      Note: { UpdatedBy: 'Firebreak' },
    });
  });

  it('via Security Hub first, then natively: the native delivery changes nothing and stays quiet', async () => {
    const w = world();
    const viaHub = await w.deliver(loadEvent('securityhub/guardduty-iam-user-long-term-key'));
    expect(viaHub.kind === 'securityhub' && viaHub.findings[0]!.result).toMatchObject({
      kind: 'handled',
      outcome: { status: 'contained' },
    });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const writes = iamWrites(w).length;
    const native = await w.deliver(loadEvent('guardduty/iam-user-long-term-key'), undefined, LATER);
    expect(native).toMatchObject({
      kind: 'handled',
      outcome: { status: 'already-contained' },
      suppressed: expect.any(String),
    });
    expect(iamWrites(w)).toHaveLength(writes);
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
    const note = w.hub.commandCalls(BatchUpdateFindingsCommand)[0]!.args[0].input.Note!.Text!;
    expect(note).toMatch(/^Firebreak CONTAINED \(playbook compromised-iam-credentials, enforce\)/);
    expect(note).toContain("release '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE'");
    expect(note.length).toBeLessThanOrEqual(512);
  });

  it('a finding imported by a third-party product never triggers a write or a message', async () => {
    const w = world();
    const result = await w.deliver(loadEvent('securityhub/forged-third-party-product'));
    expect(result.kind === 'securityhub' && result.findings[0]!.result).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('ProductArn'),
    });
    expect(w.iam.mock.calls()).toHaveLength(0);
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(w.hub.calls()).toHaveLength(0);
    expect(
      w.entries.some(
        (entry) => entry.level === 'warn' && String(entry.attributes.reason).includes('product/123456789012/default'),
      ),
    ).toBe(true);
  });

  it('several findings in one event: each is handled or ignored with its reason, none dropped', async () => {
    const w = world();
    const result = await w.deliver(loadEvent('securityhub/several-findings'));
    if (result.kind !== 'securityhub') throw new Error(result.kind);
    expect(result.findings.map((entry) => entry.result.kind)).toEqual(['handled', 'ignored', 'ignored']);
    expect(result.findings[1]!.result).toMatchObject({
      reason: expect.stringContaining('not for playbook compromised-iam-credentials'),
    });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('the EC2 playbook takes the instance finding of the same event', async () => {
    const w = world();
    const ec2 = loadPlaybooks().find((playbook) => playbook.id === 'compromised-ec2-instance')!;
    const result = await w.deliver(
      loadEvent('securityhub/several-findings'),
      responderSettings({ playbook: ec2, securityHub: { updateFindings: true, updateNativeFindings: false } }),
    );
    if (result.kind !== 'securityhub') throw new Error(result.kind);
    expect(result.findings.map((entry) => entry.result.kind)).toEqual(['ignored', 'handled', 'ignored']);
    expect(result.findings[1]!.result).toMatchObject({ outcome: { status: 'contained' } });
  });

  it('a sample finding passes the same gates: skipped, no IAM call, one message', async () => {
    const w = world();
    const result = await w.deliver(loadEvent('securityhub/guardduty-sample'));
    expect(result.kind === 'securityhub' && result.findings[0]!.result).toMatchObject({
      kind: 'handled',
      outcome: { status: 'skipped' },
    });
    expect(w.iam.mock.calls()).toHaveLength(0);
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(w.hub.commandCalls(BatchUpdateFindingsCommand)[0]!.args[0].input.Note!.Text).toContain('nothing to release');
  });

  it('a failed Security Hub update keeps the containment and the message, and is reported (thrown for the DLQ)', async () => {
    const w = world();
    w.hub
      .on(BatchUpdateFindingsCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    await expect(w.deliver(loadEvent('securityhub/guardduty-iam-user-long-term-key'))).rejects.toThrow(
      /securityhub:BatchUpdateFindings.*AccessDeniedException/,
    );
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(
      w.entries.some(
        (entry) =>
          entry.message === 'Finding not fully handled' && String(entry.attributes.problems).includes('not updated'),
      ),
    ).toBe(true);
  });

  it('an unprocessed finding is a failure too', async () => {
    const w = world();
    w.hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        { FindingIdentifier: { Id: 'x', ProductArn: 'y' }, ErrorCode: 'FindingNotFound', ErrorMessage: 'not found' },
      ],
    });
    await expect(w.deliver(loadEvent('securityhub/guardduty-iam-user-long-term-key'))).rejects.toBeInstanceOf(
      ContainmentIncompleteError,
    );
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  });

  it('updateNativeFindings: a native GuardDuty finding is updated under its ASFF id', async () => {
    const w = world({ updateFindings: true, updateNativeFindings: true });
    await w.deliver(loadEvent('guardduty/iam-user-long-term-key'));
    expect(w.hub.commandCalls(BatchUpdateFindingsCommand)[0]!.args[0].input.FindingIdentifiers).toEqual([
      {
        Id: 'arn:aws:guardduty:us-east-1:111122223333:detector/6cc2b3e1a7d94f0e8b5a2c7d9e1f3a40/finding/8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
        ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      },
    ]);
  });

  it('Security Hub off: nothing is sent to Security Hub', async () => {
    const w = world(null);
    await w.deliver(loadEvent('securityhub/guardduty-iam-user-long-term-key'));
    expect(w.hub.calls()).toHaveLength(0);
  });

  it('a malformed authentic finding: the others are handled, one rejection message, then thrown for the DLQ', async () => {
    const w = world();
    const event = editedEvent('securityhub/several-findings', (e) => (e.detail.findings[1].Id = 'not-an-arn'));
    await expect(w.deliver(event)).rejects.toBeInstanceOf(FindingRejectedError);
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const subjects = w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Subject);
    expect(subjects).toHaveLength(2);
    expect(subjects[1]).toContain('NOT READ');
  });

  it('custom action "contain": runs the playbook on a triaged finding, through the gates', async () => {
    const w = world();
    const result = await w.deliver(loadEvent('securityhub/custom-action-contain'));
    expect(result).toMatchObject({ kind: 'securityhub', trigger: 'contain' });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const sample = editedEvent(
      'securityhub/custom-action-contain',
      (e) => (e.detail.findings = (loadEvent('securityhub/guardduty-sample') as any).detail.findings),
    );
    const w2 = world();
    const skipped = await w2.deliver(sample);
    expect(skipped.kind === 'securityhub' && skipped.findings[0]!.result).toMatchObject({
      kind: 'handled',
      outcome: { status: 'skipped' },
    });
    expect(w2.iam.mock.calls()).toHaveLength(0);
  });

  it('a custom action other than contain is ignored by a responder', async () => {
    const w = world();
    const result = await w.deliver(loadEvent('securityhub/custom-action-release'));
    expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('FirebreakRelease') });
    expect(w.iam.mock.calls()).toHaveLength(0);
  });
});
