import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { invokeWithCallerProof } from './caller-proof';
import { runDrill, type DrillDependencies } from './drill';
import type { DrillInvoke } from './drill-inject';
import { renderDrillReport } from './drill-render-report';

export const DRILL_USAGE = `  firebreak drill --function <responder name> --release-function <release function name> [--region <region>]
                 [--table <ledger table>] [--with-eni --subnet <subnet-id>] [--by <note>] [--json]
      A game day: creates a canary IAM user firebreak-drill-<id> with an access key (and with --with-eni a network
      interface), tagged firebreak:drill=<id>; asks the responder of compromised-iam-credentials (stack output
      ResponderFunctionName-compromised-iam-credentials) to contain it, with a proof of who you are as approve does;
      measures the time to containment effective (read from IAM) and to the message (the ledger, with --table);
      verifies, releases through the release function, and deletes the canaries, also when a step failed (only
      resources carrying the drill's tag). Prints the report (--json: the machine form). Exit 0: every phase ok.`;

export interface DrillCommandResult {
  readonly code: number;
  readonly stdout: string;
}

export interface DrillCommandOptions {
  /** Builds the error for wrong usage (the CLI's UsageError, which prints the usage). */
  readonly usage: (message: string) => Error;
}

/** `firebreak drill`: parses the arguments, builds the clients from your own credentials, runs the drill. */
export async function drillCommand(args: string[], options: DrillCommandOptions): Promise<DrillCommandResult> {
  const { values } = parseArgs({
    args,
    options: {
      function: { type: 'string' },
      'release-function': { type: 'string' },
      region: { type: 'string' },
      table: { type: 'string' },
      'with-eni': { type: 'boolean', default: false },
      subnet: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.function)
    throw options.usage('drill needs --function: the responder of compromised-iam-credentials (a stack output)');
  if (!values['release-function'])
    throw options.usage('drill needs --release-function: the release function (stack output ReleaseFunctionName)');
  if (values['with-eni'] !== (values.subnet !== undefined))
    throw options.usage('--with-eni and --subnet <subnet-id> go together: the network interface canary needs a subnet');
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw options.usage('--region is required (or set AWS_REGION)');

  // The responder may take up to its 60 s timeout, the release function 120 s: no SDK retry of a signed request.
  const lambda = new LambdaClient({ region, maxAttempts: 1, requestHandler: { requestTimeout: 150_000 } });
  const invoke: DrillInvoke = (operation, functionName, request) =>
    invokeWithCallerProof(lambda, operation, functionName, request);
  const config = { region, retryMode: 'standard', maxAttempts: 3 } as const;
  const deps: DrillDependencies = {
    iam: new IAMClient(config),
    invoke,
    ...(values.subnet ? { ec2: new EC2Client(config) } : {}),
    ...(values.table ? { ledger: new DynamoDbLedger(new DynamoDBClient(config), values.table, 400) } : {}),
  };
  const report = await runDrill(deps, {
    responderFunction: values.function,
    releaseFunction: values['release-function'],
    ...(values.by ? { label: values.by } : {}),
    ...(values.subnet ? { subnetId: values.subnet } : {}),
  });
  return {
    code: report.ok ? 0 : 1,
    stdout: values.json ? JSON.stringify(report, null, 2) : renderDrillReport(report),
  };
}
