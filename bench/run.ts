import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybooks } from '../lib/playbooks';
import { unusedSdkClients } from '../lib/sdk-bundling';
import { burst } from './burst';
import { bundle, coldStart } from './cold-start';
import { timeToContain } from './time-to-contain';

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

  const settings = JSON.stringify({
    playbook: loadPlaybooks().find((playbook) => playbook.id === 'compromised-iam-credentials'),
    protectedPrincipals: [],
    exemptionTagKey: 'firebreak:exempt',
    homeAccountId: '111122223333',
  });
  const env = { ...process.env, FIREBREAK_SETTINGS: settings, FIREBREAK_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:t', FIREBREAK_LEDGER_TABLE: 'ledger', AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' };
  const iamPlaybook = loadPlaybooks().find((playbook) => playbook.id === 'compromised-iam-credentials')!;
  const ec2Playbook = loadPlaybooks().find((playbook) => playbook.id === 'compromised-ec2-instance')!;
  const leaveOutIam = unusedSdkClients(iamPlaybook, { securityHubUpdates: false });
  const leaveOutEc2 = unusedSdkClients(ec2Playbook, { securityHubUpdates: false });
  const respond = join(__dirname, '..', 'lambdas', 'handlers', 'respond.ts');
  const cold = [
    coldStart(bundle(respond, 'respond (every client)'), env, 9),
    coldStart(bundle(respond, 'respond (IAM responder)', leaveOutIam), env, 9),
    coldStart(bundle(join(__dirname, 'entries', 'iam-responder.ts'), 'respond+iam-first-invocation', leaveOutIam), env, 9),
    coldStart(bundle(respond, 'respond (EC2 responder)', leaveOutEc2), env, 9),
    coldStart(bundle(join(__dirname, 'entries', 'ec2-responder.ts'), 'respond+ec2-first-invocation', leaveOutEc2), env, 9),
    coldStart(bundle(join(__dirname, '..', 'lambdas', 'handlers', 'release.ts'), 'release'), env, 9),
  ];
  console.log('\nCold start (median of 9 fresh Node processes; overhead = load - bare `node -e 0`; "+first-invocation": also the SDK clients the first invocation of that playbook loads)');
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
