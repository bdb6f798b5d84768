import { handleEvent, type Log } from '../../../lambdas/pipeline/handle-event';
import { releaseIncident } from '../../../lambdas/pipeline/release-incident';
import type { Ledger } from '../../../lambdas/ledger/ledger';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';

it('planned entries of a holder that never wrote are never confirmed later: release does not re-activate a key a human deactivated', async () => {
  const w = ledgerWorld((iam) =>
    iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }] }),
  );
  // Delivery A: its lease PutItem is stored, but the answer is lost (timeout): A fails closed, writes nothing, and
  // cannot end a lease it does not know it holds.
  const lostAnswer: Ledger = new Proxy(w.ledger, {
    get(target, prop, receiver) {
      if (prop === 'leaseIncident')
        return async (...args: Parameters<Ledger['leaseIncident']>) => {
          await target.leaseIncident(...args);
          throw new Error('socket timeout');
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const deps = {
    settings: responderSettings(),
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
  };
  await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
    ...deps,
    ledger: lostAnswer,
    invocationId: 'a',
    now: () => FIXED_NOW,
  }).catch((e: Error) => e.message);
  // The on-call reads the NOT CONTAINED message and deactivates the key by hand.
  w.iam.user('ci-deploy').keys![0]!.status = 'Inactive';
  // GuardDuty re-sends the finding 15 minutes later.
  const later = new Date(FIXED_NOW.getTime() + 15 * 60_000);
  const b = await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
    ...deps,
    ledger: w.ledger,
    invocationId: 'b',
    now: () => later,
  });
  expect(
    b.kind === 'handled' && b.outcome.steps.find((step) => step.action === 'iam-deactivate-access-key')!.summary,
  ).toContain('release leaves it to a human');
  // Later the incident is released: the key the human deactivated stays inactive, and release says to check it.
  const report = await releaseIncident(INCIDENT, {
    ledger: w.ledger,
    clients: w.clients,
    releasedBy: 'bob',
    exemptionHours: 24,
    now: () => new Date(later.getTime() + 60_000),
  });
  expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  expect(report.steps.find((step) => step.action === 'iam-deactivate-access-key')!.status).toBe('unconfirmed');
});
