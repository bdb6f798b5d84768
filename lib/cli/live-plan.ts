import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCall } from '../../lambdas/aws/aws-call-error';
import type { ReadOnlyClients } from '../../lambdas/aws/read-only-clients';
import { ReadOnlyViolationError } from '../../lambdas/aws/read-only-guard';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook, PlaybookMode } from '../../lambdas/model/playbook';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import type { Finding } from '../../lambdas/model/finding';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { buildNotification, type Notification } from '../../lambdas/notify/publish-outcome';
import { routeFinding, type RouteOptions } from './route-event';

export interface LivePlanOptions extends RouteOptions {
  /**
   * Read-only clients acting in the finding's account and Region (the user's own credentials, or a role the user
   * asked for). Called only once the finding is routed: an ignored or unrouted event needs no credentials.
   */
  readonly connect: (finding: Finding) => Promise<ReadOnlyClients>;
  readonly now?: () => Date;
}

export interface LivePlanRun {
  readonly playbook: Playbook;
  /** The mode the deployed responder runs in; the live plan itself always runs as a dry run. */
  readonly deployedMode: PlaybookMode;
  readonly outcome: Outcome;
  readonly notification: Notification;
}

export type LivePlan =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unrouted'; readonly reasons: readonly { readonly playbook: string; readonly reason: string }[] }
  | {
      readonly kind: 'planned';
      readonly caller: { readonly account: string; readonly arn: string };
      readonly runs: readonly LivePlanRun[];
      /** Every AWS call made, in order (`iam:GetUser`): all of them reads. */
      readonly reads: readonly string[];
    };

/** The credentials reach another account than the one the finding is about: reads there would plan the wrong thing. */
export class AccountMismatchError extends Error {
  override readonly name = 'AccountMismatchError';

  constructor(
    readonly findingAccount: string,
    readonly callerAccount: string,
    readonly callerArn: string,
  ) {
    super(
      `The finding is about account ${findingAccount}, but your credentials (${callerArn}) are in account ${callerAccount}: nothing was planned. Use credentials of account ${findingAccount} (--profile), or ask to assume a role there with --assume-role <role name>.`,
    );
  }
}

/**
 * The responder's parse, route, gate, resolve, describe and plan against the real current state, read with
 * read-only clients, always as a dry run and without a ledger: nothing is written, by two independent guards (the
 * dry-run mode, and the clients' read-only middleware). Throws FindingRejectedError for input the responder would
 * reject, AccountMismatchError when the credentials are in another account, and ReadOnlyViolationError if any code
 * path tried to write.
 */
export async function livePlanEvent(event: unknown, options: LivePlanOptions): Promise<LivePlan> {
  const parsed = parseEvent(event);
  if (parsed.kind === 'ignored') return { kind: 'ignored', reason: parsed.reason };
  const { finding } = parsed;
  const routing = routeFinding(event, finding, { ...options, withMemberRole: true });
  if (routing.kind === 'unrouted') return routing;

  const clients = await options.connect(finding);
  const identity = await awsCall('sts:GetCallerIdentity', 'your credentials', () =>
    clients.sts.send(new GetCallerIdentityCommand({})),
  );
  const caller = { account: identity.Account ?? '(unknown)', arn: identity.Arn ?? '(unknown)' };
  if (caller.account !== finding.accountId)
    throw new AccountMismatchError(finding.accountId, caller.account, caller.arn);

  const runs: LivePlanRun[] = [];
  for (const { playbook, settings } of routing.targets) {
    const receivedAt = options.now?.() ?? new Date();
    // Dry run whatever the playbook says: no write is attempted. No ledger and no client factory: the clients
    // already act in the finding's account.
    const outcome = await runPlaybook(finding, {
      settings: { ...settings, playbook: { ...playbook, mode: 'dry-run' } },
      clients,
      receivedAt,
      ...(options.now ? { now: options.now } : {}),
    });
    const [refused] = clients.refused;
    if (refused) {
      const [service, operation] = refused.split(':') as [string, string];
      throw new ReadOnlyViolationError(service, operation);
    }
    runs.push({ playbook, deployedMode: playbook.mode, outcome, notification: buildNotification(outcome) });
  }
  return { kind: 'planned', caller, runs, reads: [...clients.reads] };
}
