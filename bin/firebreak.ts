#!/usr/bin/env -S npx tsx
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PlaybookInvalidError, playbookSchema } from '../lambdas/engine/playbook';
import { FindingRejectedError } from '../lambdas/findings/finding-rejected-error';
import { ConfigInvalidError, loadConfig } from '../lib/config';
import { loadPlaybooks } from '../lib/playbooks';
import { simulateEvent } from '../lib/simulate';

const USAGE = `Usage:
  firebreak simulate <event.json> [--config firebreak.config.json] [--stack-name Firebreak] [--account ID] [--json]
      Runs the real parse, route, gate and plan on a finding file, offline and without AWS credentials,
      and prints the plan and the exact notification that would be sent. AWS state is assumed (the
      principal exists and nothing is contained yet), never read; nothing is written.
  firebreak schema
      Prints the JSON Schema of playbook files (playbooks/playbook.schema.json).`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function simulate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', default: 'firebreak.config.json' },
      'stack-name': { type: 'string', default: 'Firebreak' },
      account: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('simulate takes exactly one event file');
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const playbooks = loadPlaybooks();
  const config = loadConfig(values.config, playbooks.map((playbook) => playbook.id));
  const simulation = await simulateEvent(event, { config, playbooks, stackName: values['stack-name'], ...(values.account ? { account: values.account } : {}) });

  if (simulation.kind === 'ignored') {
    console.log(`Ignored: ${simulation.reason}. No playbook runs and nothing is sent.`);
    return 0;
  }
  if (simulation.kind === 'unrouted') {
    console.log('No playbook would receive this finding, so nothing would run and nothing would be sent:');
    for (const { playbook, reason } of simulation.reasons) console.log(`  ${playbook}: ${reason}`);
    return 0;
  }
  for (const { playbook, notification } of simulation.runs) {
    if (values.json) {
      console.log(notification.json);
      continue;
    }
    console.log(`Playbook ${playbook.id} (mode ${playbook.mode}) would receive this finding.`);
    console.log('AWS state is ASSUMED in a simulation: the principal exists as named, untagged, and nothing is contained yet.\n');
    console.log(`Subject: ${notification.subject}`);
    console.log(`Attributes: ${Object.entries(notification.attributes).map(([key, value]) => `${key}=${value.StringValue}`).join(' ')}\n`);
    console.log(notification.text);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'simulate':
      return simulate(rest);
    case 'schema':
      console.log(JSON.stringify(z.toJSONSchema(playbookSchema), null, 2));
      return 0;
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof FindingRejectedError) {
      console.error(`Rejected: the event is not a finding Firebreak can trust, so nothing would be changed.\n  - ${error.problems.join('\n  - ')}`);
    } else if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
    } else if (error instanceof ConfigInvalidError || error instanceof PlaybookInvalidError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 2;
  },
);
