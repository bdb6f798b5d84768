import { PublishCommand } from '@aws-sdk/client-sns';
import type { ApprovalDependencies } from '../../../lambdas/pipeline/handle-approval';
import { handleEvent, type HandleResult, type Log } from '../../../lambdas/pipeline/handle-event';
import type { ResponderSettings } from '../../../lambdas/pipeline/responder-settings';
import { DynamoDbApprovals } from '../../../lambdas/ledger/dynamodb-approvals';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, iamPlaybook, ledgerWorld, responderSettings } from '../../support/settings';
import { ALICE, fakeSts, proofOf } from '../../identity/sts-principals';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
const minutes = (n: number) => new Date(FIXED_NOW.getTime() + n * 60_000);
const settings: ResponderSettings = responderSettings({
  playbook: iamPlaybook({ mode: 'approve', approval: { timeoutMinutes: 30, onTimeout: 'drop' } }),
});

it(
  'an approval that meets a lease held by a concurrent delivery is not lost: ' +
    'it fails loudly, is put back to awaiting, and a second approval applies it',
  async () => {
    const w = ledgerWorld((iam) =>
      iam.addUser('ci-deploy', {
        id: 'AIDAJQABLZS4A3QDU576Q',
        keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
      }),
    );
    const approvals = new DynamoDbApprovals(w.table.client, w.table.tableName, 400);
    const clock = { now: FIXED_NOW };
    const sts = fakeSts(() => clock.now);
    const invoke = (event: unknown, at: Date, invocationId: string): Promise<HandleResult> => {
      clock.now = at;
      const deps: ApprovalDependencies = {
        settings,
        clients: w.clients,
        topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
        log: quiet,
        ledger: w.ledger,
        approvals,
        invocationId,
        now: () => at,
        callerIdentity: { region: 'us-east-1', functionName: 'responder', fetch: sts.fetch },
      };
      return handleEvent(event, deps);
    };
    // `firebreak approve` as alice: the request with her caller proof.
    const approval = async (at: Date) => {
      const request = { firebreak: 'approve', incidentId: INCIDENT };
      return { ...request, callerProof: await proofOf(sts, ALICE, at, 'approve', 'responder', request) };
    };
    await invoke(loadEvent('guardduty/iam-user-long-term-key'), FIXED_NOW, 'first');
    // A re-delivery of the finding (approve mode: it only plans) holds the incident when the approval arrives.
    await w.ledger.leaseIncident(INCIDENT, 're-delivery', 120_000, minutes(5));
    await expect(invoke(await approval(minutes(5)), minutes(5), 'approve')).rejects.toThrow(
      'run the approve command again',
    );
    expect((await approvals.getApproval(INCIDENT))!.status).toBe('awaiting');
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Active');
    // Once the other delivery's lease is over, approving again contains.
    const again = await invoke(await approval(minutes(8)), minutes(8), 'approve-2');
    expect(again.kind === 'handled' && again.outcome.status).toBe('contained');
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
    expect(w.sns.commandCalls(PublishCommand).length).toBe(2);
  },
);
