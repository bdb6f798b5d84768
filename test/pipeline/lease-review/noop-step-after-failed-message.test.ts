import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../../../lambdas/pipeline/handle-event';
import { releaseIncident } from '../../../lambdas/pipeline/release-incident';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';

it(
  'a key a human deactivated before Firebreak: after a failed message, the next ' +
    "delivery never records it as Firebreak's write, and release leaves it inactive",
  async () => {
    // The key was already deactivated by a human before Firebreak saw the finding.
    const w = ledgerWorld((iam) =>
      iam.addUser('ci-deploy', {
        id: 'AIDAJQABLZS4A3QDU576Q',
        keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Inactive' }],
      }),
    );
    // Every attempt of the first delivery's publish fails (the publish is retried), the second delivery's succeeds.
    w.sns.on(PublishCommand).rejects(new Error('SNS throttled'));
    const deps = {
      settings: responderSettings(),
      clients: w.clients,
      topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
      log: quiet,
    };
    await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
      ...deps,
      ledger: w.ledger,
      invocationId: 'a',
      now: () => FIXED_NOW,
    }).catch(() => undefined);
    expect(w.sns.commandCalls(PublishCommand).length).toBeGreaterThan(1);
    w.sns.reset();
    w.sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const later = new Date(FIXED_NOW.getTime() + 15 * 60_000);
    await handleEvent(loadEvent('guardduty/iam-user-long-term-key'), {
      ...deps,
      ledger: w.ledger,
      invocationId: 'b',
      now: () => later,
    });
    await releaseIncident(INCIDENT, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'bob',
      exemptionHours: 24,
      now: () => new Date(later.getTime() + 60_000),
    });
    expect(w.iam.user('ci-deploy').keys![0]!.status).toBe('Inactive');
  },
);
