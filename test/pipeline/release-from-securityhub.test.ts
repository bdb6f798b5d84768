import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import { releaseRequestsOf } from '../../lambdas/pipeline/release-from-securityhub';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import { editedEvent, loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, ledgerWorld, responderSettings } from '../support/settings';
import { loadReleaseModule } from '../identity/release-module';

const { handleReleaseEvent } = loadReleaseModule();
const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('custom action "Firebreak: release"', () => {
  it('names the incident its containment recorded: contained natively, found from the Security Hub finding', async () => {
    const w = ledgerWorld((iam) =>
      iam.addUser('ci-deploy', {
        id: 'AIDAJQABLZS4A3QDU576Q',
        keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
      }),
    );
    const result = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
      settings: responderSettings(),
      clients: w.clients,
      topicArn: 't',
      log: quiet,
      ledger: w.ledger,
      invocationId: 'r1',
      now: () => FIXED_NOW,
    });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const requests = await releaseRequestsOf(loadEvent('securityhub/custom-action-release'), w.ledger);
    expect(requests.incidentIds).toEqual([result.kind === 'handled' ? result.outcome.incidentId : 'none']);
    expect(requests.securityHubAccount).toBe('111122223333');
  });

  it('fails closed: releases nothing, and sends one message per incident with the command that releases it', async () => {
    const w = ledgerWorld((iam) =>
      iam.addUser('ci-deploy', {
        id: 'AIDAJQABLZS4A3QDU576Q',
        keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
      }),
    );
    await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
      settings: responderSettings(),
      clients: w.clients,
      topicArn: 't',
      log: quiet,
      ledger: w.ledger,
      invocationId: 'r1',
      now: () => FIXED_NOW,
    });
    w.sns.resetHistory();
    const writes = w.iam.writeCalls();
    const deps = {
      ledger: w.ledger,
      clients: w.clients,
      topicArn: 't',
      exemptionHours: 24,
      identity: { homeAccountId: HOME_ACCOUNT, region: 'us-east-1', functionName: 'Firebreak-Release' },
      log: quiet,
      now: () => FIXED_NOW,
    };
    // The same finding selected twice: one incident, one message.
    const twice = editedEvent('securityhub/custom-action-release', (e) => e.detail.findings.push(e.detail.findings[0]));
    const answer = await handleReleaseEvent(twice, deps);
    expect(answer).toEqual({ kind: 'release-requested', requested: [INCIDENT], skipped: [] });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(w.iam.writeCalls()).toBe(writes);
    const incident = await w.ledger.getIncident(INCIDENT);
    expect(incident!.releasedAt).toBeUndefined();
    expect(incident!.exemptUntil).toBeUndefined();
    const messages = w.sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.Subject).toMatch(/^Firebreak RELEASE REQUESTED \| compromised-iam-credentials \| 8ecbd6e2/);
    const text = JSON.parse(messages[0]!.Message!).email as string;
    expect(text).toContain(
      `Release requested from the Security Hub console for incident ${INCIDENT} (Security Hub does not say by whom).`,
    );
    expect(text).toContain(
      `$ npm run firebreak -- release '${INCIDENT}' --function Firebreak-Release --region us-east-1`,
    );
    expect(text).toContain('Firebreak released nothing');
  });

  it('a selected finding Firebreak never contained is skipped, with no message', async () => {
    const w = ledgerWorld(() => undefined);
    const deps = {
      ledger: w.ledger,
      clients: w.clients,
      topicArn: 't',
      exemptionHours: 24,
      identity: { homeAccountId: HOME_ACCOUNT, region: 'us-east-1', functionName: 'Firebreak-Release' },
      log: quiet,
    };
    const answer = await handleReleaseEvent(loadEvent('securityhub/custom-action-release'), deps);
    expect(answer).toEqual({
      kind: 'release-requested',
      requested: [],
      skipped: [`${INCIDENT}: Firebreak has no incident with this id (the finding was not contained by Firebreak)`],
    });
    expect(w.sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('a forged finding releases nothing and says why', async () => {
    const event = editedEvent(
      'securityhub/custom-action-release',
      (e) => (e.detail.findings = (loadEvent('securityhub/forged-third-party-product') as any).detail.findings),
    );
    const requests = await releaseRequestsOf(event, ledgerWorld(() => undefined).ledger);
    expect(requests.incidentIds).toEqual([]);
    expect(requests.skipped[0]).toContain('ProductArn');
  });

  it('rejects imported findings and the contain action', async () => {
    const { ledger } = ledgerWorld(() => undefined);
    await expect(releaseRequestsOf(loadEvent('securityhub/guardduty-iam-user-long-term-key'), ledger)).rejects.toThrow(
      FindingRejectedError,
    );
    await expect(releaseRequestsOf(loadEvent('securityhub/custom-action-contain'), ledger)).rejects.toThrow(
      /FirebreakRelease/,
    );
  });

  it('a Config finding Security Hub updated since (a new evaluation time) names the incident its containment recorded', async () => {
    const w = ledgerWorld(() => undefined);
    const hub = (loadEvent('securityhub/config-restricted-ssh-non-compliant') as any).detail.findings[0];
    const event = (finding: unknown) =>
      editedEvent('securityhub/custom-action-release', (e) => (e.detail.findings = [finding]));
    const contained = await releaseRequestsOf(event(hub), w.ledger);
    expect(contained.incidentIds).toEqual([]);
    expect(contained.skipped[0]).toContain('no incident for Config rule');
    // The responder links the rule and resource to the incident it recorded; the finding is then re-evaluated.
    const { parseSecurityHubEvent } = await import('../../lambdas/findings/parse-securityhub-event');
    const { configEvaluationKey, incidentIdOf } = await import('../../lambdas/ledger/incident-id');
    const parsed = parseSecurityHubEvent(loadEvent('securityhub/config-restricted-ssh-non-compliant'));
    const finding =
      parsed.kind === 'imported' && parsed.findings[0]!.result.kind === 'finding'
        ? parsed.findings[0]!.result.finding
        : undefined;
    await w.ledger.linkConfigIncident(
      configEvaluationKey(finding!),
      incidentIdOf(finding!),
      new Date(FIXED_NOW.getTime() + 86_400_000),
    );
    const later = await releaseRequestsOf(
      event({
        ...hub,
        UpdatedAt: '2026-11-04T14:22:05.771Z',
        Compliance: { Status: 'PASSED' },
        ProductFields: { ...hub.ProductFields, 'aws/config/ConfigComplianceType': 'COMPLIANT' },
      }),
      w.ledger,
    );
    expect(later.skipped).toEqual([]);
    expect(later.incidentIds).toEqual([incidentIdOf(finding!)]);
  });
});
