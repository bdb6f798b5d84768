import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../../../lambdas/pipeline/handle-event';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

it('breaker open: two concurrent deliveries of one finding send one dry-run message', async () => {
  const w = ledgerWorld((iam) =>
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] }),
  );
  // Both accounts' counters are full this hour and have paged already.
  for (const accountId of ['123456789012', '111122223333']) {
    const scope = { kind: 'account', accountId } as const;
    await w.ledger.takeBreakerSlot(scope, 1, FIXED_NOW);
    const full = await w.ledger.takeBreakerSlot(scope, 1, FIXED_NOW);
    if (full.kind !== 'full' || !(await w.ledger.pageBreaker(full, FIXED_NOW)))
      throw new Error('the counter should be full and page once');
  }
  const settings = responderSettings({ breaker: { maxPerAccountPerHour: 1, maxPerPlaybookPerHour: 100 } });
  const deliver = (id: string) =>
    handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
      settings,
      clients: w.clients,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
      log: quiet,
      ledger: w.ledger,
      invocationId: id,
      now: () => FIXED_NOW,
    });
  const first = deliver('a');
  await new Promise((resolve) => setTimeout(resolve, 0));
  await Promise.all([first, deliver('b')]);
  expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
});
