import { AwsCallError } from '../../lambdas/aws/aws-call-error';
import { findAction } from '../../lambdas/actions/registry';
import { resolveResource } from '../../lambdas/kinds/resolve-resource';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { ACTION_CASES, type ActionCase } from '../support/action-cases';
import { accessDenied } from '../support/aws-errors';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { loadFinding } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, iamPlaybook, responderSettings, testClients } from '../support/settings';

interface World {
  readonly iam: FakeIam;
  readonly ec2: FakeEc2;
  writeCalls(): number;
}

function freshWorld(actionCase: ActionCase): World {
  const iam = new FakeIam(HOME_ACCOUNT);
  const ec2 = new FakeEc2(HOME_ACCOUNT);
  actionCase.world(iam, ec2);
  return { iam, ec2, writeCalls: () => iam.writeCalls() + ec2.writeCalls() };
}

async function runSingleStep(actionCase: ActionCase, world: World, mode: 'enforce' | 'dry-run' = 'enforce') {
  const { clients } = testClients(world.iam, world.ec2);
  const base = iamPlaybook();
  const playbook = {
    ...base,
    mode,
    trigger: { ...base.trigger, minimumSeverity: 1 },
    steps: [{ action: actionCase.action, ...(actionCase.with ? { with: actionCase.with } : {}) }],
  };
  const outcome = await runPlaybook(loadFinding(actionCase.fixture), {
    settings: responderSettings({ playbook }),
    clients,
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
  return outcome.steps[0]!;
}

function callsOf(world: World, command: string): number {
  const all = [...world.iam.mock.calls(), ...world.ec2.ec2Mock.calls(), ...world.ec2.autoScalingMock.calls()];
  return all.filter((call) => (call.args[0] as object).constructor.name === `${command}Command`).length;
}

const writing = ACTION_CASES.filter((actionCase) => actionCase.writeCommand !== '');

describe.each(writing.map((actionCase) => [actionCase.name, actionCase] as const))('%s', (_name, actionCase) => {
  it('applies, verifies, and records the replaced state', async () => {
    const world = freshWorld(actionCase);
    const step = await runSingleStep(actionCase, world);
    expect(step.error).toBeUndefined();
    expect(step.status).toBe('done');
    expect(actionCase.isContained(world.iam, world.ec2)).toBe(true);
    expect(step.verification).toMatchObject({ confirmed: true });
    expect(step).toHaveProperty('replaced');
    expect(callsOf(world, actionCase.writeCommand)).toBeGreaterThanOrEqual(1);
  });

  it('is a no-op when already done: no write call', async () => {
    const world = freshWorld(actionCase);
    actionCase.contain(world.iam, world.ec2);
    const step = await runSingleStep(actionCase, world);
    expect(step.status).toBe('no-op');
    expect(world.writeCalls()).toBe(0);
  });

  it('surfaces an SDK error with the call, the resource and the cause', async () => {
    const world = freshWorld(actionCase);
    const denied = accessDenied(actionCase.writeCommand);
    world.iam.failOn(actionCase.writeCommand, denied);
    world.ec2.failOn(actionCase.writeCommand, denied);
    const step = await runSingleStep(actionCase, world);
    expect(step.status).toBe('failed');
    expect(step.error?.message).toContain(`:${actionCase.writeCommand}`);
    expect(step.error?.message).toContain('AccessDenied');
    expect(actionCase.isContained(world.iam, world.ec2)).toBe(false);

    // The error the action throws keeps the SDK error as its cause.
    const action = findAction(actionCase.action)!;
    const finding = loadFinding(actionCase.fixture);
    const { clients } = testClients(world.iam, world.ec2);
    const resolution = await resolveResource(finding, clients);
    if (resolution.kind !== 'resolved') throw new Error('fixture world');
    const target = { finding, resource: resolution.resource };
    const params = action.params.parse(actionCase.with ?? {});
    const plan = action.plan(target, await action.describe(target, params, clients), params, FIXED_NOW);
    if (plan.kind !== 'write') throw new Error('expected a write plan');
    const thrown = await action.apply(plan.write, clients).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Error);
    const withCause = thrown instanceof AwsCallError ? thrown : (thrown as Error);
    expect(JSON.stringify(withCause.message)).toContain('AccessDenied');
    if (thrown instanceof AwsCallError) expect(thrown.cause).toBe(denied);
  });

  it('writes nothing in dry-run, and says what it would do', async () => {
    const world = freshWorld(actionCase);
    const step = await runSingleStep(actionCase, world, 'dry-run');
    expect(step.status).toBe('planned');
    expect(step.summary.length).toBeGreaterThan(10);
    expect(world.writeCalls()).toBe(0);
    expect(actionCase.isContained(world.iam, world.ec2)).toBe(false);
  });
});

describe('record the instance state', () => {
  it('records every attribute release needs, and writes nothing', async () => {
    const actionCase = ACTION_CASES.find((candidate) => candidate.action === 'ec2-record-instance-state')!;
    const world = freshWorld(actionCase);
    const step = await runSingleStep(actionCase, world);
    expect(step.status).toBe('recorded');
    expect(world.writeCalls()).toBe(0);
    expect(step.replaced).toMatchObject({
      instanceId: 'i-0abc123def4567890',
      interfaces: [
        {
          networkInterfaceId: 'eni-0f1e2d3c4b5a69788',
          vpcId: 'vpc-0fedcba9876543210',
          groupIds: ['sg-0a1b2c3d4e5f67890'],
        },
      ],
      volumes: [
        { volumeId: 'vol-0aaaaaaaaaaaaaaa1', deviceName: '/dev/xvda', deleteOnTermination: true },
        { volumeId: 'vol-0bbbbbbbbbbbbbbb2', deviceName: '/dev/sdf', deleteOnTermination: true },
      ],
      attributes: { terminationProtection: false, stopProtection: false, shutdownBehavior: 'terminate' },
      instanceProfile: { instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/app-server-profile' },
      autoScaling: { groupName: 'app-asg', lifecycleState: 'InService' },
      tags: { Name: 'app-server-1' },
    });
  });
});
