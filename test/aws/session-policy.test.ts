import {
  SESSION_POLICY_MAX_CHARS,
  SessionPolicyActionInvalidError,
  SessionPolicyTooLargeError,
  memberSessionPolicy,
} from '../../lambdas/aws/session-policy';
import { ACTIONS } from '../../lambdas/actions/registry';
import type { Playbook } from '../../lambdas/model/playbook';
import { releaseSessionPolicy, responderSessionPolicy } from '../../lambdas/pipeline/playbook-permissions';
import { RESOLVE_PERMISSIONS } from '../../lambdas/kinds/resolve-resource';
import { loadPlaybooks } from '../../lib/playbooks';

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: string;
}

const playbooks = loadPlaybooks();

function statementsOf(policy: string): Statement[] {
  const document = JSON.parse(policy) as { Version: string; Statement: Statement[] };
  expect(document.Version).toBe('2012-10-17');
  return document.Statement;
}

/** Every action the policy allows; the policy must be allows only, exact actions, grouped one statement per service. */
function allowedActions(policy: string): string[] {
  const statements = statementsOf(policy);
  for (const statement of statements) {
    expect(statement).toEqual({ Effect: 'Allow', Action: expect.any(Array), Resource: '*' });
    for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    expect(new Set([...statement.Action].map((action) => action.split(':')[0])).size).toBe(1);
  }
  const services = statements.map((statement) => statement.Action[0]!.split(':')[0]);
  expect(new Set(services).size).toBe(services.length);
  return statements.flatMap((statement) => [...statement.Action]).sort();
}

/** Written out here from the registry, not through the code under test: the steps' permissions and the resolve reads. */
function expectedResponderActions(playbook: Playbook): string[] {
  const steps = playbook.steps.flatMap((step) =>
    ACTIONS.get(step.action)!.permissions.map((permission) => permission.action),
  );
  const types =
    playbook.trigger.resourceTypes ??
    (playbook.trigger.source === 'config'
      ? Object.keys(RESOLVE_PERMISSIONS).filter((type) => type.startsWith('AWS::'))
      : []);
  const resolve = types.flatMap((type) => (RESOLVE_PERMISSIONS[type] ?? []).map((permission) => permission.action));
  return [...new Set([...steps, ...resolve])].sort();
}

function expectedReleaseActions(actionIds: readonly string[]): string[] {
  return [
    ...new Set(
      actionIds.flatMap((id) => (ACTIONS.get(id)!.releasePermissions ?? []).map((permission) => permission.action)),
    ),
  ].sort();
}

/** Every IAM action any registered action declares as a write, for containment or for release. */
const WRITES = new Set(
  [...ACTIONS.values()].flatMap((action) =>
    [...action.permissions, ...(action.releasePermissions ?? [])]
      .filter((permission) => permission.write)
      .map((permission) => permission.action),
  ),
);

describe('member-account session policies', () => {
  it('every shipped playbook is covered (the table below is not empty)', () => {
    expect(playbooks.length).toBeGreaterThanOrEqual(10);
  });

  describe.each(playbooks.map((playbook) => [playbook.id, playbook] as const))('%s', (_id, playbook) => {
    it(`responder: fits STS (at most ${SESSION_POLICY_MAX_CHARS} characters, printable ASCII) and allows exactly the playbook's permissions`, () => {
      const policy = responderSessionPolicy(playbook);
      expect(policy.length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS);
      expect(policy).toMatch(/^[\x20-\x7e]+$/);
      expect(allowedActions(policy)).toEqual(expectedResponderActions(playbook));
    });

    it("release of its incidents: fits STS and allows exactly its actions' release permissions", () => {
      const steps = playbook.steps.map((step) => step.action);
      const policy = releaseSessionPolicy(steps);
      expect(policy.length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS);
      const expected = expectedReleaseActions(steps);
      if (expected.length === 0) expect(statementsOf(policy)).toEqual([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
      else expect(allowedActions(policy)).toEqual(expected);
    });

    it('writes only what its steps declare as writes: every other playbook write is left out', () => {
      const own = new Set(
        playbook.steps.flatMap((step) =>
          ACTIONS.get(step.action)!
            .permissions.filter((permission) => permission.write)
            .map((permission) => permission.action),
        ),
      );
      const writes = allowedActions(responderSessionPolicy(playbook)).filter((action) => WRITES.has(action));
      expect(writes.filter((action) => !own.has(action))).toEqual([]);
    });
  });

  it('release of an incident with every registered action still fits STS (the largest release policy)', () => {
    const all = [...ACTIONS.keys()];
    const policy = releaseSessionPolicy(all);
    expect(policy.length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS);
    expect(allowedActions(policy)).toEqual(expectedReleaseActions(all));
  });

  it("release of steps in any order, repeated, is the same policy (one cached session per incident's set of actions)", () => {
    expect(releaseSessionPolicy(['iam-tag-principal', 'iam-deactivate-access-key', 'iam-deactivate-access-key'])).toBe(
      releaseSessionPolicy(['iam-deactivate-access-key', 'iam-tag-principal']),
    );
  });

  it('release of evidence-only steps (tags, snapshots) allows nothing at all', () => {
    expect(statementsOf(releaseSessionPolicy(['ec2-tag-instance', 'ec2-snapshot-volumes']))).toEqual([
      { Effect: 'Deny', Action: '*', Resource: '*' },
    ]);
  });

  it('an id no registered action has (a record from another version, or rewritten) adds nothing: release keeps that step', () => {
    expect(releaseSessionPolicy(['iam-delete-user', 'iam-deactivate-access-key'])).toBe(
      releaseSessionPolicy(['iam-deactivate-access-key']),
    );
    expect(statementsOf(releaseSessionPolicy(['iam-delete-user']))).toEqual([
      { Effect: 'Deny', Action: '*', Resource: '*' },
    ]);
  });

  it('a playbook naming an unknown action is refused, naming it', () => {
    const broken = { ...playbooks[0]!, id: 'broken', steps: [{ action: 'iam-delete-user' }] };
    expect(() => responderSessionPolicy(broken)).toThrow('Playbook broken names unknown action iam-delete-user');
  });
});

describe('notify-only', () => {
  const notifyOnly = playbooks.find((playbook) => playbook.id === 'config-notify-only')!;

  it('is shipped, and declares no step', () => {
    expect(notifyOnly.steps).toEqual([]);
  });

  it('assumes nothing that can write: reads only, those that resolve what a Config evaluation names', () => {
    const actions = allowedActions(responderSessionPolicy(notifyOnly));
    expect(actions.filter((action) => WRITES.has(action))).toEqual([]);
    for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/);
    expect(actions).toEqual(['ec2:DescribeSecurityGroups', 'iam:GetUser', 'iam:ListUsers']);
  });
});

describe('memberSessionPolicy', () => {
  it('groups actions one statement per service, sorted, without whitespace', () => {
    expect(memberSessionPolicy(['iam:GetUser', 'ec2:DescribeInstances', 'iam:GetRole', 'iam:GetUser'], 'test')).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeInstances"],' +
        '"Resource":"*"},{"Effect":"Allow","Action":["iam:GetRole","iam:GetUser"],"Resource":"*"}]}',
    );
  });

  it.each(['*', 'iam:*', 'ec2:Describe*', 'iam:', ' iam:GetUser'])(
    'refuses %j: never a wildcard or an inexact action',
    (action) => {
      expect(() => memberSessionPolicy([action], 'playbook p')).toThrow(SessionPolicyActionInvalidError);
    },
  );

  it('refuses a policy longer than STS accepts, naming its owner and length', () => {
    const many = Array.from(
      { length: 100 },
      (_unused, index) => `ec2:DescribeSomethingLong${String.fromCharCode(65 + (index % 26))}${index}`,
    );
    const error = (() => {
      try {
        memberSessionPolicy(many, 'playbook huge');
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SessionPolicyTooLargeError);
    expect(error!.message).toMatch(
      /^The member-account session policy of playbook huge is \d+ characters, more than the 2048 STS accepts/,
    );
  });
});
