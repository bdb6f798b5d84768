import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { ACTIONS, findAction } from '../../lambdas/actions/registry';
import { playbookSchema } from '../../lambdas/model/playbook';
import { parsePlaybook } from '../../lib/parse-playbook';
import { RESOLVE_PERMISSIONS, resolveResource } from '../../lambdas/kinds/resolve-resource';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { loadPlaybooks } from '../../lib/playbooks';
import { ACTION_CASES } from '../support/action-cases';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { loadFinding } from '../support/fixtures';
import { forgetRecordedCalls, recordedCalls } from '../support/recorded-calls';
import { FIXED_NOW, HOME_ACCOUNT, iamPlaybook, responderSettings, testClients } from '../support/settings';

const ACTIONS_DIR = join(__dirname, '..', '..', 'lambdas', 'actions');
const IAM_ACTION = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;

describe('action registry', () => {
  const files = readdirSync(ACTIONS_DIR)
    .filter((name) => name.endsWith('.ts') && name !== 'registry.ts')
    .map((name) => name.replace(/\.ts$/, ''))
    .sort();

  it('registers exactly one action per file in lambdas/actions, with id == file name', () => {
    expect([...ACTIONS.keys()].sort()).toEqual(files);
    for (const [id, action] of ACTIONS) expect(action.id).toBe(id);
  });

  it.each([...ACTIONS.values()].map((action) => [action.id, action] as const))(
    '%s declares well-formed permissions',
    (_id, action) => {
      expect(action.permissions.length).toBeGreaterThan(0);
      for (const permission of action.permissions) {
        expect(permission.action).toMatch(IAM_ACTION);
        expect(permission.action).not.toContain('*');
      }
      // Every action but the read-only recorder writes something, and says so.
      expect(action.permissions.some((permission) => permission.write)).toBe(action.id !== 'ec2-record-instance-state');
      expect(action.title.length).toBeGreaterThan(5);
    },
  );

  it('every action has at least one realistic test case', () => {
    const covered = new Set(ACTION_CASES.map((actionCase) => actionCase.action));
    expect([...ACTIONS.keys()].filter((id) => !covered.has(id))).toEqual([]);
  });

  // Records every IAM call an action makes (describe, apply, verify) and checks it against what it declares,
  // so the CDK role built from the declarations is neither too narrow (AccessDenied at 3 a.m.) nor too wide.
  it.each([...ACTIONS.keys()])('%s uses exactly the permissions it declares', async (id) => {
    const action = findAction(id)!;
    const used = new Set<string>();
    for (const actionCase of ACTION_CASES.filter((candidate) => candidate.action === id)) {
      const iam = new FakeIam(HOME_ACCOUNT);
      const ec2 = new FakeEc2(HOME_ACCOUNT);
      actionCase.world(iam, ec2);
      const { clients } = testClients(iam, ec2);
      const playbook = iamPlaybook({ steps: [{ action: id, ...(actionCase.with ? { with: actionCase.with } : {}) }] });
      // Severity gates are not under test here.
      if (playbook.trigger.source === 'guardduty') playbook.trigger = { ...playbook.trigger, minimumSeverity: 1 };
      const outcome = await runPlaybook(loadFinding(actionCase.fixture), {
        settings: responderSettings({ playbook }),
        clients,
        receivedAt: FIXED_NOW,
        now: () => FIXED_NOW,
      });
      expect(['done', 'recorded']).toContain(outcome.steps[0]!.status);
      for (const call of recordedCalls(iam, ec2)) used.add(call);
    }
    const resolve = new Set(
      Object.values(RESOLVE_PERMISSIONS)
        .flat()
        .map((permission) => permission.action),
    );
    const declared = new Set(action.permissions.map((permission) => permission.action));
    const called = new Set(
      action.permissions.filter((permission) => !permission.authorizationOnly).map((permission) => permission.action),
    );
    expect([...used].filter((permission) => !declared.has(permission) && !resolve.has(permission))).toEqual([]);
    expect([...called].filter((permission) => !used.has(permission))).toEqual([]);
  });
});

describe('release', () => {
  const releasable = [...ACTIONS.values()].filter((action) => action.release);

  it.each([...ACTIONS.values()].map((action) => [action.id, action] as const))(
    '%s either releases what it changed, with the permissions release needs, or says why release keeps it',
    (_id, action) => {
      expect({ release: Boolean(action.release), kept: Boolean(action.keptOnRelease) }).toEqual(
        action.release ? { release: true, kept: false } : { release: false, kept: true },
      );
      expect((action.releasePermissions ?? []).length > 0).toBe(Boolean(action.release));
      // A containment step is always undone by release: it is what cut the resource off.
      if (action.containment) expect(action.release).toBeDefined();
    },
  );

  it.each(releasable.map((action) => action.id))(
    '%s: release calls only what it declares, and restores',
    async (id) => {
      const action = findAction(id)!;
      for (const actionCase of ACTION_CASES.filter((candidate) => candidate.action === id)) {
        const iam = new FakeIam(HOME_ACCOUNT);
        const ec2 = new FakeEc2(HOME_ACCOUNT);
        actionCase.world(iam, ec2);
        const { clients } = testClients(iam, ec2);
        const finding = loadFinding(actionCase.fixture);
        const resolution = await resolveResource(finding, clients);
        if (resolution.kind !== 'resolved') throw new Error('fixture world');
        const target = { finding, resource: resolution.resource };
        const params = action.params.parse(actionCase.with ?? {});
        const plan = action.plan(target, await action.describe(target, params, clients), params, FIXED_NOW);
        if (plan.kind !== 'write') throw new Error(`expected ${id} to write`);
        const applied = (await action.apply(plan.write, clients)) ?? plan.write;
        expect(actionCase.isContained(iam, ec2)).toBe(true);
        forgetRecordedCalls(iam, ec2);
        const result = await action.release!({ write: applied, replaced: plan.replaced }, clients);
        expect(result.status).toBe('restored');
        expect(actionCase.isContained(iam, ec2)).toBe(false);
        const used = recordedCalls(iam, ec2);
        const declared = new Set((action.releasePermissions ?? []).map((permission) => permission.action));
        expect([...new Set(used)].filter((permission) => !declared.has(permission))).toEqual([]);
      }
    },
  );
});

describe('playbooks', () => {
  const playbooks = loadPlaybooks();

  it('ship at least the IAM credentials playbook', () => {
    expect(playbooks.map((playbook) => playbook.id)).toContain('compromised-iam-credentials');
  });

  it.each(playbooks.map((playbook) => [playbook.id, playbook] as const))(
    '%s: every step names a registered action whose params parse',
    (_id, playbook) => {
      for (const step of playbook.steps) {
        const action = findAction(step.action);
        expect(action).toBeDefined();
        expect(action!.params.safeParse(step.with ?? {}).success).toBe(true);
      }
    },
  );

  it('the committed JSON Schema matches the validator (npm run schema regenerates it)', () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'playbooks', 'playbook.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(z.toJSONSchema(playbookSchema));
  });

  it.each([
    [
      'an unknown action',
      { steps: [{ action: 'iam-delete-user' }] },
      'steps[0].action: expected one of',
      '"iam-delete-user"',
    ],
    [
      'a bad step parameter',
      { steps: [{ action: 'iam-revoke-role-sessions', with: { scope: 'everything' } }] },
      'steps[0].with.scope',
      '"everything"',
    ],
    [
      'an unknown step parameter',
      { steps: [{ action: 'iam-deactivate-access-key', with: { delete: true } }] },
      'steps[0].with',
      'delete',
    ],
    ['a bad mode', { mode: 'on' }, 'mode: expected "enforce", "dry-run" or "approve"', '"on"'],
    [
      'a severity out of range',
      { trigger: { ...iamPlaybook().trigger, minimumSeverity: 12 } },
      'trigger.minimumSeverity',
      '12',
    ],
    ['an unknown trigger source', { trigger: { source: 'cloudtrail' } }, 'trigger.source', '"cloudtrail"'],
    ['an unknown top-level key', { owner: 'me' }, 'owner', ''],
  ])('rejects %s naming the file, the field and the value', (_name, change, field, value) => {
    const input = { ...iamPlaybook(), ...change };
    expect(() => parsePlaybook(input, 'playbooks/example.yaml')).toThrow(/playbooks\/example\.yaml/);
    try {
      parsePlaybook(input, 'playbooks/example.yaml');
    } catch (error) {
      expect((error as Error).message).toContain(field);
      expect((error as Error).message).toContain(value);
    }
  });
});
