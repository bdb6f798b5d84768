import { handleEvent, type Log } from '../../../lambdas/pipeline/handle-event';
import type { Playbook } from '../../../lambdas/model/playbook';
import { releaseIncident } from '../../../lambdas/pipeline/release-incident';
import { loadPlaybooks } from '../../../lib/playbooks';
import { APP_SG, ENI, INSTANCE, VPC, instanceWorld } from '../../support/action-cases';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, responderSettings, ledgerWorld } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbook = (): Playbook => loadPlaybooks().find((p) => p.id === 'compromised-ec2-instance')!;

it("a crashed holder's planned entry (a guess, never written) does not replace the real pre-state the next holder reads", async () => {
  let extra = '';
  const w = ledgerWorld((iam, ec2) => {
    instanceWorld(iam, ec2);
    // Since the finding was generated, the interface got a second group: the finding says [APP_SG] only.
    extra = ec2.addSecurityGroup({ groupName: 'monitoring', vpcId: VPC });
    ec2.interfaces.get(ENI)!.groupIds.push(extra);
  });
  const incidentId = `e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46/instance/${INSTANCE}`;
  // Delivery A leased the incident with its planned intents (as the engine builds them from the finding) and died
  // before the isolation step wrote anything (it was waiting for Standby; Lambda timeout). Nothing else recorded.
  const then = new Date(FIXED_NOW.getTime() - 180_000);
  await w.ledger.leaseIncident(incidentId, 'a', 120_000, then, [
    {
      index: 2,
      action: 'ec2-isolate-network',
      summary: 'Isolate (planned)',
      write: {
        instanceId: INSTANCE,
        interfaces: [{ networkInterfaceId: ENI, vpcId: VPC, original: [APP_SG] }],
        groups: {},
        cutTrackedConnections: true,
        attempts: 3,
      },
      replaced: { interfaces: { [ENI]: [APP_SG] } },
      appliedAt: then.toISOString(),
    },
  ]);
  expect(w.ec2.groupsOf(ENI)).toEqual([APP_SG, extra]);
  const settings = responderSettings({ playbook: playbook() });
  await handleEvent(loadEvent('guardduty/ec2-instance'), {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId: 'b',
    now: () => FIXED_NOW,
  });
  expect(
    (await w.ledger.getIncident(incidentId))!.steps.find((s) => s.action === 'ec2-isolate-network')!.replaced,
  ).toEqual({ interfaces: { [ENI]: [APP_SG, extra] } });
  await releaseIncident(incidentId, {
    ledger: w.ledger,
    clients: w.clients,
    releasedBy: 'alice',
    exemptionHours: 24,
    now: () => new Date(FIXED_NOW.getTime() + 60_000),
  });
  expect(w.ec2.groupsOf(ENI).sort()).toEqual([APP_SG, extra].sort());
});
