/* global require, process */
// Times `runs` pairs of fresh Node processes, from this small process (a large parent, such as the bench after
// synthesizing a CDK app, starts every child tens of milliseconds slower): a bare one that loads nothing, then one that
// loads the bundle, alternating. Each child reports its own CPU time (process.cpuUsage, user + system, since it
// started) once it has loaded what it loads; the parent also keeps each child's wall time. Reads its job from stdin and
// writes the timings as JSON.
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');

const { file, env, bareEnv, runs } = JSON.parse(readFileSync(0, 'utf8'));
const report =
  'const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, rss: process.memoryUsage().rss }))';
const timed = (script, childEnv) => {
  const started = process.hrtime.bigint();
  const output = execFileSync(process.execPath, ['-e', script], { env: childEnv, stdio: ['ignore', 'pipe', 'ignore'] });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { wallMs, ...JSON.parse(String(output)) };
};
const pairs = [];
for (let run = 0; run < runs; run += 1) {
  const bare = timed(report, bareEnv);
  const load = timed(`require(${JSON.stringify(file)}); ${report}`, env);
  pairs.push({ bare, load });
}
process.stdout.write(JSON.stringify(pairs));
