import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assumeReadOnly, createReadOnlyClients, type ReadOnlyClientOptions } from '../../lambdas/aws/read-only-clients';
import { AwsCallError } from '../../lambdas/aws/aws-call-error';
import { ReadOnlyViolationError } from '../../lambdas/aws/read-only-guard';
import type { Finding } from '../../lambdas/model/finding';
import { loadConfig } from '../config';
import { AccountMismatchError, livePlanEvent, MixedFindingsError } from './live-plan';
import { loadPlaybooks } from '../playbooks';
import { renderLivePlanJson, renderLivePlanText } from './render-live-plan';
import { reasonLines } from './simulate';

export const PLAN_USAGE = `  firebreak plan --live <event.json> [--config firebreak.config.json] [--stack-name Firebreak] [--account ID]
                [--profile <name>] [--region <finding's Region>] [--assume-role <role name>] [--json]
      Runs the responder's own event handling on a GuardDuty, Config or Security Hub event against the real
      current state of what the finding names, read with your AWS credentials (read-only calls only, enforced by
      a guard on every client), and prints the plan per step and the exact notification, as a dry run: nothing is
      written or sent. The credentials must be in the finding's account, or name a role there to assume with
      --assume-role (assumed with the ReadOnlyAccess session policy).`;

export interface CommandResult {
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

export interface LivePlanCommandOptions {
  /** Builds the error for wrong usage (the CLI's UsageError, which prints the usage). */
  readonly usage: (message: string) => Error;
  /** Added to every client built (tests put a fake transport here). */
  readonly onClient?: ReadOnlyClientOptions['onClient'];
  readonly now?: () => Date;
}

/** `firebreak plan --live`: parses the arguments, plans, and returns what to print. */
export async function livePlanCommand(args: string[], options: LivePlanCommandOptions): Promise<CommandResult> {
  const { values, event } = parsePlanArgs(args, options);
  // The default credential chain reads AWS_PROFILE: a profile is used exactly as the AWS CLI would use it.
  if (values.profile) process.env.AWS_PROFILE = values.profile;
  const playbooks = loadPlaybooks();
  const config = loadConfig(
    values.config,
    playbooks.map((playbook) => playbook.id),
  );
  let plan;
  try {
    plan = await livePlanEvent(event, {
      config,
      playbooks,
      stackName: values['stack-name'],
      ...(values.account ? { account: values.account } : {}),
      connect: connectWith(values, options),
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    return refusal(error);
  }
  if (plan.kind === 'ignored')
    return {
      code: 0,
      stdout: `Ignored: ${plan.reason}. No playbook runs, nothing was read and nothing would be sent.`,
    };
  if (plan.kind === 'unrouted') {
    return {
      code: 0,
      stdout: [
        'No playbook would receive this finding, so nothing was read and nothing would run or be sent:',
        ...reasonLines(plan.reasons),
      ].join('\n'),
    };
  }
  return { code: 0, stdout: values.json ? renderLivePlanJson(plan) : renderLivePlanText(plan) };
}

type PlanValues = ReturnType<typeof parsePlanArgs>['values'];

function parsePlanArgs(args: string[], options: LivePlanCommandOptions) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      live: { type: 'boolean', default: false },
      config: { type: 'string', default: 'firebreak.config.json' },
      'stack-name': { type: 'string', default: 'Firebreak' },
      account: { type: 'string' },
      profile: { type: 'string' },
      region: { type: 'string' },
      'assume-role': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.live)
    throw options.usage(
      'plan needs --live: it reads your AWS account (read-only). To plan offline with assumed state, use simulate',
    );
  const file = positionals[0];
  if (!file || positionals.length > 1) throw options.usage('plan --live takes exactly one event file');
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw options.usage(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const role = values['assume-role'];
  if (role !== undefined && !/^(arn:aws[a-z-]*:iam::\d{12}:role\/)?[\w+=,.@/-]{1,64}$/.test(role)) {
    throw options.usage(`--assume-role: expected a role name or role ARN, got ${JSON.stringify(role)}`);
  }
  return { values, event };
}

/** Read-only clients in the finding's Region: the user's credentials, or the role they named (read-only too). */
function connectWith(values: PlanValues, options: LivePlanCommandOptions) {
  const role = values['assume-role'];
  return async (finding: Finding) => {
    if (values.region && values.region !== finding.region) {
      throw options.usage(
        `--region: the finding is in ${finding.region}, where its resources are; got ${JSON.stringify(values.region)}`,
      );
    }
    const base = { region: finding.region, ...(options.onClient ? { onClient: options.onClient } : {}) };
    if (!role) return createReadOnlyClients(base);
    const roleArn = role.startsWith('arn:') ? role : `arn:${finding.partition}:iam::${finding.accountId}:role/${role}`;
    return assumeReadOnly({ ...base, roleArn, partition: finding.partition, sessionName: 'firebreak-live-plan' });
  };
}

/** The errors that mean "nothing was planned" (exit 2, said plainly); anything else is thrown. */
function refusal(error: unknown): CommandResult {
  if (
    error instanceof AccountMismatchError ||
    error instanceof ReadOnlyViolationError ||
    error instanceof MixedFindingsError
  )
    return { code: 2, stderr: error.message };
  // No credentials, or not allowed to read who they are: say so plainly; nothing was planned or written.
  if (error instanceof AwsCallError)
    return {
      code: 2,
      stderr:
        `${error.message}\nNothing was planned and nothing was changed. ` +
        'Check your credentials (--profile, AWS_PROFILE, aws sso login).',
    };
  throw error;
}
