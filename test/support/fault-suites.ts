import {
  CONCURRENT_LABELS,
  FAULTS,
  injectionName,
  injectionsOf,
  noPublishBackoff,
  recordCleanRun,
  recordConcurrentRun,
  runAll,
  runConcurrent,
  runSequential,
  sample,
  scenarioNamed,
  seededRandom,
  singleInjections,
  sitesOf,
  faultsAt,
  type Call,
  type Injection,
  type KnownBug,
  type Scenario,
} from './fault-world';

/**
 * The jest suites of the fault matrix, shared by test/engine/fault-injection.test.ts and fault-matrix-*.test.ts.
 * The sites are discovered by recording a clean run of each scenario (never a hand-written list), so the number of
 * runs is only known after the recording: it is printed in the name of the test that asserts it, and on stdout.
 */

/** A known engine bug's run, on its own: it fails while the bug is there (the suite stays green, the bug visible). */
function knownBugTests(
  names: readonly string[],
  known: readonly KnownBug[],
  run: (scenario: Scenario, injections: readonly Injection[]) => Promise<{ failures: string[] }>,
): void {
  for (const bug of known.filter((candidate) => names.includes(candidate.scenario))) {
    it.failing(`KNOWN BUG, ${bug.scenario}, run ${bug.run}: ${bug.bug}`, async () => {
      const { failures } = await run(scenarioNamed(bug.scenario), injectionsOf(bug.run));
      expect(failures).toEqual([]);
    });
  }
}

const services = (calls: readonly Call[]) => [...new Set(calls.map((call) => call.service))].sort();

/** Every recorded call (first delivery and re-delivery) x every fault, and an outage of every command, one per run. */
export function singleFaultSuite(names: readonly string[], known: readonly KnownBug[] = []): void {
  noPublishBackoff();
  for (const name of names) {
    describe(`single faults: ${name}`, () => {
      const scenario = scenarioNamed(name);
      let calls: Call[] = [];
      let runs: Injection[][] = [];
      beforeAll(async () => {
        const clean = await recordCleanRun(scenario);
        calls = clean.calls;
        runs = singleInjections(calls).map((injection) => [injection]);
        const { calls: each, outages } = sitesOf(calls);
        process.stdout.write(
          `fault matrix, single faults, ${name}: ${each.length} calls x ${FAULTS.length} faults + ` +
            `${outages.length} outages = ${runs.length} runs (services: ${services(calls).join(', ')})\n`,
        );
      });

      it('the clean run makes every call of the playbook, and its re-delivery reads the ledger records back (VerifyMac)', () => {
        expect(calls.some((call) => call.service === 'sns' && call.command === 'Publish')).toBe(true);
        expect(calls.some((call) => call.service === 'kms' && call.command === 'GenerateMac')).toBe(true);
        expect(
          calls.some((call) => call.service === 'kms' && call.command === 'VerifyMac' && call.delivery === 'again'),
        ).toBe(true);
        if (scenario.source?.kind === 'guardduty')
          expect(calls.filter((call) => call.service === 'guardDuty').map((call) => call.command)).toEqual(
            expect.arrayContaining(['ListDetectors', 'GetFindings']),
          );
        if (scenario.source?.kind === 'securityhub')
          expect(calls.some((call) => call.service === 'securityHub' && call.command === 'GetFindings')).toBe(true);
        if (scenario.settings().securityHub?.updateFindings)
          expect(calls.some((call) => call.service === 'securityHub' && call.command === 'BatchUpdateFindings')).toBe(
            true,
          );
        if (scenario.member)
          expect(calls.some((call) => call.service === 'sts' && call.command === 'AssumeRole')).toBe(true);
      });

      it(
        'every run (printed above: calls x faults + outages): not silent, fail ' +
          'closed, records verify, quarantine consistent, a clean delivery completes',
        async () => {
          expect(runs.length).toBeGreaterThan(20);
          expect(await runAll(scenario, runs, known, (injections) => runSequential(scenario, injections))).toEqual([]);
        },
        120_000,
      );
    });
  }
  knownBugTests(names, known, (scenario, injections) => runSequential(scenario, injections));
}

/**
 * Two faults per run: pairs of (site, fault) of the recorded clean run, sampled with a seeded generator (the same
 * pairs on every run of the file): `perScenario` pairs per scenario.
 */
export function pairSuite(
  names: readonly string[],
  perScenario: number,
  seed: number,
  known: readonly KnownBug[] = [],
): void {
  noPublishBackoff();
  const random = seededRandom(seed);
  const plans = new Map<string, Injection[][]>();
  beforeAll(async () => {
    for (const name of names) {
      const { calls } = await recordCleanRun(scenarioNamed(name));
      const singles = singleInjections(calls);
      // All pairs of two different sites, sampled without building the whole product.
      const pairs = new Map<string, Injection[]>();
      const total = (singles.length * (singles.length - 1)) / 2;
      while (pairs.size < Math.min(perScenario, total)) {
        const [a, b] = sample(singles, 2, random) as [Injection, Injection];
        if (
          a.site.service === b.site.service &&
          a.site.command === b.site.command &&
          a.site.occurrence === b.site.occurrence
        )
          continue;
        const pair = [a, b].sort((x, y) => injectionName(x).localeCompare(injectionName(y)));
        pairs.set(pair.map(injectionName).join(' + '), pair);
      }
      plans.set(name, [...pairs.values()]);
      const touched = new Map<string, number>();
      for (const pair of pairs.values())
        for (const service of new Set(pair.map((injection) => injection.site.service)))
          touched.set(service, (touched.get(service) ?? 0) + 1);
      process.stdout.write(
        `fault matrix, two faults per run, ${name}: ${pairs.size} of ${total} pairs (seed ${seed}); pairs touching ` +
          `each service: ${[...touched.entries()].map(([service, count]) => `${service} ${count}`).join(', ')}\n`,
      );
    }
  });

  describe(`two faults per run: ${names.length} scenarios x ${perScenario} seeded pairs = ${names.length * perScenario} runs (seed ${seed})`, () => {
    for (const name of names) {
      it(`two faults per run, ${name}: ${perScenario} seeded pairs of (call site x fault): every invariant holds, a clean delivery completes`, async () => {
        const scenario = scenarioNamed(name);
        const runs = plans.get(name)!;
        expect(runs.length).toBe(perScenario);
        expect(await runAll(scenario, runs, known, (injections) => runSequential(scenario, injections))).toEqual([]);
      }, 120_000);
    }
  });
  knownBugTests(names, known, (scenario, injections) => runSequential(scenario, injections));
}

/**
 * Concurrent deliveries of one finding (Promise.all, the same clock): two and three at once without faults, and
 * `perScenario` seeded runs of three at once with one or two faults at sites of the recorded concurrent clean run.
 */
export function concurrentSuite(
  names: readonly string[],
  perScenario: number,
  seed: number,
  known: readonly KnownBug[] = [],
): void {
  noPublishBackoff();
  const random = seededRandom(seed);
  const count = CONCURRENT_LABELS.length;
  for (const name of names) {
    describe(`concurrent deliveries: ${name} (2 runs without faults + ${perScenario} with faults)`, () => {
      const scenario = scenarioNamed(name);
      it.each([2, 3])(
        '%i deliveries at once, no fault: one effect, at most one message per outcome, a later clean delivery completes',
        async (deliveries) => {
          const report = await runConcurrent(scenario, deliveries, []);
          expect(report.failures).toEqual([]);
        },
      );

      it(`${count} deliveries at once with ${perScenario} seeded fault sets (one or two faults at sites of a concurrent clean run)`, async () => {
        const { calls } = await recordConcurrentRun(scenario, count);
        const singles = sitesOf(calls).calls.flatMap((site) => faultsAt(site).map((fault) => ({ site, fault })));
        const runs = new Map<string, Injection[]>();
        while (runs.size < perScenario) {
          const pick = sample(singles, random() < 0.5 ? 1 : 2, random);
          runs.set(pick.map(injectionName).join(' + '), pick);
        }
        process.stdout.write(
          `fault matrix, ${count} concurrent deliveries, ${name}: ${calls.length} calls recorded, ${runs.size} runs with faults (seed ${seed})\n`,
        );
        expect(
          await runAll(scenario, [...runs.values()], known, (injections) => runConcurrent(scenario, count, injections)),
        ).toEqual([]);
      }, 120_000);
    });
  }
  knownBugTests(names, known, (scenario, injections) => runConcurrent(scenario, count, injections));
}
