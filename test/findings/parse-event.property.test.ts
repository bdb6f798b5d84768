import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { pathOf } from '../../lambdas/common/describe-issues';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import type { Finding } from '../../lambdas/model/finding';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { buildNotification } from '../../lambdas/notify/publish-outcome';
import { loadPlaybooks } from '../../lib/playbooks';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, responderSettings } from '../support/settings';

// Property-based tests: every real GuardDuty fixture, mutated the way a hostile or broken producer could
// (fields deleted, values of another type, wrong severities and timestamps, oversized and control-laden strings,
// injected section headers), must be either rejected with short one-line problems or parsed into a finding
// whose identifiers are safe to put in IAM policies, tags and ARNs; the offline run and the message built
// from it must hold up too.

// ---------------------------------------------------------------------------------------------------------
// Fixtures and paths
// ---------------------------------------------------------------------------------------------------------

type Key = string | number;
type Path = readonly Key[];

interface Fixture {
  readonly name: string;
  readonly event: Record<string, unknown>;
  /** Every value in the event, containers included (the root is `[]`). */
  readonly paths: readonly Path[];
  /** Every string leaf. */
  readonly stringPaths: readonly Path[];
}

const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'events', 'guardduty');

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const here: Path[] = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => pathsOf(item, [...prefix, index]))];
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
  }
  return here;
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<Key, unknown>)[key];
  }
  return current;
}

// Every fixture except malformed/ (those are rejected on purpose and have their own example tests).
const FIXTURES: readonly Fixture[] = readdirSync(FIXTURE_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => {
    const name = `guardduty/${file.replace(/\.json$/, '')}`;
    const event = loadEvent(name);
    const paths = pathsOf(event);
    return { name, event, paths, stringPaths: paths.filter((path) => typeof valueAt(event, path) === 'string') };
  });

const FIXTURE_STRING_FIELDS: readonly { readonly fixture: Fixture; readonly path: Path }[] = FIXTURES.flatMap(
  (fixture) => fixture.stringPaths.map((path) => ({ fixture, path })),
);

// ---------------------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------------------

type Mutation =
  { readonly op: 'delete'; readonly path: Path } | { readonly op: 'set'; readonly path: Path; readonly value: unknown };

interface MutatedEvent {
  readonly fixture: string;
  readonly mutations: readonly Mutation[];
}

function applyMutation(root: unknown, mutation: Mutation): unknown {
  if (mutation.path.length === 0) return mutation.op === 'delete' ? undefined : mutation.value;
  const parent = valueAt(root, mutation.path.slice(0, -1));
  // An earlier mutation may have removed or replaced the parent: nothing to do then.
  if (parent === null || typeof parent !== 'object') return root;
  const key = mutation.path[mutation.path.length - 1]!;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (mutation.op === 'delete') parent.splice(key, 1);
    else parent[key] = mutation.value;
    return root;
  }
  const record = parent as Record<string, unknown>;
  if (mutation.op === 'delete') delete record[String(key)];
  else record[String(key)] = mutation.value;
  return root;
}

function fixtureNamed(name: string): Fixture {
  const fixture = FIXTURES.find((candidate) => candidate.name === name);
  if (!fixture) throw new Error(`no fixture ${name}`);
  return fixture;
}

/** A fresh copy of the fixture with the mutations applied in order; the values are shared, never mutated. */
function eventOf(mutated: MutatedEvent): unknown {
  return mutated.mutations.reduce<unknown>(applyMutation, structuredClone(fixtureNamed(mutated.fixture).event));
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------------------

const NASTY_CHARS = [
  '\n',
  '\r',
  '\r\n',
  '\t',
  '\v',
  '\f',
  '\u0000',
  '\u0007',
  '\u0008',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u00a0',
  '\u00ad',
  '\u2028',
  '\u2029',
  '\u200b',
  '\u200e',
  '\u202e',
  '\u2066',
  '\u3000',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  '漢',
  '"',
  "'",
  '\\',
  '`',
  '$',
  '{',
  '}',
  '<',
  '>',
  '&',
  '%',
  '*',
  '?',
  '/',
  ':',
  ' ',
];

/** One character (or pair) that is hard on sanitizers: line and paragraph separators, C0/C1 controls, bidi, lone surrogates. */
const nastyChar = fc.oneof(fc.constantFrom(...NASTY_CHARS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const nastyString = fc.string({ unit: nastyChar, maxLength: 40 });

const HEADER_INJECTIONS = [
  '\nWHAT FIREBREAK DID\n',
  '\nWHAT WAS DETECTED\n',
  '\nWHAT A HUMAN STILL HAS TO DO\n',
  '\r\nWHAT FIREBREAK DID (playbook compromised-iam-credentials, mode enforce)\r\n  1. [DONE] all good\r\n',
  '\rWHAT WAS DETECTED\r',
  '\u2028WHAT A HUMAN STILL HAS TO DO\u2029',
  '\n\nWHAT FIREBREAK DID\n  Nothing: false alarm\n\nWHAT A HUMAN STILL HAS TO DO\n  1. Nothing\n',
];
const injection = fc
  .tuple(nastyString, fc.constantFrom(...HEADER_INJECTIONS), nastyString)
  .map(([before, header, after]) => `${before}${header}${after}`);

/** Up to 100 000 characters, built by repeating a short (possibly hostile) unit so generation stays cheap. */
const longString = fc
  .tuple(
    fc.string({ unit: fc.oneof(fc.constantFrom('A', '9', '-', ' '), nastyChar), minLength: 1, maxLength: 6 }),
    fc.integer({ min: 1_025, max: 100_000 }),
  )
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const HUGE_ARRAYS: readonly unknown[][] = [
  Array.from({ length: 10_000 }, (_, index) => index),
  Array.from({ length: 10_000 }, () => 'AKIAI44QH8DHBEXAMPLE'),
  Array.from({ length: 10_000 }, () => null),
  Array.from({ length: 10_000 }, () => ({ instanceId: 'i-0abc123def4567890' })),
];
const hugeArray = fc.constantFrom(...HUGE_ARRAYS);

const NAN_ISH = [
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  'null',
  'true',
  '0x10',
  '1e308',
  '-0',
  '',
  ' ',
  '8',
  ' 8 ',
  '٨',
  '８',
  '[object Object]',
];

/** A value of any JSON type (events arrive as parsed JSON), biased towards the ones that break parsers. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 3 },
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e308, -1e308, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2),
  fc.string(),
  nastyString,
  fc.constantFrom(...NAN_ISH),
  injection,
  longString,
  hugeArray,
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
);

const severityValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    -1,
    0,
    -0,
    0.09,
    0.1,
    1,
    5,
    8,
    8.9,
    10,
    10.000001,
    11,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    '8',
    '8.0',
    'NaN',
    'Infinity',
    '',
    null,
    true,
    [8],
    { value: 8 },
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1, max: 12, noNaN: true }),
  fc.integer({ min: -100, max: 100 }),
);

const instant = fc.date({
  min: new Date('1970-01-01T00:00:00.000Z'),
  max: new Date('2100-01-01T00:00:00.000Z'),
  noInvalidDate: true,
});
const timestampValue: fc.Arbitrary<unknown> = fc.oneof(
  instant.map((date) => date.getTime()), // epoch milliseconds
  instant.map((date) => Math.floor(date.getTime() / 1000)), // epoch seconds
  instant.map((date) => String(Math.floor(date.getTime() / 1000))),
  instant.map((date) => date.toISOString()), // the valid encoding, as a control
  instant.map((date) => date.toISOString().replace('Z', '+05:30')),
  instant.map((date) => date.toUTCString()), // RFC 2822 / RFC 7231
  instant.map((date) => date.toString()),
  instant.map((date) => date.toISOString().slice(0, 19)), // ISO without a zone
  instant.map((date) => date.toISOString().slice(0, 10)),
  instant.map((date) => date.toISOString().slice(0, 16).replace(/-/g, '/').replace('T', ' ')), // 2026/11/20 08:00
  fc.constantFrom<unknown>(
    '',
    ' ',
    '2026/11/20 08:00',
    'Fri, 20 Nov 2026 08:00:00 +0000',
    '2026-11-20T08:00:00',
    '2026-11-20T08:00:00+0100',
    '2026-11-20T08:00:00 Z',
    '2026-11-20t08:00:00z',
    '2026-02-30T00:00:00Z',
    '2026-11-20T24:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '2026-11-20T08:00:00.123456789Z',
    'NaN',
    'now',
    null,
    1763625600,
  ),
);

const TIMESTAMP_PATHS: readonly Path[] = [
  ['detail', 'createdAt'],
  ['detail', 'updatedAt'],
  ['detail', 'service', 'eventFirstSeen'],
  ['detail', 'service', 'eventLastSeen'],
  ['time'],
];

// ---------------------------------------------------------------------------------------------------------
// Mutated events, by family
// ---------------------------------------------------------------------------------------------------------

type MutationFor = (fixture: Fixture) => fc.Arbitrary<Mutation>;

const deletion: MutationFor = (fixture) =>
  fc.constantFrom(...fixture.paths).map((path): Mutation => ({ op: 'delete', path }));
const retyping: MutationFor = (fixture) =>
  fc
    .record({ path: fc.constantFrom(...fixture.paths), value: hostileValue })
    .map(({ path, value }): Mutation => ({ op: 'set', path, value }));
const severity: MutationFor = () =>
  severityValue.map((value): Mutation => ({ op: 'set', path: ['detail', 'severity'], value }));
const timestamp: MutationFor = () =>
  fc
    .record({ path: fc.constantFrom(...TIMESTAMP_PATHS), value: timestampValue })
    .map(({ path, value }): Mutation => ({ op: 'set', path, value }));
const oversized: MutationFor = (fixture) =>
  fc
    .record({ path: fc.constantFrom(...fixture.stringPaths), value: longString })
    .map(({ path, value }): Mutation => ({ op: 'set', path, value }));
/** Keeps the original value around the injection, so the field often still validates and reaches the message. */
const injected: MutationFor = (fixture) =>
  fc
    .record({
      path: fc.constantFrom(...fixture.stringPaths),
      payload: injection,
      where: fc.constantFrom('before', 'after', 'instead'),
    })
    .map(({ path, payload, where }): Mutation => {
      const original = String(valueAt(fixture.event, path));
      const value =
        where === 'before' ? `${payload}${original}` : where === 'after' ? `${original}${payload}` : payload;
      return { op: 'set', path, value };
    });

function mutatedEvents(
  families: readonly MutationFor[],
  maxMutations = 1,
  fixtures: readonly Fixture[] = FIXTURES,
): fc.Arbitrary<MutatedEvent> {
  return fc
    .constantFrom(...fixtures)
    .chain((fixture) =>
      fc
        .array(fc.oneof(...families.map((family) => family(fixture))), { minLength: 1, maxLength: maxMutations })
        .map((mutations): MutatedEvent => ({ fixture: fixture.name, mutations })),
    );
}

const ALL_FAMILIES: readonly MutationFor[] = [deletion, retyping, severity, timestamp, oversized, injected];
/** Up to four mutations of any family on one event. */
const anyMutatedEvent = mutatedEvents(ALL_FAMILIES, 4);
/** Mutations that usually leave a finding Firebreak accepts, so the run and the message see hostile values. */
const acceptedLooking = mutatedEvents([injected, injected, oversized, deletion, retyping, severity, timestamp], 3);

/** The EC2 fixture with only `resource.instanceDetails` mutated: simulate reads the interfaces, groups and tags from it. */
const INSTANCE_DETAILS: Path = ['detail', 'resource', 'instanceDetails'];
const EC2_DETAILS_ONLY: Fixture = (() => {
  const fixture = fixtureNamed('guardduty/ec2-instance');
  const under = (path: Path) =>
    path.length > INSTANCE_DETAILS.length && INSTANCE_DETAILS.every((key, index) => path[index] === key);
  return { ...fixture, paths: fixture.paths.filter(under), stringPaths: fixture.stringPaths.filter(under) };
})();
const mutatedInstanceDetails = mutatedEvents([deletion, retyping, oversized, injected], 3, [EC2_DETAILS_ONLY]);

// ---------------------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------------------

const FINDING_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const MAX_PROBLEM_CHARS = 400;

function expectSafeFinding(finding: Finding): void {
  expect(Number.isFinite(finding.severity)).toBe(true);
  expect(finding.severity).toBeGreaterThanOrEqual(0.1);
  expect(finding.severity).toBeLessThanOrEqual(10);
  expect(finding.accountId).toMatch(/^\d{12}$/);
  expect(finding.id).toMatch(FINDING_ID);
  const { subject } = finding;
  if (subject.kind === 'iam-user') {
    expect(subject.userName).toMatch(IAM_NAME);
  } else if (subject.kind === 'assumed-role') {
    expect(subject.roleName).toMatch(IAM_NAME);
    expect(subject.sessionName).toMatch(IAM_NAME);
  } else if (subject.kind === 'ec2-instance') {
    expect(subject.instanceId).toMatch(INSTANCE_ID);
  }
}

function expectUsableProblems(error: FindingRejectedError): void {
  expect(error.problems.length).toBeGreaterThan(0);
  for (const problem of error.problems) {
    expect(problem.length).toBeGreaterThan(0);
    expect(problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
    expect(problem).not.toMatch(/[\r\n]/);
    // Names the field first: "detail.severity: ...", "source: ...", "(root): ...".
    expect(problem).toMatch(/^[\w.\-[\]()]+: \S/);
  }
}

/** The whole contract of parseEvent for one input; returns the finding when there is one. */
function checkParse(event: unknown): Finding | undefined {
  let parsed: ReturnType<typeof parseEvent>;
  try {
    parsed = parseEvent(event);
  } catch (error) {
    if (!(error instanceof FindingRejectedError)) throw error;
    expectUsableProblems(error);
    return undefined;
  }
  if (parsed.kind === 'ignored') {
    expect(parsed.reason.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
    expect(parsed.reason).not.toMatch(/[\r\n]/);
    return undefined;
  }
  expectSafeFinding(parsed.finding);
  return parsed.finding;
}

const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

function expectWellFormedNotification(outcome: Outcome, { checkHeaders }: { readonly checkHeaders: boolean }): void {
  const { subject, text } = buildNotification(outcome);
  expect(subject.length).toBeLessThanOrEqual(100);
  expect(subject).toMatch(/^[\x20-\x7e]*$/);
  if (!checkHeaders) return;
  const lines = text.split(LINE_BREAK);
  expect(lines.filter((line) => line === 'WHAT WAS DETECTED')).toHaveLength(1);
  expect(lines.filter((line) => line === 'WHAT A HUMAN STILL HAS TO DO')).toHaveLength(1);
  expect(lines.filter((line) => line.startsWith('WHAT FIREBREAK DID'))).toHaveLength(1);
}

// ---------------------------------------------------------------------------------------------------------
// The offline run
// ---------------------------------------------------------------------------------------------------------

const IAM_PLAYBOOK = responderSettings().playbook;
const EC2_PLAYBOOK: Playbook = (() => {
  const playbook = loadPlaybooks().find((candidate) => candidate.id === 'compromised-ec2-instance');
  if (!playbook) throw new Error('playbooks/compromised-ec2-instance.yaml is missing');
  return playbook;
})();
/** Both shipped playbooks, as deployed (enforce) and in dry-run; built once (responderSettings() reads the YAML files). */
const SETTINGS: readonly ResponderSettings[] = [IAM_PLAYBOOK, EC2_PLAYBOOK]
  .flatMap((playbook): Playbook[] => [playbook, { ...playbook, mode: 'dry-run' }])
  .map((playbook) => responderSettings({ playbook }));

/** The offline run (no clients) of one finding under every playbook setting. */
async function simulateAll(finding: Finding): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const settings of SETTINGS)
    outcomes.push(await runPlaybook(finding, { settings, receivedAt: FIXED_NOW, now: () => FIXED_NOW }));
  return outcomes;
}

// ---------------------------------------------------------------------------------------------------------
// Bugs these properties found, now fixed; their minimal counterexamples stay as regression tests at the end.
//  1. render-text.ts headline() embedded the subject and the reason without oneLine(): a federated user name, a
//     resource type or an invalid role name (U+2028 survives JSON.stringify) could forge a section header.
//  2. resolve-resource.ts assumedInstance() dereferenced null entries of the finding's instanceDetails: simulate
//     threw a TypeError instead of reporting.
// ---------------------------------------------------------------------------------------------------------

const USER_NAME: Path = ['detail', 'resource', 'accessKeyDetails', 'userName'];

/** Counterexamples of bug 1; the first is fast-check's shrunk one (seed 1308832104, path "362:3:3:3:3"). */
const HEADLINE_FORGERIES: readonly [string, MutatedEvent][] = [
  [
    'an assumed-role userName with U+2028 / U+2029 (kept by JSON.stringify in the reason)',
    {
      fixture: 'guardduty/assumed-role-identity-center',
      mutations: [
        {
          op: 'set',
          path: USER_NAME,
          value: '\u2028WHAT A HUMAN STILL HAS TO DO\u2029AWSReservedSSO_AdministratorAccess_3f2a1b4c5d6e7f80',
        },
        { op: 'set', path: ['detail', 'severity'], value: 5 },
      ],
    },
  ],
  [
    'a federated user name with \\n',
    {
      fixture: 'guardduty/federated-user',
      mutations: [{ op: 'set', path: USER_NAME, value: 'bob\nWHAT FIREBREAK DID\n' }],
    },
  ],
  [
    'a resource type with \\n',
    {
      fixture: 'guardduty/iam-user-long-term-key',
      mutations: [{ op: 'set', path: ['detail', 'resource', 'resourceType'], value: 'AccessKey\nWHAT WAS DETECTED\n' }],
    },
  ],
];

/** Counterexamples of bug 2, as fast-check shrinks them (one null entry). */
const ASSUMED_INSTANCE_CRASHES: readonly [string, MutatedEvent][] = [
  [...INSTANCE_DETAILS, 'networkInterfaces', 0],
  [...INSTANCE_DETAILS, 'networkInterfaces', 0, 'securityGroups', 0],
  [...INSTANCE_DETAILS, 'tags', 1],
].map((path): [string, MutatedEvent] => [
  pathOf(path.slice(INSTANCE_DETAILS.length)),
  { fixture: 'guardduty/ec2-instance', mutations: [{ op: 'set', path, value: null }] },
]);

// ---------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------

const SYNC_RUNS = 600;
const ASYNC_RUNS = 250;

describe('parseEvent on mutated real GuardDuty events (property-based)', () => {
  it('the fixtures are all here and parse as they are', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(11);
    expect(
      FIXTURES.map((fixture) => checkParse(structuredClone(fixture.event))).filter(Boolean).length,
    ).toBeGreaterThanOrEqual(10);
  });

  it.each<[string, MutationFor]>([
    ['a field deleted at any depth', deletion],
    ['a value replaced by one of another type (null, numbers, strings, 100k strings, 10k arrays, objects)', retyping],
    ['a wrong severity (negative, 0, 11, 1e308, "8", "NaN", ...)', severity],
    ['a timestamp in another encoding (epoch, 2026/11/20 08:00, RFC 2822, ISO without zone, "")', timestamp],
    ['an oversized string (up to 100 000 characters) in a string field', oversized],
    ['a section header injected into a string field', injected],
  ])(
    'with %s: rejects with short one-line problems, or parses into a finding that is safe to act on',
    (_family, family) => {
      fc.assert(
        fc.property(mutatedEvents([family]), (mutated) => {
          checkParse(eventOf(mutated));
        }),
        { numRuns: SYNC_RUNS },
      );
    },
  );

  it('with up to four mutations of any kind: the same contract', () => {
    fc.assert(
      fc.property(anyMutatedEvent, (mutated) => {
        checkParse(eventOf(mutated));
      }),
      { numRuns: 2 * SYNC_RUNS },
    );
  });

  it('with the event itself replaced by a value of any type: rejects, never a TypeError', () => {
    fc.assert(
      fc.property(hostileValue, (event) => {
        expect(checkParse(event)).toBeUndefined();
      }),
      { numRuns: SYNC_RUNS / 2 },
    );
  });

  it('every string field of every fixture at 100 000 characters, one field at a time (exhaustive)', () => {
    const huge = `x\n${'A'.repeat(99_996)}\r\n`;
    for (const { fixture, path } of FIXTURE_STRING_FIELDS) {
      checkParse(applyMutation(structuredClone(fixture.event), { op: 'set', path, value: huge }));
    }
    expect(FIXTURE_STRING_FIELDS.length).toBeGreaterThan(100);
  });

  it('every string field of every fixture at 100 000 characters, all at once', () => {
    for (const fixture of FIXTURES) {
      const huge = 'B'.repeat(100_000);
      checkParse(
        fixture.stringPaths.reduce<unknown>(
          (root, path) => applyMutation(root, { op: 'set', path, value: huge }),
          structuredClone(fixture.event),
        ),
      );
    }
  });
});

describe('the offline run (simulate, no clients) of a mutated finding, for both shipped playbooks in enforce and dry-run mode', () => {
  async function expectOfflineRunHolds(mutated: MutatedEvent): Promise<void> {
    const finding = checkParse(eventOf(mutated));
    fc.pre(finding !== undefined);
    for (const outcome of await simulateAll(finding!)) {
      expect(outcome.simulated).toBe(true);
      expect(outcome.steps.filter((step) => step.status === 'done')).toEqual([]);
      expect(outcome.timings.containedAt).toBeUndefined();
    }
  }

  it('resolves without throwing and claims no write', async () => {
    await fc.assert(fc.asyncProperty(acceptedLooking, expectOfflineRunHolds), { numRuns: ASYNC_RUNS });
  });

  it('resolves without throwing for an EC2 finding whose instanceDetails are mutated', async () => {
    await fc.assert(fc.asyncProperty(mutatedInstanceDetails, expectOfflineRunHolds), { numRuns: ASYNC_RUNS });
  });

  it('gives a notification whose subject is short printable ASCII and whose text has no forged section header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(acceptedLooking, mutatedInstanceDetails), async (mutated) => {
        const finding = checkParse(eventOf(mutated));
        fc.pre(finding !== undefined);
        for (const outcome of await simulateAll(finding!)) {
          expectWellFormedNotification(outcome, { checkHeaders: true });
        }
      }),
      { numRuns: ASYNC_RUNS },
    );
  });
});

describe('regressions: the counterexamples the properties found', () => {
  it.each(HEADLINE_FORGERIES)(
    'bug 1: %s is rejected, or notified with every section header intact',
    async (_name, mutated) => {
      const finding = checkParse(eventOf(mutated));
      if (!finding) return; // rejected with a reason: checkParse asserted the rejection is well formed
      for (const outcome of await simulateAll(finding)) expectWellFormedNotification(outcome, { checkHeaders: true });
    },
  );

  it.each(ASSUMED_INSTANCE_CRASHES)(
    'bug 2: simulate reports, not throws, when instanceDetails.%s is null',
    async (_name, mutated) => {
      const finding = checkParse(eventOf(mutated));
      expect(finding).toBeDefined();
      await expect(simulateAll(finding!)).resolves.toHaveLength(SETTINGS.length);
    },
  );
});
