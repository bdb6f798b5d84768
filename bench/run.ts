import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { burst } from './burst';
import { deployedColdStarts, printColdStarts } from './cold-start';
import { timeToContain } from './time-to-contain';

/** `npm run bench`: time to contain, cold start, burst, memory and cost, printed and written to bench/results.json. */
async function main(): Promise<void> {
  if (process.argv.includes('cold')) {
    // `npm run bench -- cold`: the cold start table alone (about a minute), nothing written.
    printColdStarts(deployedColdStarts());
    return;
  }
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? '50');
  const runs = Number(process.env.BENCH_RUNS ?? '5');

  const contain = await timeToContain(latencyMs, runs);
  console.log(
    `\nTime to contain (median of ${runs}; every AWS call ${latencyMs} ms away; round trips = sequential calls up to and including the one that made it effective)`,
  );
  console.table(
    contain.map((row) => ({
      scenario: row.scenario,
      'effective ms': Math.round(row.effectiveMs),
      'done ms': Math.round(row.doneMs),
      'round trips to effective': row.roundTripsToEffective,
      floor: row.floor,
      'AWS calls': row.calls,
      status: row.status,
    })),
  );

  const cold = deployedColdStarts();
  printColdStarts(cold);

  const burstResult = await burst(5);
  console.log(
    '\nBurst: 1,000 deliveries (200 instances x 3, 100 IAM users x 4), random order, 10 concurrent, writes rate-limited',
    JSON.stringify(burstResult.writes),
  );
  console.table([
    {
      ...burstResult,
      writes: undefined,
      totalMs: Math.round(burstResult.totalMs),
      minimumMsByRateLimits: Math.round(burstResult.minimumMsByRateLimits),
      ratioToMinimum: Number(burstResult.ratioToMinimum.toFixed(2)),
      peakRssMb: Math.round(burstResult.peakRssMb),
    },
  ]);

  // Lambda arm64 list prices (us-east-1): $0.0000133334 per GB-second, $0.20 per million requests.
  const memoryGb = 0.5;
  const cost = contain.map((row) => {
    const gbSeconds = (row.doneMs / 1000) * memoryGb * 1000;
    return {
      scenario: row.scenario,
      'GB-s per 1,000 findings': Number(gbSeconds.toFixed(1)),
      'requests per 1,000': 1000,
      'USD per 1,000': Number((gbSeconds * 0.0000133334 + 1000 * 0.0000002).toFixed(4)),
    };
  });
  console.log(`\nCost at ${memoryGb * 1024} MB, from the measured durations above`);
  console.table(cost);

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    latencyMs,
    runs,
    timeToContain: contain,
    coldStart: cold,
    burst: burstResult,
    cost,
  };
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nWritten to bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
