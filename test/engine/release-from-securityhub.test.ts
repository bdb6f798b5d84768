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
    const requests = releaseRequestsOf(loadEvent('securityhub/custom-action-release'));
    expect(requests.incidentIds).toEqual([result.kind === 'handled' ? result.outcome.incidentId : 'none']);
    expect(requests.releasedBy).toContain('111122223333');
    await releaseIncident(requests.incidentIds[0]!, { ledger: w.ledger, clients: w.clients, releasedBy: requests.releasedBy, exemptionHours: 24, now: () => new Date(FIXED_NOW.getTime() + 60_000) });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
  });

  it('a forged finding releases nothing and says why', () => {
    const event = editedEvent('securityhub/custom-action-release', (e) => (e.detail.findings = (loadEvent('securityhub/forged-third-party-product') as any).detail.findings));
    const requests = releaseRequestsOf(event);
    expect(requests.incidentIds).toEqual([]);
    expect(requests.skipped[0]).toContain('ProductArn');
  });

  it('rejects imported findings and the contain action', () => {
    expect(() => releaseRequestsOf(loadEvent('securityhub/guardduty-iam-user-long-term-key'))).toThrow(FindingRejectedError);
    expect(() => releaseRequestsOf(loadEvent('securityhub/custom-action-contain'))).toThrow(/FirebreakRelease/);
  });
});
