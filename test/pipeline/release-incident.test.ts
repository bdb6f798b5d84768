import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import type { Playbook } from '../../lambdas/model/playbook';
import { IncidentNotFoundError, releaseIncident } from '../../lambdas/pipeline/release-incident';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { loadPlaybooks } from '../../lib/playbooks';
import { ENI, INSTANCE, instanceWorld } from '../support/action-cases';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, responderSettings, ledgerWorld } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const playbookById = (id: string): Playbook => loadPlaybooks().find((playbook) => playbook.id === id)!;
const LATER = new Date(FIXED_NOW.getTime() + 3_600_000);

function world() {
  return ledgerWorld((iam, ec2) => {
    instanceWorld(iam, ec2);
    iam.addUser('ci-deploy', {
      id: 'AIDAJQABLZS4A3QDU576Q',
      keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
      policies: { 'their-own-policy': '{"Version":"2012-10-17","Statement":[]}' },
    });
    iam.addRole('app-server-role-2', { id: 'AROAR2EXAMPLEJ5VW8PTQ' });
  });
}
type World = ReturnType<typeof world>;

async function contain(w: World, fixture: string, settings: ResponderSettings) {
  const result = await handleEvent(loadEvent(fixture), {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId: 'r1',
    now: () => FIXED_NOW,
  });
  if (result.kind !== 'handled' || !result.outcome.incidentId) throw new Error('not handled');
  return result.outcome;
}

const release = (w: World, incidentId: string) =>
  releaseIncident(incidentId, {
    ledger: w.ledger,
    clients: w.clients,
    releasedBy: 'alice@example.com',
    exemptionHours: 24,
    now: () => LATER,
  });

/** Everything containment may change and release must put back, as plain data. */
function iamState(w: World) {
  return structuredClone({
    users: [...w.iam.users].map(([name, user]) => ({ name, keys: user.keys, policies: user.policies })),
    roles: [...w.iam.roles].map(([name, role]) => ({ name, policies: role.policies })),
  });
}

function ec2State(w: World) {
  const instance = w.ec2.instance(INSTANCE);
  return structuredClone({
    groups: w.ec2.groupsOf(ENI),
    disableApiTermination: instance.disableApiTermination,
    disableApiStop: instance.disableApiStop,
    shutdownBehavior: instance.shutdownBehavior,
    deleteOnTermination: instance.volumes.map((volume) => volume.deleteOnTermination),
    lifecycleState: instance.lifecycleState,
    instanceProfileArn: instance.instanceProfileArn,
    state: instance.state,
  });
}

describe('release: contain then release returns every recorded attribute to its original value', () => {
  it('IAM user: the key is Active again, only the Firebreak policy is removed, the tags stay as evidence', async () => {
    const w = world();
    const before = iamState(w);
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key', responderSettings());
    expect(iamState(w)).not.toEqual(before);
    const report = await release(w, outcome.incidentId!);
    expect(report.complete).toBe(true);
    expect(iamState(w)).toEqual(before);
    expect(w.iam.user('ci-deploy').policies!['their-own-policy']).toBeDefined();
    expect(w.iam.user('ci-deploy').tags!['firebreak:finding-id']).toBe('8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47');
    expect(report.steps.map((step) => [step.action, step.status])).toEqual([
      ['iam-tag-principal', 'kept'],
      ['iam-revoke-user-sessions', 'restored'],
      ['iam-deactivate-access-key', 'restored'],
    ]);
  });

  it(
    'EC2 instance: groups per interface, protections, DeleteOnTermination, Auto ' +
      'Scaling, instance profile and role policy come back; snapshots and tags stay',
    async () => {
      const w = world();
      const before = ec2State(w);
      const rolesBefore = iamState(w).roles;
      const outcome = await contain(
        w,
        'guardduty/ec2-instance',
        responderSettings({ playbook: playbookById('compromised-ec2-instance') }),
      );
      expect(outcome.status).toBe('contained');
      expect(ec2State(w)).not.toEqual(before);
      const report = await release(w, outcome.incidentId!);
      expect(report.complete).toBe(true);
      expect(ec2State(w)).toEqual(before);
      expect(iamState(w).roles).toEqual(rolesBefore);
      expect(w.ec2.snapshots.size).toBe(2);
      expect(w.ec2.instance(INSTANCE).tags['firebreak:status']).toBe('quarantined');
      // Reverse order of the containment steps.
      expect(report.steps.map((step) => step.action)).toEqual([
        'ec2-tag-instance',
        'ec2-snapshot-volumes',
        'ec2-protect-evidence',
        'ec2-revoke-instance-credentials',
        'ec2-isolate-network',
        'autoscaling-enter-standby',
        'ec2-record-instance-state',
      ]);
    },
  );

  it('is idempotent: a second release changes nothing and says so', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key', responderSettings());
    await release(w, outcome.incidentId!);
    const writes = w.iam.writeCalls();
    const again = await release(w, outcome.incidentId!);
    expect(w.iam.writeCalls()).toBe(writes);
    expect(again.steps.every((step) => step.status === 'already-released')).toBe(true);
  });

  it('a state changed by a person since containment is left as it is, and the report says so', async () => {
    const w = world();
    const outcome = await contain(
      w,
      'guardduty/ec2-instance',
      responderSettings({ playbook: playbookById('compromised-ec2-instance') }),
    );
    const forensic = w.ec2.addSecurityGroup({ groupName: 'forensic-access', vpcId: 'vpc-0fedcba9876543210' });
    w.ec2.interface(ENI).groupIds = [forensic];
    const report = await release(w, outcome.incidentId!);
    expect(w.ec2.groupsOf(ENI)).toEqual([forensic]);
    expect(report.steps.find((step) => step.action === 'ec2-isolate-network')).toMatchObject({ status: 'kept' });
  });

  it('records the release, and the incident is then exempt from re-containment', async () => {
    const w = world();
    const outcome = await contain(w, 'guardduty/iam-user-long-term-key', responderSettings());
    const report = await release(w, outcome.incidentId!);
    const incident = await w.ledger.getIncident(outcome.incidentId!);
    expect(incident).toMatchObject({
      releasedBy: 'alice@example.com',
      releasedAt: LATER.toISOString(),
      exemptUntil: report.exemptUntil,
    });
  });

  it('an unknown incident id is a clear error', async () => {
    await expect(release(world(), 'nope')).rejects.toThrow(IncidentNotFoundError);
  });
});
