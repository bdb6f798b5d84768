/* global require, process */
// Times `runs` cold loads of one bundle, each right after a bare `node -e 0`, from this small process: a large parent
// (the bench, after synthesizing a CDK app) starts every child tens of milliseconds slower. Reads its job from stdin
// and writes the timings as JSON.
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

const { file, env, bareEnv, runs } = JSON.parse(readFileSync(0, 'utf8'));
const timed = (args, childEnv) => {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const load = [];
const bare = [];
for (let run = 0; run < runs; run += 1) {
  bare.push(timed(['-e', '0'], bareEnv));
  load.push(timed(['-e', `require(${JSON.stringify(file)})`], env));
}
const rss = Number(
  execFileSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(file)}); process.stdout.write(String(process.memoryUsage().rss))`],
    { env, stdio: ['ignore', 'pipe', 'ignore'] },
  ),
);
process.stdout.write(JSON.stringify({ load, bare, rss }));
