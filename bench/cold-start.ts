import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadPlaybooks } from '../lib/playbooks';
import { esbuildOptionsOf, lambdaBundling, unusedSdkClients } from '../lib/constructs/sdk-bundling';
import { deployedBundles, type DeployedBundle } from './deployed-bundles';
import { median } from './stats';

export interface ColdStart {
  readonly bundle: string;
  readonly bytes: number;
  readonly pairs: number;
  /** Median, over the pairs, of (CPU time of a process that loads the bundle - CPU time of a bare one just before). */
  readonly overheadCpuMs: number;
  readonly loadCpuMs: number;
  readonly bareCpuMs: number;
  /** The same paired median in wall time: on a shared machine, a figure others' load can stretch. */
  readonly overheadWallMs: number;
  readonly withinTarget: boolean;
  readonly rssMb: number;
}

/** The target: every bundle within this much CPU time of bare Node. */
export const COLD_START_TARGET_MS = 100;

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
 * Node process with the bench's own environment (so NODE_OPTIONS of the function count as its overhead), alternating,
 * `runs` pairs: the overhead is the median of the paired differences of the processes' own CPU time.
 */
export function coldStart(name: string, file: string, env: NodeJS.ProcessEnv, runs: number): ColdStart {
  const job = { file, env, bareEnv: { ...process.env, NODE_OPTIONS: '' }, runs };
  const output = execFileSync(process.execPath, [join(__dirname, 'time-loads.cjs')], {
    input: JSON.stringify(job),
    encoding: 'utf8',
  });
  type Sample = { cpuMs: number; wallMs: number; rss: number };
  const pairs = JSON.parse(output) as { bare: Sample; load: Sample }[];
  const overheadCpuMs = median(pairs.map(({ bare, load }) => load.cpuMs - bare.cpuMs));
  return {
    bundle: name,
    bytes: statSync(file).size,
    pairs: pairs.length,
    overheadCpuMs,
    loadCpuMs: median(pairs.map(({ load }) => load.cpuMs)),
    bareCpuMs: median(pairs.map(({ bare }) => bare.cpuMs)),
    overheadWallMs: median(pairs.map(({ bare, load }) => load.wallMs - bare.wallMs)),
    withinTarget: overheadCpuMs <= COLD_START_TARGET_MS,
    rssMb: median(pairs.map(({ load }) => load.rss)) / 1048576,
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

/** Pairs per bundle (the issue asks for at least 21). */
const RUNS = 25;

/** The playbooks of the stack the bench synthesizes: the IAM, EC2 and Config responders it measures. */
export const BENCH_PLAYBOOKS = ['compromised-iam-credentials', 'compromised-ec2-instance', 'config-restricted-ssh'];

/**
 * What `cdk deploy` would upload, loaded cold: one row per distinct bundle of a synthesized stack (the IAM, EC2 and
 * Config playbooks enforced), each with its function's environment, then the IAM and EC2 responders again with the SDK
 * clients their first invocation builds.
 */
export function deployedColdStarts(
  deployed: readonly DeployedBundle[] = deployedBundles(BENCH_PLAYBOOKS),
): ColdStart[] {
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
    `\nCold start of the deployed bundles (${cold[0]?.pairs ?? RUNS} pairs of fresh Node processes each, alternating a bare one ` +
      "and one loading the bundle with its function's environment; overhead = median of the paired CPU-time differences)",
  );
  console.table(
    cold.map((row) => ({
      bundle: row.bundle,
      KB: Math.round(row.bytes / 1024),
      'CPU overhead ms': Math.round(row.overheadCpuMs),
      'load CPU ms': Math.round(row.loadCpuMs),
      'bare CPU ms': Math.round(row.bareCpuMs),
      'wall overhead ms': Math.round(row.overheadWallMs),
      [`within ${COLD_START_TARGET_MS} ms`]: row.withinTarget,
      'RSS MB': Math.round(row.rssMb),
    })),
  );
}
