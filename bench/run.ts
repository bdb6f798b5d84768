import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResponderSettings } from '../lambdas/pipeline/responder-settings';
import { anchorTimelines } from './anchor-model';
import { burst, type BurstResult } from './burst';
import { BENCH_PLAYBOOKS, deployedColdStarts, printColdStarts } from './cold-start';
import { costPerThousand } from './cost';
import { deployedBundles, type DeployedBundle } from './deployed-bundles';
import { PRICES } from './prices';
import { timeToContainOnMoto, type MotoTimeToContain } from './moto-time-to-contain';
import { timeToContain } from './time-to-contain';

/** The breaker of the burst's main run: the largest the configuration accepts, so that every incident is enforced. */
const RAISED_BREAKER = { maxPerAccountPerHour: 10_000, maxPerPlaybookPerHour: 10_000 };

/**
 * `npm run bench`: time to contain (with the anchor's design beside it), cold start, the burst (at the deployed
 * settings, with the breaker raised and at its default), and the cost per 1,000 findings by service; printed and
 * written to bench/results.json. `npm run bench -- cold` prints the cold start table alone, `npm run bench -- burst`
 * the burst alone; neither writes anything. `npm run bench -- moto` runs time to contain against the moto emulator alone
 * and merges it into bench/results.json as `timeToContainOnMoto` (the other figures kept); the full run includes it
 * where python3 can run moto, and says so in one line where it cannot.
 */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING = '1';
  const deployed = deployedBundles(BENCH_PLAYBOOKS);
  const responder = responderOf(deployed, 'compromised-ec2-instance');
  const invoke = {
    concurrency: responder.settings.reservedConcurrency ?? 1000,
    retryAttempts: responder.settings.asyncRetryAttempts,
    timeoutMs: responder.settings.timeoutSeconds * 1000,
  };
  const defaultBreaker = (JSON.parse(responder.environment.FIREBREAK_SETTINGS ?? '{}') as ResponderSettings).breaker;
  const burstLatencyMs = Number(process.env.BENCH_BURST_LATENCY_MS ?? '50');
  const bursts = async () => {
    const raised = await burst({
      latencyMs: burstLatencyMs,
      invoke,
      breaker: RAISED_BREAKER,
      breakerNote:
        'raised to the largest value the configuration accepts (10,000 per account and per playbook per hour), ' +
        'so the burst measures containment under throttling',
    });
    printBurst(raised);
    const atDefault = await burst({
      latencyMs: burstLatencyMs,
      invoke,
      breaker: defaultBreaker,
      breakerNote: 'the deployed default: the first containments of the hour are enforced, the rest run as dry runs',
    });
    printBurst(atDefault);
    return { raised, atDefault };
  };

  if (process.argv.includes('cold')) {
    printColdStarts(deployedColdStarts(deployed));
    return;
  }
  if (process.argv.includes('burst')) {
    await bursts();
    return;
  }
  const motoRuns = Number(process.env.BENCH_MOTO_RUNS ?? '7');
  if (process.argv.includes('moto')) {
    const onMoto = await onMotoPrinted(motoRuns);
    if (!onMoto) return;
    const file = join(__dirname, 'results.json');
    const existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, `${JSON.stringify({ ...existing, timeToContainOnMoto: onMoto }, null, 2)}\n`);
    console.log('\nMerged into bench/results.json as timeToContainOnMoto (the other figures kept)');
    return;
  }

  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? '50');
  const runs = Number(process.env.BENCH_RUNS ?? '5');
  const contain = await timeToContain(latencyMs, runs);
  console.log(
    `\nTime to contain (median of ${runs}; every AWS call ${latencyMs} ms away; round trips = sequential calls up to and including the one that did it)`,
  );
  console.table(
    contain.map((row) => ({
      scenario: row.scenario,
      'effective ms': Math.round(row.effectiveMs),
      'done ms': Math.round(row.doneMs),
      'RT to effective': row.roundTripsToEffective,
      'RT to credentials denied': row.roundTripsToCredentialsDenied ?? '',
      'RT to done (message sent)': row.roundTripsToDone,
      'RT in all': row.roundTripsTotal,
      floor: row.floor,
      'AWS calls': row.calls,
      status: row.status,
    })),
  );
  const anchor = anchorTimelines(latencyMs);
  console.log(`\nThe anchor's design (AWS's GuardDuty response sample) in the same model, ${latencyMs} ms per call`);
  console.table(
    anchor.map((row) => ({
      scenario: row.scenario,
      'RT to effective': row.roundTripsToEffective ?? 'never',
      'RT to credentials': row.roundTripsToCredentials ?? '',
      'RT to done': row.roundTripsToDone,
      'sleeps ms': row.sleepMs,
      'effective ms': row.effectiveMs ?? 'never',
      'done ms': row.doneMs,
    })),
  );

  const cold = deployedColdStarts(deployed);
  printColdStarts(cold);

  const { raised, atDefault } = await bursts();

  const onMoto = await onMotoPrinted(motoRuns);

  const cost = contain.map((row) => costPerThousand(row, responder.settings.memorySizeMb));
  console.log(`\nCost per 1,000 findings (USD, ${PRICES.region} list prices read ${PRICES.readOn}; bench/prices.ts)`);
  console.table(
    cost.map((row) => ({
      scenario: row.scenario,
      Lambda: row.usd.lambda.toFixed(4),
      DynamoDB: row.usd.dynamodb.toFixed(4),
      SNS: row.usd.sns.toFixed(4),
      'CloudWatch Logs': row.usd.cloudWatchLogs.toFixed(4),
      KMS: row.usd.kms.toFixed(4),
      total: row.usd.total.toFixed(4),
      'DynamoDB writes': row.perFinding.dynamodbWriteRequests,
      WRU: row.perFinding.dynamodbWriteRequestUnits,
      'log KB': (row.perFinding.logBytes / 1024).toFixed(1),
      'KMS calls': row.perFinding.kmsRequests,
    })),
  );

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    command: 'npm run bench',
    latencyMs,
    runs,
    deployed: { ...responder.settings, breakerDefault: defaultBreaker },
    timeToContain: contain,
    anchorComparison: anchor,
    coldStart: cold,
    burst: raised,
    burstAtDefaultBreaker: atDefault,
    costPer1000Findings: cost,
    prices: PRICES,
    ...(onMoto ? { timeToContainOnMoto: onMoto } : {}),
  };
  writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nWritten to bench/results.json');
}

function responderOf(deployed: readonly DeployedBundle[], playbookId: string): DeployedBundle {
  const found = deployed.find((bundle) => bundle.name.startsWith(`Firebreak: ${playbookId} `));
  if (!found) throw new Error(`bench: the synthesized stack has no responder for ${playbookId}`);
  return found;
}

/** Time to contain against moto, printed; undefined (said in one line) where moto cannot run here. */
async function onMotoPrinted(runs: number): Promise<MotoTimeToContain | undefined> {
  const onMoto = await timeToContainOnMoto(runs);
  if ('skipped' in onMoto) {
    console.log(`\nTime to contain on moto: skipped, ${onMoto.skipped}`);
    return undefined;
  }
  console.log(`\nTime to contain on moto (median of ${onMoto.runs}; ${onMoto.note})`);
  console.table(
    onMoto.scenarios.map((row) => ({
      scenario: row.scenario,
      'effective ms': Math.round(row.effectiveMs),
      'done ms': Math.round(row.doneMs),
      'total ms': Math.round(row.totalMs),
      'HTTP requests': row.requests,
      'by service': JSON.stringify(row.requestsByService),
      status: row.status,
    })),
  );
  return onMoto;
}

function printBurst(result: BurstResult): void {
  console.log(
    `\nBurst: ${result.deliveries} deliveries of ${result.incidents} incidents, two responders at reserved concurrency ` +
      `${result.reservedConcurrency}, ${result.latencyMs} ms per call, per-API token buckets; breaker ${result.breakerNote}`,
  );
  console.table([
    {
      contained: result.contained,
      lost: result.lost,
      leftInDlq: result.leftInDlq,
      duplicateEffects: result.duplicateEffects,
      throttlingErrors: result.throttlingErrors,
      sdkRetries: result.sdkRetries,
      callsThrottledOut: result.callsThrottledOut,
      failedInvocations: result.failedInvocations,
      'all contained s': (result.allContainedMs / 1000).toFixed(1),
      'total s': (result.totalMs / 1000).toFixed(1),
      'minimum s': (result.minimumMs / 1000).toFixed(1),
      ratioToMinimum: Number(result.ratioToMinimum.toFixed(2)),
      orderViolations: result.writeOrder.violations,
    },
  ]);
  console.log(
    `  slowest bucket ${result.slowestBucket?.bucket}: ${result.slowestBucket?.granted} requests, ` +
      `${((result.slowestBucket?.minimumMs ?? 0) / 1000).toFixed(1)} s at least; concurrency bound ${(result.concurrencyMinimumMs / 1000).toFixed(1)} s; ` +
      `outcomes ${JSON.stringify(result.deliveryOutcomes)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
