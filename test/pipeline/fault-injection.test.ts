import { SINGLE_FAULT_BUGS } from '../support/fault-known-bugs';
import { singleFaultSuite } from '../support/fault-suites';
import { checkAfterFaults, minutes, scenarioNamed, setup } from '../support/fault-world';

/**
 * The fault matrix, one fault per run. For every AWS call a playbook's clean run makes (recorded, not listed by hand:
 * IAM, EC2, Auto Scaling, the DynamoDB ledger, SNS, KMS GenerateMac/VerifyMac of the ledger records, GuardDuty
 * ListDetectors/GetFindings re-reading the finding, Security Hub GetFindings/BatchUpdateFindings, STS AssumeRole for
 * member accounts), in the first delivery and in its re-delivery, and for each of four faults at that call
 * (throttling, AccessDenied, 5xx, timeout after the effect), plus an outage (every call of a command fails) of each
 * command: after each faulted delivery nothing is silent, nothing is written without a successful re-read of the
 * finding, every ledger record verifies, one effect only, the quarantine is consistent and the ledger matches reality;
 * after a later clean delivery the containment is complete. Invariants and world: test/support/fault-world.ts.
 *
 * This file: the home-account GuardDuty and native Config scenarios. The EC2 instance is fault-matrix-ec2.test.ts; the
 * member account (STS) and Security Hub scenarios are fault-matrix-sources.test.ts; two faults per run,
 * fault-matrix-pairs.test.ts; concurrent deliveries, fault-matrix-concurrent.test.ts.
 */
singleFaultSuite(
  ['IAM user with a long-term key', 'assumed-role session', 'Config restricted-ssh', 'Config access-keys-rotated'],
  SINGLE_FAULT_BUGS,
);

describe('the invariants catch what they look for (so a green matrix means something)', () => {
  const iamUser = () => scenarioNamed('IAM user with a long-term key');

  it('a step record changed in the table fails its MAC check', async () => {
    const world = await setup(iamUser());
    const first = await world.deliver('first', minutes(0));
    expect(await checkAfterFaults(world, { faulted: [first] })).toEqual([]);
    const step = world.table
      .itemsUnder('INCIDENT#')
      .find((item) => item.sk?.S?.startsWith('STEP#') && item.state?.S === 'applied')!;
    step.summary = { S: 'rewritten by someone else' };
    expect(await checkAfterFaults(world, { faulted: [first] })).toEqual([
      expect.stringMatching(/^ledger record STEP#\d+#[\w-]+ of \S+: MAC failed$/),
    ]);
  });

  it('a write with no successful re-read before it breaks fail-closed; a delivery with no message and no error is silent', async () => {
    const world = await setup(iamUser());
    const first = await world.deliver('first', minutes(0));
    for (const call of world.probe.calls)
      if (call.command === 'GetFindings' || call.command === 'Publish') call.ok = false;
    const failures = await checkAfterFaults(world, { faulted: [first] });
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.stringContaining('first: silent'),
        expect.stringContaining('written without a successful re-read of the finding from its source'),
      ]),
    );
  });

  it('a second effect (the deny policy put twice, the key deactivated twice) is caught', async () => {
    const world = await setup(iamUser());
    const first = await world.deliver('first', minutes(0));
    const again = world.probe.calls.filter(
      (call) => (call.command === 'PutUserPolicy' || call.command === 'UpdateAccessKey') && call.tookEffect,
    );
    world.probe.calls.push(...again.map((call) => ({ ...call, delivery: 'another' })));
    expect(await checkAfterFaults(world, { faulted: [first] })).toEqual(
      expect.arrayContaining([
        'access key AKIAI44QH8DHBEXAMPLE deactivated 2 times',
        'PutUserPolicy ci-deploy/firebreak-deny-sessions-issued-before took effect 2 times',
      ]),
    );
  });
});
