import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { leaveOutSdkClients } from '../lib/sdk-bundling';
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

/**
 * The handler bundled as the CDK bundles it (esbuild, minified, CommonJS, the SDK included), without the SDK clients
 * `leaveOut` names (lib/sdk-bundling.ts).
 */
export function bundle(entry: string, name: string, leaveOut: readonly string[] = []): string {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.js`);
  const alias = Object.fromEntries(Object.entries(leaveOutSdkClients(leaveOut)).map(([flag, path]) => [flag.replace('--alias:', ''), path]));
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node24', format: 'cjs', minify: true, outfile, alias, logLevel: 'silent' });
  return outfile;
}

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Loading the bundle in a fresh Node process (module init included), against a bare `node -e 0`, medians of `runs`. */
export function coldStart(file: string, env: NodeJS.ProcessEnv, runs: number): ColdStart {
  const load: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    bare.push(timed(['-e', '0'], env));
    load.push(timed(['-e', `require(${JSON.stringify(file)})`], env));
  }
  const rss = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)}); process.stdout.write(String(process.memoryUsage().rss))`], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  const loadMs = median(load);
  const bareNodeMs = median(bare);
  return { bundle: file.split('/').pop()!, bytes: statSync(file).size, loadMs, bareNodeMs, overheadMs: loadMs - bareNodeMs, rssMb: Number(rss) / 1048576 };
}
