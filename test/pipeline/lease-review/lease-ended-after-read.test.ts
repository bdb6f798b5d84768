import { PublishCommand } from '@aws-sdk/client-sns';
import { handleEvent, type Log } from '../../../lambdas/pipeline/handle-event';
import type { Playbook } from '../../../lambdas/model/playbook';
import type { Ledger } from '../../../lambdas/ledger/ledger';
import { loadPlaybooks } from '../../../lib/playbooks';
import { instanceWorld } from '../../support/action-cases';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, responderSettings, ledgerWorld } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbook = (): Playbook => loadPlaybooks().find((p) => p.id === 'compromised-ec2-instance')!;

it('two deliveries: B read the incident before A recorded anything and leased after A ended: B reads again, so one snapshot set and one message', async () => {
  const w = ledgerWorld((iam, ec2) => instanceWorld(iam, ec2));
  let aDone: () => void = () => undefined;
  const aFinished = new Promise<void>((resolve) => (aDone = resolve));
  // B's two first-round-trip requests go out together; the lease PutItem is answered later (an SDK retry after a
  // throttle or a 500): the incident Query was answered before A recorded anything.
  const slowLease: Ledger = new Proxy(w.ledger, {
    get(target, prop, receiver) {
      if (prop === 'leaseIncident')
        return async (...args: Parameters<Ledger['leaseIncident']>) => {
          await aFinished;
          return target.leaseIncident(...args);
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const settings = responderSettings({ playbook: playbook() });
  const deps = {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    now: () => FIXED_NOW,
  };
  const event = loadEvent('guardduty/ec2-instance');
  const b = handleEvent(event, { ...deps, ledger: slowLease, invocationId: 'b' });
  const a = handleEvent(event, { ...deps, ledger: w.ledger, invocationId: 'a' }).finally(() => aDone());
  await Promise.allSettled([a, b]);

  const createSnapshots = w.ec2.ec2Mock
    .calls()
    .filter((call) => (call.args[0] as object).constructor.name === 'CreateSnapshotsCommand');
  const messages = w.sns.commandCalls(PublishCommand).length;
  expect(createSnapshots).toHaveLength(1);
  expect(messages).toBe(1);
});
