import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import { loadPlaybooks } from '../../lib/playbooks';
import { INSTANCE, instanceWorld } from '../support/action-cases';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, ledgerWorld, responderSettings } from '../support/settings';

const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CONTAINMENT = [
  'EnterStandby',
  'ModifyNetworkInterfaceAttribute',
  'PutRolePolicy',
  'DisassociateIamInstanceProfile',
];
const EVIDENCE = ['CreateSnapshots', 'ModifyInstanceAttribute', 'CreateTags'];

/** One EC2 delivery through the handler on the fakes, with every call's start and end in one order. */
async function deliverRecorded() {
  const w = ledgerWorld((iam, ec2) => instanceWorld(iam, ec2));
  const events: { edge: 'start' | 'end'; name: string; input: Record<string, unknown> }[] = [];
  for (const client of [w.clients.iam, w.clients.ec2, w.clients.autoScaling, w.clients.dynamodb]) {
    const target = client as unknown as { send: (command: object) => Promise<unknown> };
    const send = target.send.bind(target);
    target.send = async (command: object) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const input = (command as { input?: Record<string, unknown> }).input ?? {};
      events.push({ edge: 'start', name, input });
      try {
        return await send(command);
      } finally {
        events.push({ edge: 'end', name, input });
      }
    };
  }
  const settings = responderSettings({ playbook: loadPlaybooks().find((p) => p.id === 'compromised-ec2-instance')! });
  const result = await handleEvent(loadEvent('guardduty/ec2-instance'), {
    settings,
    clients: w.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    ledger: w.ledger,
    invocationId: 'request-1',
    now: () => FIXED_NOW,
  });
  const at = (edge: 'start' | 'end', name: string, which: 'first' | 'last' = 'first') => {
    const indexes = events.flatMap((event, index) => (event.edge === edge && event.name === name ? [index] : []));
    return which === 'first' ? indexes[0]! : indexes[indexes.length - 1]!;
  };
  return { w, events, result, at };
}

const stepKey = (input: Record<string, unknown>) => (input.Key as { sk?: { S?: string } } | undefined)?.sk?.S;

describe('compromised-ec2-instance: the credential deny goes out with the network swap', () => {
  it("reads the finding's instance profile beside its association, and writes the deny on the lease's intent", async () => {
    const { w, events, result, at } = await deliverRecorded();
    expect(result.kind === 'handled' && result.outcome.status).toBe('contained');
    expect(at('start', 'GetInstanceProfile')).toBeLessThan(at('end', 'DescribeIamInstanceProfileAssociations'));
    const deny = at('start', 'PutRolePolicy');
    const intentsBefore = events
      .slice(0, deny)
      .filter(
        (event) => event.name === 'UpdateItem' && stepKey(event.input)?.includes('ec2-revoke-instance-credentials'),
      );
    expect(intentsBefore).toEqual([]);
    const incident = await w.ledger.getIncident(result.kind === 'handled' ? result.outcome.incidentId! : '');
    const record = incident!.steps.find((step) => step.action === 'ec2-revoke-instance-credentials')!;
    expect(record).toMatchObject({
      replaced: {
        instanceProfile: { instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/app-server-profile' },
        rolePolicy: { policyName: `firebreak-deny-session-${INSTANCE}`, document: null },
      },
      integrity: 'verified',
    });
    expect(record.unconfirmed).toBeUndefined();
  });

  it('sends no evidence or tag write before every containment write is answered', async () => {
    const { at } = await deliverRecorded();
    const contained = Math.max(...CONTAINMENT.map((name) => at('end', name, 'last')));
    for (const name of EVIDENCE) expect(at('start', name)).toBeGreaterThan(contained);
  });

  it('every planned step recorded on its own: the lease is not rewritten to clear its intents before the end', async () => {
    const { events } = await deliverRecorded();
    const leaseUpdates = events.filter(
      (event) => event.edge === 'start' && event.name === 'UpdateItem' && stepKey(event.input) === 'LEASE',
    );
    // Only the handler's end of the lease, which drops the planned intents with it.
    expect(leaseUpdates.map((event) => event.input.UpdateExpression)).toEqual([
      'SET #state = :released, #ended = :ended REMOVE #planned',
    ]);
  });
});
