import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybooks } from '../lib/playbooks';
import { unusedSdkClients } from '../lib/sdk-bundling';
import { burst } from './burst';
import { bundle, coldStart } from './cold-start';
import { deployedBundles, type DeployedBundle } from './deployed-bundles';
import { timeToContain } from './time-to-contain';

/** One row per distinct bundle (functions of the same services share one), named by the functions that use it. */
function distinctBundles(deployed: readonly DeployedBundle[]): { bundle: DeployedBundle; names: string }[] {
  const byFile = new Map<string, DeployedBundle[]>();
  for (const bundle of deployed) byFile.set(bundle.file, [...(byFile.get(bundle.file) ?? []), bundle]);
  return [...byFile.values()].map((bundles) => {
    const names = bundles.map((bundle) => bundle.name.replace(/^Firebreak: /, '').replace(/ \(enforce\)$/, ''));
    return { bundle: bundles[0]!, names: names.length > 2 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', ') };
  });
}

/** `npm run bench`: time to contain, cold start, burst, memory and cost, printed and written to bench/results.json. */
async function main(): Promise<void> {
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? '50');
  const runs = Number(process.env.BENCH_RUNS ?? '5');

  const contain = await timeToContain(latencyMs, runs);
  console.log(`\nTime to contain (median of ${runs}; every AWS call ${latencyMs} ms away; round trips = sequential calls up to and including the one that made it effective)`);
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

  // What `cdk deploy` would upload: the bundles of a synthesized stack, each loaded with its function's environment.
  const deployed = deployedBundles(['compromised-iam-credentials', 'compromised-ec2-instance', 'config-restricted-ssh']);
  const lambdaEnv = (bundle: DeployedBundle) => ({ ...process.env, ...bundle.environment, AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' });
  const responderOf = (playbookId: string) => deployed.find((bundle) => bundle.name.startsWith(`Firebreak: ${playbookId} `))!;
  const playbooks = loadPlaybooks();
  const leaveOut = (playbookId: string) => unusedSdkClients(playbooks.find((playbook) => playbook.id === playbookId)!, { securityHubUpdates: false });
  const cold = [
    ...distinctBundles(deployed).map(({ bundle, names }) => coldStart(names, bundle.file, lambdaEnv(bundle), 11)),
    // The same responders, also building the SDK clients their first invocation builds.
    coldStart('IAM responder + first-invocation clients', bundle(join(__dirname, 'entries', 'iam-responder.ts'), 'iam-first-invocation', leaveOut('compromised-iam-credentials')), lambdaEnv(responderOf('compromised-iam-credentials')), 11),
    coldStart('EC2 responder + first-invocation clients', bundle(join(__dirname, 'entries', 'ec2-responder.ts'), 'ec2-first-invocation', leaveOut('compromised-ec2-instance')), lambdaEnv(responderOf('compromised-ec2-instance')), 11),
  ];
  console.log('\nCold start of the deployed bundles (median of 11 fresh Node processes, each with its function\'s environment; overhead = load - bare `node -e 0`)');
  console.table(cold.map((row) => ({ bundle: row.bundle, 'KB': Math.round(row.bytes / 1024), 'load ms': Math.round(row.loadMs), 'bare node ms': Math.round(row.bareNodeMs), 'overhead ms': Math.round(row.overheadMs), 'RSS MB after load': Math.round(row.rssMb) })));

  const burstResult = await burst(5);
  console.log('\nBurst: 1,000 deliveries (200 instances x 3, 100 IAM users x 4), random order, 10 concurrent, writes rate-limited', JSON.stringify(burstResult.writes));
  console.table([{ ...burstResult, writes: undefined, totalMs: Math.round(burstResult.totalMs), minimumMsByRateLimits: Math.round(burstResult.minimumMsByRateLimits), ratioToMinimum: Number(burstResult.ratioToMinimum.toFixed(2)), peakRssMb: Math.round(burstResult.peakRssMb) }]);

  // Lambda arm64 list prices (us-east-1): $0.0000133334 per GB-second, $0.20 per million requests.
  const memoryGb = 0.5;
  const cost = contain.map((row) => {
    const gbSeconds = (row.doneMs / 1000) * memoryGb * 1000;
    return { scenario: row.scenario, 'GB-s per 1,000 findings': Number(gbSeconds.toFixed(1)), 'requests per 1,000': 1000, 'USD per 1,000': Number((gbSeconds * 0.0000133334 + 1000 * 0.0000002).toFixed(4)) };
  });
  console.log(`\nCost at ${memoryGb * 1024} MB, from the measured durations above`);
  console.table(cost);

  const results = { date: new Date().toISOString(), node: process.version, latencyMs, runs, timeToContain: contain, coldStart: cold, burst: burstResult, cost };
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nWritten to bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
