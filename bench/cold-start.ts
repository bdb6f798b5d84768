import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadPlaybooks } from '../lib/playbooks';
import { esbuildOptionsOf, lambdaBundling, unusedSdkClients } from '../lib/sdk-bundling';
import { deployedBundles, type DeployedBundle } from './deployed-bundles';
import { median } from './latency';

export interface ColdStart {
  readonly bundle: string;
  readonly bytes: number;
  readonly loadMs: number;
  readonly bareNodeMs: number;
  readonly overheadMs: number;
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

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Loading the bundle in a fresh Node process (module init included) with the function's environment, against a bare
 * `node -e 0` with the bench's own environment (so NODE_OPTIONS of the function count as its overhead), medians of `runs`.
 */
export function coldStart(name: string, file: string, env: NodeJS.ProcessEnv, runs: number): ColdStart {
  const bareEnv = { ...process.env, NODE_OPTIONS: '' };
  const load: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    bare.push(timed(['-e', '0'], bareEnv));
    load.push(timed(['-e', `require(${JSON.stringify(file)})`], env));
  }
  const rss = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)}); process.stdout.write(String(process.memoryUsage().rss))`], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const loadMs = median(load);
  const bareNodeMs = median(bare);
  return { bundle: name, bytes: statSync(file).size, loadMs, bareNodeMs, overheadMs: loadMs - bareNodeMs, rssMb: Number(rss) / 1048576 };
}

/** One row per distinct bundle (functions of the same services share one), named by the functions that use it. */
function distinctBundles(deployed: readonly DeployedBundle[]): { bundle: DeployedBundle; names: string }[] {
  const byFile = new Map<string, DeployedBundle[]>();
  for (const bundle of deployed) byFile.set(bundle.file, [...(byFile.get(bundle.file) ?? []), bundle]);
  return [...byFile.values()].map((bundles) => {
    const names = bundles.map((bundle) => bundle.name.replace(/^Firebreak: /, '').replace(/ \(enforce\)$/, ''));
    return { bundle: bundles[0]!, names: names.length > 2 ? `${names.slice(0, 2).join(', ')} and ${names.length - 2} more` : names.join(', ') };
  });
}

/**
 * What `cdk deploy` would upload, loaded cold: one row per distinct bundle of a synthesized stack (the IAM, EC2 and
 * Config playbooks enforced), each with its function's environment, then the IAM and EC2 responders again with the SDK
 * clients their first invocation builds.
 */
export function deployedColdStarts(): ColdStart[] {
  const deployed = deployedBundles(['compromised-iam-credentials', 'compromised-ec2-instance', 'config-restricted-ssh']);
  const lambdaEnv = (bundle: DeployedBundle) => ({ ...process.env, ...bundle.environment, AWS_REGION: 'us-east-1', AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1' });
  const responderOf = (playbookId: string) => deployed.find((bundle) => bundle.name.startsWith(`Firebreak: ${playbookId} `))!;
  const playbooks = loadPlaybooks();
  const leaveOut = (playbookId: string) => unusedSdkClients(playbooks.find((playbook) => playbook.id === playbookId)!, { securityHubUpdates: false });
  return [
    ...distinctBundles(deployed).map(({ bundle, names }) => coldStart(names, bundle.file, lambdaEnv(bundle), 11)),
    // The same responders, also building the SDK clients their first invocation builds.
    coldStart('IAM responder + first-invocation clients', bundle(join(__dirname, 'entries', 'iam-responder.ts'), 'iam-first-invocation', leaveOut('compromised-iam-credentials')), lambdaEnv(responderOf('compromised-iam-credentials')), 11),
    coldStart('EC2 responder + first-invocation clients', bundle(join(__dirname, 'entries', 'ec2-responder.ts'), 'ec2-first-invocation', leaveOut('compromised-ec2-instance')), lambdaEnv(responderOf('compromised-ec2-instance')), 11),
  ];
}

export function printColdStarts(cold: readonly ColdStart[]): void {
  console.log('\nCold start of the deployed bundles (median of 11 fresh Node processes, each with its function\'s environment; overhead = load - bare `node -e 0`)');
  console.table(cold.map((row) => ({ bundle: row.bundle, 'KB': Math.round(row.bytes / 1024), 'load ms': Math.round(row.loadMs), 'bare node ms': Math.round(row.bareNodeMs), 'overhead ms': Math.round(row.overheadMs), 'RSS MB after load': Math.round(row.rssMb) })));
}
