import { handleEvent, type Log } from '../../../lambdas/pipeline/handle-event';
import type { Playbook } from '../../../lambdas/model/playbook';
import { releaseIncident } from '../../../lambdas/pipeline/release-incident';
import type { Ledger } from '../../../lambdas/ledger/ledger';
import { loadPlaybooks } from '../../../lib/playbooks';
import { APP_SG, ENI, VPC, instanceWorld } from '../../support/action-cases';
import { loadEvent } from '../../support/fixtures';
import { FIXED_NOW, responderSettings, ledgerWorld } from '../../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbook = (): Playbook => loadPlaybooks().find((p) => p.id === 'compromised-ec2-instance')!;

it(
  'a fast-path isolation whose confirmation failed is recorded with its real ' +
    'write, so the next holder confirms it and release restores the interface',
  async () => {
    const w = ledgerWorld((iam, ec2) => {
      instanceWorld(iam, ec2);
      // A quarantine group from an earlier incident in the same VPC.
      ec2.addSecurityGroup({
        groupName: `firebreak-quarantine-${VPC}`,
        vpcId: VPC,
        egress: [],
        tags: { 'firebreak:group-role': 'quarantine' },
      });
    });
    // The confirmation of the isolation fails (DynamoDB error, or the Lambda dies right after the write).
    const flaky: Ledger = new Proxy(w.ledger, {
      get(target, prop, receiver) {
        if (prop === 'recordApplied')
          return async (id: string, step: { action: string }, owner: string) => {
            if (step.action === 'ec2-isolate-network' && owner === 'a') throw new Error('DynamoDB unavailable');
            return target.recordApplied(id, step as never, owner);
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const settings = responderSettings({ playbook: playbook() });
    const deps = { settings, clients: w.clients, topicArn: 'arn:aws:sns:us-east-1:111122223333:t', log: quiet };
    await expect(
      handleEvent(loadEvent('guardduty/ec2-instance'), {
        ...deps,
        ledger: flaky,
        invocationId: 'a',
        now: () => FIXED_NOW,
      }),
    ).rejects.toThrow();
    const quarantine = w.ec2.groupsOf(ENI)[0];
    expect(quarantine).not.toBe(APP_SG);
    // The re-delivery after the lease expired takes over and confirms the planned entry.
    const later = new Date(FIXED_NOW.getTime() + 300_000);
    const second = await handleEvent(loadEvent('guardduty/ec2-instance'), {
      ...deps,
      ledger: w.ledger,
      invocationId: 'b',
      now: () => later,
    });
    const incidentId = second.kind === 'handled' ? second.outcome.incidentId! : '';
    expect(
      (await w.ledger.getIncident(incidentId))!.steps.find((s) => s.action === 'ec2-isolate-network')!.unconfirmed,
    ).toBeUndefined();
    const report = await releaseIncident(incidentId, {
      ledger: w.ledger,
      clients: w.clients,
      releasedBy: 'alice',
      exemptionHours: 24,
      now: () => new Date(later.getTime() + 60_000),
    });
    expect(report.complete).toBe(true);
    expect(w.ec2.groupsOf(ENI)).toEqual([APP_SG]);
  },
);
