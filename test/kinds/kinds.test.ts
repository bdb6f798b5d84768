import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AwsCallError } from '../../lambdas/aws/aws-call-error';
import { describeSubject } from '../../lambdas/kinds/describe-subject';
import { incidentKeyOf } from '../../lambdas/kinds/incident-key';
import { followUpSteps } from '../../lambdas/kinds/manual-steps';
import { matchProtected, subjectArns } from '../../lambdas/kinds/protected-principals';
import { KINDS, type RegisteredKind } from '../../lambdas/kinds/registry';
import { assumeResource, RESOLVE_PERMISSIONS, resolveResource } from '../../lambdas/kinds/resolve-resource';
import type { ResourceKindName } from '../../lambdas/kinds/support/define-kind';
import type { Finding, SubjectKind } from '../../lambdas/model/finding';
import { incidentIdOf } from '../../lambdas/ledger/incident-id';
import { resourceArns } from '../../lib/constructs/responder-permissions';
import { instanceWorld } from '../support/action-cases';
import { FakeEc2 } from '../support/fake-ec2';
import { FakeIam } from '../support/fake-iam';
import { loadFinding } from '../support/fixtures';
import { recordedCalls } from '../support/recorded-calls';
import { HOME_ACCOUNT, testClients } from '../support/settings';

const KINDS_DIR = join(__dirname, '..', '..', 'lambdas', 'kinds');
const READ_ONLY = /^[a-z0-9-]+:(Get|List|Describe)[A-Za-z0-9]+$/;

/** One finding per subject kind, and a world in the fakes where what it names exists. Typed: a new kind needs one. */
interface KindCase {
  readonly fixture: string;
  readonly world: (iam: FakeIam, ec2: FakeEc2) => void;
}

const nothing = () => undefined;

const CASES: { readonly [S in SubjectKind]: KindCase } = {
  'iam-user': {
    fixture: 'guardduty/iam-user-long-term-key',
    world: (iam) =>
      void iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q', path: '/deploy/', tags: { team: 'ci' } }),
  },
  'iam-user-id': {
    fixture: 'config/access-keys-rotated-non-compliant',
    world: (iam) => void iam.addUser('ci-deploy', { id: 'AIDAJQABLZS4A3QDU576Q' }),
  },
  'assumed-role': {
    fixture: 'guardduty/assumed-role-session',
    world: (iam) => void iam.addRole('app-server-role', { id: 'AROAR2EXAMPLEJ5VW8PTQ', path: '/service/' }),
  },
  'ec2-instance': { fixture: 'guardduty/ec2-instance', world: (iam, ec2) => instanceWorld(iam, ec2) },
  'security-group': {
    fixture: 'config/restricted-ssh-non-compliant',
    world: (_iam, ec2) =>
      void ec2.addSecurityGroup({
        groupId: 'sg-0123456789abcdef0',
        groupName: 'open-ssh',
        vpcId: 'vpc-0aaa1111bbbb2222c',
      }),
  },
  account: { fixture: 'config/iam-root-access-key-check-non-compliant', world: nothing },
  root: { fixture: 'guardduty/root', world: nothing },
  'federated-user': { fixture: 'guardduty/federated-user', world: nothing },
  unsupported: { fixture: 'config/unknown-rule-non-compliant', world: nothing },
};

/** Every Resource kind; typed, so that a kind added to the union must be listed here. */
const RESOURCE_KINDS: { readonly [K in ResourceKindName]: true } = {
  'iam-user': true,
  'iam-role': true,
  'ec2-instance': true,
  'security-group': true,
  'aws-account': true,
  unresolved: true,
};

const subjectKinds = Object.keys(CASES) as SubjectKind[];
const caseList = subjectKinds.map((kind) => [kind, CASES[kind]] as const);

function ownerOf(kind: SubjectKind): RegisteredKind {
  const owners = KINDS.filter((plugin) => Object.keys(plugin.subjects).includes(kind));
  if (owners.length !== 1) throw new Error(`subject kind ${kind} has ${owners.length} kinds`);
  return owners[0]!;
}

function patternsFor(plugin: RegisteredKind, finding: Finding): string[] {
  return plugin.arnPatterns(finding.partition, finding.region, finding.accountId);
}

async function resolveIn(world: KindCase['world'], finding: Finding) {
  const iam = new FakeIam(HOME_ACCOUNT);
  const ec2 = new FakeEc2(HOME_ACCOUNT);
  world(iam, ec2);
  const { clients } = testClients(iam, ec2);
  const resolution = await resolveResource(finding, clients).catch(
    (error: unknown) => ({ kind: 'threw', error }) as const,
  );
  return { resolution, calls: recordedCalls(iam, ec2) };
}

function isPlugin(value: unknown): value is { id: unknown; resource: unknown; subjects: unknown } {
  return value !== null && typeof value === 'object' && 'id' in value && 'resource' in value && 'subjects' in value;
}

describe('kind registry', () => {
  it('registers every kind defined in lambdas/kinds exactly once, with id == file name', async () => {
    const files = readdirSync(KINDS_DIR).filter((name) => name.endsWith('.ts'));
    const defined: { file: string; id: unknown; registered: boolean }[] = [];
    for (const file of files) {
      const module: Record<string, unknown> = await import(join(KINDS_DIR, file));
      for (const value of Object.values(module).filter(isPlugin))
        defined.push({
          file: file.replace(/\.ts$/, ''),
          id: value.id,
          registered: KINDS.some((kind) => kind === value),
        });
    }
    expect(defined.filter((entry) => !entry.registered || entry.id !== entry.file)).toEqual([]);
    expect(defined.map((entry) => entry.id).sort()).toEqual(KINDS.map((kind) => kind.id).sort());
    expect(new Set(KINDS.map((kind) => kind.id)).size).toBe(KINDS.length);
  });

  it('handles every subject kind of the Finding model in exactly one kind', () => {
    const claimed = KINDS.flatMap((kind) => Object.keys(kind.subjects));
    expect([...claimed].sort()).toEqual([...subjectKinds].sort());
  });

  it('yields every Resource kind from exactly one kind, except unresolved (what Firebreak never writes to)', () => {
    for (const resource of Object.keys(RESOURCE_KINDS).filter((kind) => kind !== 'unresolved'))
      expect([resource, KINDS.filter((kind) => kind.resource === resource).length]).toEqual([resource, 1]);
    expect(KINDS.map((kind) => kind.resource).filter((resource) => !(resource in RESOURCE_KINDS))).toEqual([]);
  });

  it('a kind that resolves to nothing reads nothing and has no ARN', () => {
    for (const kind of KINDS.filter((candidate) => candidate.resource === 'unresolved')) {
      expect([kind.id, Object.keys(kind.resolvePermissions)]).toEqual([kind.id, []]);
      expect([kind.id, kind.arnPatterns('aws', 'us-east-1', HOME_ACCOUNT)]).toEqual([kind.id, []]);
    }
  });

  it('RESOLVE_PERMISSIONS is the union of the kinds, by resource type', () => {
    const union = KINDS.flatMap((kind) =>
      Object.entries(kind.resolvePermissions).flatMap(([type, permissions]) =>
        permissions.map((permission) => `${type} ${permission.action}`),
      ),
    );
    const listed = Object.entries(RESOLVE_PERMISSIONS).flatMap(([type, permissions]) =>
      permissions.map((permission) => `${type} ${permission.action}`),
    );
    expect([...listed].sort()).toEqual([...union].sort());
  });

  it('the responder scopes IAM users and roles to the ARN patterns of their kinds', () => {
    for (const id of ['iam-user', 'iam-role'] as const) {
      const kind = KINDS.find((candidate) => candidate.id === id)!;
      expect(resourceArns(id, 'aws', 'eu-west-1', HOME_ACCOUNT)).toEqual(
        kind.arnPatterns('aws', 'eu-west-1', HOME_ACCOUNT),
      );
    }
  });
});

describe.each(KINDS.map((kind) => [kind.id, kind] as const))('kind %s', (_id, kind) => {
  const permissions = Object.values(kind.resolvePermissions).flat();

  it('resolves with reads only: Get, List or Describe, no wildcard, each a call it makes', () => {
    for (const permission of permissions) {
      expect(permission.action).toMatch(READ_ONLY);
      expect({ action: permission.action, write: permission.write }).toEqual({
        action: permission.action,
        write: false,
      });
      expect(permission.authorizationOnly).toBeUndefined();
    }
  });

  it('calls every permission it declares when it resolves its subjects (none declared for nothing)', async () => {
    const used = new Set<string>();
    for (const subject of Object.keys(kind.subjects)) {
      const { fixture, world } = CASES[subject as SubjectKind];
      for (const call of (await resolveIn(world, loadFinding(fixture))).calls) used.add(call);
    }
    expect(permissions.map((permission) => permission.action).filter((action) => !used.has(action))).toEqual([]);
  });
});

describe.each(caseList)('subject kind %s', (subjectKind, { fixture, world }) => {
  const finding = loadFinding(fixture);
  const kind = ownerOf(subjectKind);

  it('is what its fixture names', () => {
    expect(finding.subject.kind).toBe(subjectKind);
  });

  it(`resolves to its kind's resource, calling only what the trigger's resource type grants`, async () => {
    const { resolution, calls } = await resolveIn(world, finding);
    expect(resolution.kind).toBe('resolved');
    if (resolution.kind !== 'resolved') return;
    expect(resolution.resource.kind).toBe(kind.resource);
    const granted = (RESOLVE_PERMISSIONS[finding.resourceType] ?? []).map((permission) => permission.action);
    const declared = Object.values(kind.resolvePermissions)
      .flat()
      .map((permission) => permission.action);
    expect(calls.filter((call) => !granted.includes(call) || !declared.includes(call))).toEqual([]);
  });

  it('has ARNs that match its kind: resolved, assumed in a simulation, and matched against protected principals', async () => {
    const patterns = patternsFor(kind, finding);
    const { resolution } = await resolveIn(world, finding);
    const resolved = resolution.kind === 'resolved' ? resolution.resource : undefined;
    const assumed = assumeResource(finding);
    expect(assumed.kind).toBe(kind.resource);
    if (patterns.length === 0) {
      expect([resolved?.arn, assumed.arn]).toEqual([undefined, undefined]);
      return;
    }
    expect(matchProtected([resolved?.arn ?? '(none)'], patterns)).toBeDefined();
    expect(matchProtected([assumed.arn ?? '(none)'], patterns)).toBeDefined();
    const known = subjectArns(finding);
    if (known.length > 0) expect(matchProtected(known, patterns)).toBeDefined();
  });

  it('is a mismatch, never a resource, when what it names is gone', async () => {
    const { resolution, calls } = await resolveIn(nothing, finding);
    if (calls.length === 0) {
      // A kind that reads nothing has nothing that can be gone.
      expect(Object.keys(kind.resolvePermissions)).toEqual([]);
      return;
    }
    if (resolution.kind === 'threw') expect(resolution.error).toBeInstanceOf(AwsCallError);
    else expect(resolution.kind).toBe('mismatch');
  });

  it('keys its incident as the ledger does (one incident per finding and subject)', () => {
    expect(`${finding.id}/${incidentKeyOf(finding.subject)}`).toBe(incidentIdOf(finding));
  });

  it('is described, and tells a human what is left to do', () => {
    expect(describeSubject(finding.subject).length).toBeGreaterThan(3);
    const steps = followUpSteps(finding);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step).toMatch(/\S.{20,}[.)]$/s);
  });
});
