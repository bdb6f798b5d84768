import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync, type BuildOptions } from 'esbuild';
import { lambdaBundling } from '../lib/sdk-bundling';
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

/** The esbuild options NodejsFunction derives from our bundling options (lib/sdk-bundling.ts), for entries of our own. */
function esbuildOptionsOf(bundling: BundlingOptions): BuildOptions {
  const alias = Object.fromEntries(
    Object.entries(bundling.esbuildArgs ?? {})
      .filter(([flag]) => flag.startsWith('--alias:'))
      .map(([flag, path]) => [flag.slice('--alias:'.length), String(path)]),
  );
  return {
    minify: bundling.minify,
    keepNames: bundling.keepNames,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    target: bundling.target,
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    mainFields: bundling.mainFields,
    alias,
  };
}

/** An entry of our own bundled as the functions are bundled, without the SDK clients `leaveOut` names. */
export function bundle(entry: string, name: string, leaveOut: readonly string[] = []): string {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.js`);
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', outfile, logLevel: 'silent', ...esbuildOptionsOf(lambdaBundling(leaveOut)) });
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
