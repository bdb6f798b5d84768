import { handleEvent, type Log } from '../../lambdas/engine/handle-event';
import { releaseIncident } from '../../lambdas/engine/release-incident';
import { releaseRequestsOf } from '../../lambdas/engine/release-from-securityhub';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import { editedEvent, loadEvent } from '../support/fixtures';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('custom action "Firebreak: release"', () => {
  it('names the incident its containment recorded: contained natively, released from Security Hub', async () => {
    const w = ledgerWorld((iam) => iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] }));
    const result = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), { settings: responderSettings(), clients: w.clients, topicArn: 't', log: quiet, ledger: w.ledger, invocationId: 'r1', now: () => FIXED_NOW });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    const requests = await releaseRequestsOf(loadEvent('securityhub/custom-action-release'), w.ledger);
    expect(requests.incidentIds).toEqual([result.kind === 'handled' ? result.outcome.incidentId : 'none']);
    expect(requests.releasedBy).toContain('111122223333');
    await releaseIncident(requests.incidentIds[0]!, { ledger: w.ledger, clients: w.clients, releasedBy: requests.releasedBy, exemptionHours: 24, now: () => new Date(FIXED_NOW.getTime() + 60_000) });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });

  it('a forged finding releases nothing and says why', async () => {
    const event = editedEvent('securityhub/custom-action-release', (e) => (e.detail.findings = (loadEvent('securityhub/forged-third-party-product') as any).detail.findings));
    const requests = await releaseRequestsOf(event, ledgerWorld(() => undefined).ledger);
    expect(requests.incidentIds).toEqual([]);
    expect(requests.skipped[0]).toContain('ProductArn');
  });

  it('rejects imported findings and the contain action', async () => {
    const { ledger } = ledgerWorld(() => undefined);
    await expect(releaseRequestsOf(loadEvent('securityhub/guardduty-iam-user-long-term-key'), ledger)).rejects.toThrow(FindingRejectedError);
    await expect(releaseRequestsOf(loadEvent('securityhub/custom-action-contain'), ledger)).rejects.toThrow(/FirebreakRelease/);
  });

  it('a Config finding Security Hub updated since (a new evaluation time) names the incident its containment recorded', async () => {
    const w = ledgerWorld(() => undefined);
    const hub = (loadEvent('securityhub/config-restricted-ssh-non-compliant') as any).detail.findings[0];
    const event = (finding: unknown) => editedEvent('securityhub/custom-action-release', (e) => (e.detail.findings = [finding]));
    const contained = await releaseRequestsOf(event(hub), w.ledger);
    expect(contained.incidentIds).toEqual([]);
    expect(contained.skipped[0]).toContain('no incident for Config rule');
    // The responder links the rule and resource to the incident it recorded; the finding is then re-evaluated.
    const { parseSecurityHubEvent } = await import('../../lambdas/findings/parse-securityhub-event');
    const { configEvaluationKey, incidentIdOf } = await import('../../lambdas/ledger/incident-id');
    const parsed = parseSecurityHubEvent(loadEvent('securityhub/config-restricted-ssh-non-compliant'));
    const finding = parsed.kind === 'imported' && parsed.findings[0]!.result.kind === 'finding' ? parsed.findings[0]!.result.finding : undefined;
    await w.ledger.linkConfigIncident(configEvaluationKey(finding!), incidentIdOf(finding!), new Date(FIXED_NOW.getTime() + 86_400_000));
    const later = await releaseRequestsOf(event({ ...hub, UpdatedAt: '2026-11-04T14:22:05.771Z', Compliance: { Status: 'PASSED' }, ProductFields: { ...hub.ProductFields, 'aws/config/ConfigComplianceType': 'COMPLIANT' } }), w.ledger);
    expect(later.skipped).toEqual([]);
    expect(later.incidentIds).toEqual([incidentIdOf(finding!)]);
  });
});
