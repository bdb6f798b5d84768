#!/usr/bin/env -S npx tsx
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { PlaybookInvalidError, playbookSchema } from '../lambdas/model/playbook';
import { FindingRejectedError } from '../lambdas/findings/finding-rejected-error';
import { ConfigInvalidError, loadConfig } from '../lib/config';
import { createAwsClients } from '../lambdas/aws/aws-clients';
import { IncidentNotFoundError } from '../lambdas/pipeline/release-incident';
import type { ReleaseResult } from '../lambdas/handlers/release';
import { functionErrorText, invokeWithCallerProof } from '../lib/cli/caller-proof';
import { DynamoDbLedger } from '../lambdas/ledger/dynamodb-ledger';
import { listIncidentsReceived } from '../lambdas/ledger/incidents-received';
import { buildReport, lookbackStart } from '../lib/cli/incident-report';
import { renderReport } from '../lib/cli/render-report';
import { renderRelease } from '../lambdas/notify/render-release';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadPlaybooks } from '../lib/playbooks';
import { redrive } from '../lib/cli/redrive';
import { approveIncident, denyIncident } from '../lib/cli/approve-incident';
import { renderSimulation, simulateEvent } from '../lib/cli/simulate';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { acknowledgementMetric } from '../lib/cli/acknowledgement-metric';
import { METRICS_NAMESPACE } from '../lambdas/metrics/outcome-metrics';
import { PLAN_USAGE, livePlanCommand } from '../lib/cli/live-plan-command';
import { DRILL_USAGE, drillCommand } from '../lib/cli/drill-command';

const USAGE = `Usage:
  firebreak simulate <event.json> [--config firebreak.config.json] [--stack-name Firebreak] [--account ID] [--json]
      Runs each receiving responder's own event handling on a GuardDuty, Config or Security Hub event file,
      offline and without AWS credentials, and prints the plan and the exact notification that would be sent
      (or that none would be, and why). AWS state is assumed (the principal exists and nothing is contained
      yet), never read; nothing is written.
${PLAN_USAGE}
  firebreak release <incident-id> --function <release function name> [--region <region>] [--by <note>]
      Asks the release function (stack output ReleaseFunctionName) to restore the pre-state the ledger recorded
      for one incident, step by step in reverse order. The request carries a proof of who you are (an STS
      GetCallerIdentity request signed with your AWS credentials, for this request only); the function checks it
      with STS and records your ARN (--by is kept beside it as a note). Evidence (snapshots, tags) stays.
      Exit 0: released; 1: released in part (check the steps by hand); 2: not released (refused, unknown, failed).
  firebreak approve <incident-id> --function <responder name> [--region <region>] [--by <note>]
      Approves a plan waiting in approval mode: the responder (stack output ResponderFunctionName-<playbook>)
      checks who you are with STS as release does, re-reads the state and applies the plan through every gate,
      once, then sends and prints the outcome.
  firebreak deny <incident-id> --function <responder name> [--region <region>] [--by <name>]
      Denies a plan waiting in approval mode: it is never applied; the on-call gets a DENIED message within a minute.
${DRILL_USAGE}
  firebreak breaker close (--account <id> | --playbook <id>) --table <ledger table> [--region <region>]
      Closes the blast-radius breaker: enforcement resumes, counting containments from now.
  firebreak ack <incident-id> --table <ledger table> [--region <region>] [--by <name>]
      Records that you took the incident in hand (the time to acknowledge in the report). The first
      acknowledgement stands; a second one says when and by whom it was made.
  firebreak report --table <ledger table> --since <date> [--until <date>] [--region <region>] [--json]
      Prints from the ledger, for incidents first received in [since, until) (UTC dates or ISO times;
      until defaults to now): incidents by status, playbook and day, MTTA, MTTR, recurrence within 30
      days, and the automated success rate, with medians and p90.
  firebreak redrive --queue-url <dead-letter queue URL> --function <responder name> [--region <region>] [--max 100]
      Invokes the responder again with each event of its dead-letter queue, then deletes the message.
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
  const config = loadConfig(
    values.config,
    playbooks.map((playbook) => playbook.id),
  );
  const simulation = await simulateEvent(event, {
    config,
    playbooks,
    stackName: values['stack-name'],
    ...(values.account ? { account: values.account } : {}),
  });

  console.log(renderSimulation(simulation, { json: values.json }));
  return 0;
}

function ledgerRegion(values: { region?: string | undefined }): string {
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--region is required (or set AWS_REGION)');
  return region;
}

function ledgerFrom(values: { table?: string | undefined; region?: string | undefined }) {
  if (!values.table) throw new UsageError('--table is required: the ledger table name (stack output LedgerTableName)');
  const clients = createAwsClients(ledgerRegion(values));
  return { clients, ledger: new DynamoDbLedger(clients.dynamodb, values.table, 400) };
}

/** The one positional argument of a command that acts on an incident. */
function oneIncidentId(command: string, positionals: readonly string[]): string {
  const incidentId = positionals[0];
  if (!incidentId || positionals.length > 1) throw new UsageError(`${command} takes exactly one incident id`);
  return incidentId;
}

/** Who the ledger and the message name: --by, else the shell's user. */
function actingPerson(by: string | undefined): string {
  return by ?? process.env.USER ?? 'firebreak CLI';
}

/** The Region of a function command: --region, else the environment's. */
function functionRegion(values: { region?: string | undefined }): string {
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--region is required (or set AWS_REGION)');
  return region;
}

async function release(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      function: { type: 'string' },
      region: { type: 'string' },
      by: { type: 'string' },
      table: { type: 'string' },
      'exemption-hours': { type: 'string' },
    },
  });
  const incidentId = oneIncidentId('release', positionals);
  if (values.table !== undefined || values['exemption-hours'] !== undefined) {
    throw new UsageError(
      'release no longer writes with your own credentials: it asks the release function, which checks who you are ' +
        'with STS and applies its own exemption period (releaseExemptionHours). ' +
        'Give --function <ReleaseFunctionName> instead of --table and --exemption-hours',
    );
  }
  if (!values.function)
    throw new UsageError(
      'release needs --function: the release function (stack output ReleaseFunctionName, or the release command in the message)',
    );
  // The release function may take up to its 120 s timeout: no SDK retry (a second release only reports "released before").
  const lambda = new LambdaClient({
    region: functionRegion(values),
    maxAttempts: 1,
    requestHandler: { requestTimeout: 150_000 },
  });
  const answer = await invokeWithCallerProof(lambda, 'release', values.function, {
    incidentId,
    ...(values.by ? { label: values.by } : {}),
  });
  if (answer.functionError) {
    console.error(`Not released: ${functionErrorText(answer)}`);
    return 2;
  }
  const result = answer.result as Partial<ReleaseResult> | null;
  if (result?.kind !== 'released') {
    console.error(
      `Unexpected answer from ${values.function} (is it the release function, stack output ReleaseFunctionName?): ${answer.body.slice(0, 2000)}`,
    );
    return 2;
  }
  const report = result as Extract<ReleaseResult, { kind: 'released' }>;
  console.log(renderRelease(report, report.releasedBy).text);
  return report.complete ? 0 : 1;
}

async function approve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { function: { type: 'string' }, region: { type: 'string' }, by: { type: 'string' } },
  });
  const incidentId = oneIncidentId('approve', positionals);
  if (!values.function)
    throw new UsageError(
      'approve needs --function: the responder of the playbook (stack output ResponderFunctionName-<playbook>, or the APPROVE? message)',
    );
  // The responder may take up to its 60 s timeout: no SDK retry, a second invoke would only be refused.
  const lambda = new LambdaClient({
    region: functionRegion(values),
    maxAttempts: 1,
    requestHandler: { requestTimeout: 90_000 },
  });
  const answer = await approveIncident({
    lambda,
    functionName: values.function,
    incidentId,
    ...(values.by ? { label: values.by } : {}),
  });
  console.log(answer.text);
  return answer.ok ? 0 : 1;
}

async function deny(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      function: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      by: { type: 'string' },
    },
  });
  const incidentId = oneIncidentId('deny', positionals);
  if (values.table !== undefined)
    throw new UsageError(
      'deny no longer writes the ledger with your own credentials: it asks the responder, which checks who you are ' +
        'with STS. Give --function <responder name> (the APPROVE? message names it) instead of --table',
    );
  if (!values.function)
    throw new UsageError(
      'deny needs --function: the responder of the playbook (stack output ResponderFunctionName-<playbook>, or the APPROVE? message)',
    );
  const lambda = new LambdaClient({
    region: functionRegion(values),
    maxAttempts: 1,
    requestHandler: { requestTimeout: 90_000 },
  });
  const answer = await denyIncident({
    lambda,
    functionName: values.function,
    incidentId,
    ...(values.by ? { label: values.by } : {}),
  });
  (answer.ok ? console.log : console.error)(answer.text);
  return answer.ok ? 0 : 1;
}

async function breaker(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      region: { type: 'string' },
      account: { type: 'string' },
      playbook: { type: 'string' },
    },
  });
  if (positionals[0] !== 'close' || positionals.length !== 1)
    throw new UsageError('breaker takes one subcommand: close');
  if (Boolean(values.account) === Boolean(values.playbook))
    throw new UsageError('breaker close takes exactly one of --account or --playbook');
  const scope = values.account
    ? ({ kind: 'account', accountId: values.account } as const)
    : ({ kind: 'playbook', playbook: values.playbook! } as const);
  const { ledger } = ledgerFrom(values);
  await ledger.closeBreaker(scope, new Date());
  console.log(
    `Breaker for ${values.account ? `account ${values.account}` : `playbook ${values.playbook}`} closed: enforcement resumes, counting from now.`,
  );
  return 0;
}

async function ack(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { table: { type: 'string' }, region: { type: 'string' }, by: { type: 'string' } },
  });
  const incidentId = oneIncidentId('ack', positionals);
  const { ledger } = ledgerFrom(values);
  const by = actingPerson(values.by);
  const result = await ledger.acknowledgeIncident(incidentId, by, new Date());
  if (result.kind === 'not-found') {
    console.error(
      `No incident ${incidentId} in table ${values.table}: copy the incident id from the notification, and check --table and --region.`,
    );
    return 1;
  }
  if (result.kind === 'already-acknowledged') {
    console.log(
      `Incident ${incidentId} was already acknowledged by ${result.by} at ${result.at}; that first acknowledgement stands.`,
    );
    return 0;
  }
  console.log(`Incident ${incidentId} acknowledged by ${result.by} at ${result.at}.`);
  // The dashboard's MTTA: one TimeToAcknowledge value per incident, published with the same credentials.
  const incident = await ledger.getIncident(incidentId);
  const datum = incident ? acknowledgementMetric(incident, result.at) : undefined;
  if (!datum) {
    console.error(
      'The acknowledgement is recorded; no TimeToAcknowledge metric was published: ' +
        `the incident's receipt time (${incident?.receivedAt ?? 'missing'}) is not before ${result.at}.`,
    );
    return 0;
  }
  try {
    await new CloudWatchClient({ region: ledgerRegion(values) }).send(
      new PutMetricDataCommand({ Namespace: METRICS_NAMESPACE, MetricData: [datum] }),
    );
  } catch (error) {
    console.error(
      'The acknowledgement is recorded, but the TimeToAcknowledge metric was not published ' +
        `(the dashboard's MTTA misses it; firebreak report still counts it): ${(error as Error).message}`,
    );
    return 3;
  }
  return 0;
}

function dateOption(name: string, value: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--${name}: expected a UTC date like 2026-11-01 or an ISO time, got ${JSON.stringify(value)}`);
  return date;
}

async function report(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      table: { type: 'string' },
      region: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.since) throw new UsageError('report needs --since (a UTC date like 2026-11-01 or an ISO time)');
  const since = dateOption('since', values.since);
  const until = values.until ? dateOption('until', values.until) : new Date();
  if (since >= until)
    throw new UsageError(`--since ${since.toISOString()} must be before --until ${until.toISOString()}`);
  const { clients } = ledgerFrom(values);
  const options = { since, until };
  const figures = buildReport(
    await listIncidentsReceived(clients.dynamodb, values.table!, lookbackStart(options), until),
    options,
  );
  console.log(values.json ? JSON.stringify(figures, null, 2) : renderReport(figures));
  return 0;
}

async function plan(args: string[]): Promise<number> {
  const result = await livePlanCommand(args, { usage: (message) => new UsageError(message) });
  if (result.stdout) console.log(result.stdout);
  if (result.stderr) console.error(result.stderr);
  return result.code;
}

function printed(result: { readonly code: number; readonly stdout: string }): number {
  console.log(result.stdout);
  return result.code;
}

async function redriveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'queue-url': { type: 'string' },
      function: { type: 'string' },
      region: { type: 'string' },
      max: { type: 'string', default: '100' },
    },
  });
  if (!values['queue-url'] || !values.function)
    throw new UsageError(
      'redrive needs --queue-url and --function (stack outputs DeadLetterQueue-<playbook> and the responder function name)',
    );
  const max = Number(values.max);
  if (!Number.isInteger(max) || max < 1)
    throw new UsageError(`--max: expected a whole number of events, got ${values.max}`);
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--region is required (or set AWS_REGION)');
  const result = await redrive({
    sqs: new SQSClient({ region, retryMode: 'standard', maxAttempts: 3 }),
    lambda: new LambdaClient({ region, retryMode: 'standard', maxAttempts: 3 }),
    queueUrl: values['queue-url'],
    functionName: values.function,
    max,
  });
  console.log(
    `Re-drove ${result.redriven} event(s).${result.skipped.length > 0 ? `\nLeft in the queue:\n  ${result.skipped.join('\n  ')}` : ''}`,
  );
  return result.skipped.length > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'simulate':
      return simulate(rest);
    case 'plan':
      return plan(rest);
    case 'release':
      return release(rest);
    case 'approve':
      return approve(rest);
    case 'deny':
      return deny(rest);
    case 'drill':
      return printed(await drillCommand(rest, { usage: (message) => new UsageError(message) }));
    case 'breaker':
      return breaker(rest);
    case 'ack':
      return ack(rest);
    case 'report':
      return report(rest);
    case 'redrive':
      return redriveCommand(rest);
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
      console.error(
        `Rejected: the event is not a finding Firebreak can trust, so nothing would be changed.\n  - ${error.problems.join('\n  - ')}`,
      );
    } else if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
    } else if (
      error instanceof ConfigInvalidError ||
      error instanceof PlaybookInvalidError ||
      error instanceof IncidentNotFoundError
    ) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 2;
  },
);
