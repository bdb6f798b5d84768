import { AwsCallError } from '../../lambdas/aws/aws-call-error';
import { findAction } from '../../lambdas/engine/action-registry';
import { resolvePrincipal } from '../../lambdas/engine/resolve-principal';
import { runPlaybook } from '../../lambdas/engine/run-playbook';
import { ACTION_CASES, type ActionCase } from '../support/action-cases';
import { accessDenied } from '../support/aws-errors';
import { FakeIam } from '../support/fake-iam';
import { loadFinding } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, iamPlaybook, responderSettings, testClients } from '../support/settings';

async function runSingleStep(actionCase: ActionCase, iam: FakeIam, mode: 'enforce' | 'dry-run' = 'enforce') {
  const { clients } = testClients(iam);
  const playbook = iamPlaybook({ mode, steps: [{ action: actionCase.action, ...(actionCase.with ? { with: actionCase.with } : {}) }] });
  const outcome = await runPlaybook(loadFinding(actionCase.fixture), {
    settings: responderSettings({ playbook }),
    clients,
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
  return outcome.steps[0]!;
}

function freshWorld(actionCase: ActionCase): FakeIam {
  const iam = new FakeIam(HOME_ACCOUNT);
  actionCase.world(iam);
  return iam;
}

describe.each(ACTION_CASES.map((actionCase) => [actionCase.name, actionCase] as const))('%s', (_name, actionCase) => {
  it('applies, verifies, and records the replaced state and how to undo it', async () => {
    const iam = freshWorld(actionCase);
    const step = await runSingleStep(actionCase, iam);
    expect(step.status).toBe('done');
    expect(actionCase.isContained(iam)).toBe(true);
    expect(step.verification?.confirmed).toBe(true);
    expect(step.replaced).toBeDefined();
    expect(iam.mock.commandCalls(commandClass(iam, actionCase.writeCommand))).toHaveLength(1);
  });

  it('is a no-op when already contained: no write call', async () => {
    const iam = freshWorld(actionCase);
    actionCase.contain(iam);
    const step = await runSingleStep(actionCase, iam);
    expect(step.status).toBe('no-op');
    expect(iam.writeCalls()).toBe(0);
  });

  it('surfaces an SDK error with the call, the resource and the cause', async () => {
    const iam = freshWorld(actionCase);
    const denied = accessDenied(`iam:${actionCase.writeCommand}`);
    iam.failOn(actionCase.writeCommand, denied);
    const step = await runSingleStep(actionCase, iam);
    expect(step.status).toBe('failed');
    expect(step.error?.message).toContain(`iam:${actionCase.writeCommand} on `);
    expect(step.error?.message).toContain('AccessDenied');
    expect(actionCase.isContained(iam)).toBe(false);

    // The error the action throws keeps the SDK error as its cause.
    const action = findAction(actionCase.action)!;
    const finding = loadFinding(actionCase.fixture);
    const { clients } = testClients(iam);
    const resolution = await resolvePrincipal(finding, clients);
    if (resolution.kind !== 'resolved') throw new Error('fixture world');
    const target = { finding, principal: resolution.principal };
    const params = action.params.parse(actionCase.with ?? {});
    const plan = action.plan(target, await action.describe(target, params, clients), params, FIXED_NOW);
    if (plan.kind !== 'write') throw new Error('expected a write plan');
    const thrown = await action.apply(plan.write, clients).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(AwsCallError);
    expect((thrown as AwsCallError).cause).toBe(denied);
  });

  it('writes nothing in dry-run, and says what it would do', async () => {
    const iam = freshWorld(actionCase);
    const step = await runSingleStep(actionCase, iam, 'dry-run');
    expect(step.status).toBe('planned');
    expect(step.summary.length).toBeGreaterThan(10);
    expect(iam.writeCalls()).toBe(0);
    expect(actionCase.isContained(iam)).toBe(false);
  });
});

function commandClass(iam: FakeIam, name: string) {
  const call = iam.mock.calls().find((candidate) => candidate.args[0].constructor.name === `${name}Command`);
  if (!call) throw new Error(`${name} was not called`);
  return call.args[0].constructor as never;
}
