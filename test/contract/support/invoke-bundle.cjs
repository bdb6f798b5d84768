/* global require, process */
// Runs a function bundle as Lambda would, in this fresh Node process: loads it (the cold start, with the environment
// it was given), then calls its handler with each event, one after the other or all at once. Reads
// { file, events, concurrent, functionName } from stdin; writes [{ result } | { error: { name, message } }] to stdout.
'use strict';

const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');

const job = JSON.parse(readFileSync(0, 'utf8'));

async function main() {
  const { handler } = require(job.file);
  const invoke = async (event) => {
    const context = {
      awsRequestId: randomUUID(),
      functionName: job.functionName,
      getRemainingTimeInMillis: () => 60_000,
    };
    try {
      return { result: await handler(event, context) };
    } catch (error) {
      return { error: { name: error.name, message: error.message } };
    }
  };
  const outcomes = [];
  if (job.concurrent) outcomes.push(...(await Promise.all(job.events.map(invoke))));
  else for (const event of job.events) outcomes.push(await invoke(event));
  process.stdout.write(`\n--- outcomes ---\n${JSON.stringify(outcomes)}`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
