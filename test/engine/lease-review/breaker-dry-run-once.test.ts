import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../../../lambdas/engine/handle-event';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

it('breaker open: two concurrent deliveries of one finding send one dry-run message', async () => {
  const w = ledgerWorld((iam) => iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] }));
  await w.ledger.openBreaker({ kind: 'account', accountId: '123456789012' }, FIXED_NOW);
  await w.ledger.openBreaker({ kind: 'account', accountId: '111122223333' }, FIXED_NOW);
  const settings = responderSettings({ breaker: { maxPerAccountPerHour: 1, maxPerPlaybookPerHour: 100 } });
  const deliver = (id: string) => handleEvent(loadEvent('guardduty/iam-user-long-term-key'), { settings, clients: w.clients, topicArn: 'arn:aws:sns:us-east-1:111122223333:t', log: quiet, ledger: w.ledger, invocationId: id, now: () => FIXED_NOW });
  const first = deliver('a');
  await new Promise((resolve) => setTimeout(resolve, 0));
  await Promise.all([first, deliver('b')]);
  expect(w.sns.commandCalls(PublishCommand)).toHaveLength(1);
});
