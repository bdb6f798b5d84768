import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadPlaybooks } from '../lib/playbooks';
import { esbuildOptionsOf, lambdaBundling, unusedSdkClients } from '../lib/constructs/sdk-bundling';
import { deployedBundles, type DeployedBundle } from './deployed-bundles';
import { median } from './latency';

export interface ColdStart {
  readonly bundle: string;
  readonly bytes: number;
  readonly loadMs: number;
  readonly bareNodeMs: number;
  readonly overheadMs: number;
  /** Fastest load minus fastest bare start: a cross-check that noise, which only ever adds time, cannot inflate. */
  readonly fastestOverheadMs: number;
  readonly rssMb: number;
}

const OUT = join(__dirname, '.out');

/** An entry of our own bundled as the functions are bundled, without the SDK clients `leaveOut` names. */
export function bundle(entry: string, name: string, leaveOut: readonly string[] = []): string {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.js`);
  buildSync({ ...esbuildOptionsOf(lambdaBundling(leaveOut)), entryPoints: [entry], outfile, logLevel: 'silent' });
  return outfile;
}

/**
 * Loading the bundle in a fresh Node process (module init included) with the function's environment, against a bare
 * `node -e 0` with the bench's own environment (so NODE_OPTIONS of the function count as its overhead); the overhead
 * is the median of `runs` paired differences.
 */
export function coldStart(name: string, file: string, env: NodeJS.ProcessEnv, runs: number): ColdStart {
  const job = { file, env, bareEnv: { ...process.env, NODE_OPTIONS: '' }, runs };
  const output = execFileSync(process.execPath, [join(__dirname, 'time-loads.cjs')], {
    input: JSON.stringify(job),
    encoding: 'utf8',
  });
  const { load, bare, rss } = JSON.parse(output) as { load: number[]; bare: number[]; rss: number };
  // Each load is paired with the bare start just before it: on a shared machine both drift together.
  const overheadMs = median(load.map((ms, run) => ms - bare[run]!));
  return {
    bundle: name,
    bytes: statSync(file).size,
    loadMs: median(load),
    bareNodeMs: median(bare),
    overheadMs,
    fastestOverheadMs: Math.min(...load) - Math.min(...bare),
    rssMb: rss / 1048576,
  };
}

/** One row per distinct bundle (functions of the same services share one), named by the functions that use it. */
function distinctBundles(deployed: readonly DeployedBundle[]): { bundle: DeployedBundle; names: string }[] {
  const byFile = new Map<string, DeployedBundle[]>();
  for (const bundle of deployed) byFile.set(bundle.file, [...(byFile.get(bundle.file) ?? []), bundle]);
  return [...byFile.values()].map((bundles) => {
    const names = bundles.map((bundle) => bundle.name.replace(/^Firebreak: /, '').replace(/ \(enforce\)$/, ''));
    return {
      bundle: bundles[0]!,
      names: names.length > 2 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', '),
    };
  });
}

/**
 * What `cdk deploy` would upload, loaded cold: one row per distinct bundle of a synthesized stack (the IAM, EC2 and
 * Config playbooks enforced), each with its function's environment, then the IAM and EC2 responders again with the SDK
 * clients their first invocation builds.
 */
const RUNS = 21;

export function deployedColdStarts(): ColdStart[] {
  const deployed = deployedBundles([
    'compromised-iam-credentials',
    'compromised-ec2-instance',
    'config-restricted-ssh',
  ]);
  // NODE_OPTIONS comes from the function alone, as for the bare start: the caller's shell must not count as overhead.
  const lambdaEnv = (bundle: DeployedBundle) => ({
    ...process.env,
    NODE_OPTIONS: '',
    ...bundle.environment,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
  });
  const responderOf = (playbookId: string) =>
    deployed.find((bundle) => bundle.name.startsWith(`Firebreak: ${playbookId} `))!;
  const playbooks = loadPlaybooks();
  const leaveOut = (playbookId: string) =>
    unusedSdkClients(
      playbooks.find((playbook) => playbook.id === playbookId)!,
      { securityHubUpdates: false },
    );
  return [
    ...distinctBundles(deployed).map(({ bundle, names }) => coldStart(names, bundle.file, lambdaEnv(bundle), RUNS)),
    // The same responders, also building the SDK clients their first invocation builds.
    coldStart(
      'IAM responder + first-invocation clients',
      bundle(
        join(__dirname, 'entries', 'iam-responder.ts'),
        'iam-first-invocation',
        leaveOut('compromised-iam-credentials'),
      ),
      lambdaEnv(responderOf('compromised-iam-credentials')),
      RUNS,
    ),
    coldStart(
      'EC2 responder + first-invocation clients',
      bundle(
        join(__dirname, 'entries', 'ec2-responder.ts'),
        'ec2-first-invocation',
        leaveOut('compromised-ec2-instance'),
      ),
      lambdaEnv(responderOf('compromised-ec2-instance')),
      RUNS,
    ),
  ];
}

export function printColdStarts(cold: readonly ColdStart[]): void {
  console.log(
    `\nCold start of the deployed bundles (${RUNS} fresh Node processes each, with the function's environment; overhead = median of (load - the bare node -e 0 just before))`,
  );
  console.table(
    cold.map((row) => ({
      bundle: row.bundle,
      KB: Math.round(row.bytes / 1024),
      'load ms': Math.round(row.loadMs),
      'bare node ms': Math.round(row.bareNodeMs),
      'overhead ms': Math.round(row.overheadMs),
      'fastest - fastest ms': Math.round(row.fastestOverheadMs),
      'RSS MB after load': Math.round(row.rssMb),
    })),
  );
}
