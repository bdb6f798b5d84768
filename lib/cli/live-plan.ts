import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCall } from '../../lambdas/aws/aws-call-error';
import type { ReadOnlyClients } from '../../lambdas/aws/read-only-clients';
import { ReadOnlyViolationError } from '../../lambdas/aws/read-only-guard';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook, PlaybookMode } from '../../lambdas/model/playbook';
import type { Finding } from '../../lambdas/model/finding';
import type { Notification } from '../../lambdas/notify/publish-outcome';
import { routeEvent, type RouteOptions } from './route-event';
import { runResponder, runsOf, type ResponderRun } from './simulate';

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

/** One responder's whole dry run: what it would send, what it would not and why. */
export interface LivePlanResponder extends ResponderRun {
  readonly deployedMode: PlaybookMode;
}

export type LivePlan =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unrouted'; readonly reasons: readonly { readonly playbook: string; readonly reason: string }[] }
  | {
      readonly kind: 'planned';
      readonly caller: { readonly account: string; readonly arn: string };
      readonly runs: readonly LivePlanRun[];
      readonly responders: readonly LivePlanResponder[];
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
      `The finding is about account ${findingAccount}, but your credentials (${callerArn}) are in account ` +
        `${callerAccount}: nothing was planned. Use credentials of account ${findingAccount} (--profile), ` +
        'or ask to assume a role there with --assume-role <role name>.',
    );
  }
}

/** A Security Hub event's findings span accounts or Regions: one set of credentials cannot read them all. */
export class MixedFindingsError extends Error {
  override readonly name = 'MixedFindingsError';
}

/**
 * The responder's own handleEvent (parse, route, gate, resolve, describe, plan, and the message) against the real
 * current state, read with read-only clients, always as a dry run and without a ledger: nothing is written, by two
 * independent guards (the dry-run mode, and the clients' read-only middleware), and nothing is sent (the messages
 * are recorded). Throws FindingRejectedError for input the responder would reject, AccountMismatchError when the
 * credentials are in another account, and ReadOnlyViolationError if any code path tried to write.
 */
export async function livePlanEvent(event: unknown, options: LivePlanOptions): Promise<LivePlan> {
  const routing = routeEvent(event, options);
  if (routing.kind !== 'routed') return routing;
  const finding = oneAccountAndRegion(routing.findings);

  const clients = await options.connect(finding);
  const identity = await awsCall('sts:GetCallerIdentity', 'your credentials', () =>
    clients.sts.send(new GetCallerIdentityCommand({})),
  );
  const caller = { account: identity.Account ?? '(unknown)', arn: identity.Arn ?? '(unknown)' };
  if (caller.account !== finding.accountId)
    throw new AccountMismatchError(finding.accountId, caller.account, caller.arn);

  const responders: LivePlanResponder[] = [];
  for (const { playbook, settings } of routing.targets) {
    // Dry run whatever the playbook says: no write is attempted. No ledger and no client factory: the clients
    // already act in the finding's account.
    const dryRun = { ...settings, playbook: { ...playbook, mode: 'dry-run' as const } };
    const run = await runResponder(
      event,
      { playbook, settings: dryRun },
      { clients, chat: options.config.chat.enabled, now: options.now },
    );
    const [refused] = clients.refused;
    if (refused) {
      const [service, operation] = refused.split(':') as [string, string];
      throw new ReadOnlyViolationError(service, operation);
    }
    responders.push({ ...run, deployedMode: playbook.mode });
  }
  const runs = runsOf(responders).map((run) => ({ ...run, deployedMode: run.playbook.mode }));
  return { kind: 'planned', caller, runs, responders, reads: [...clients.reads] };
}

function oneAccountAndRegion(findings: readonly Finding[]): Finding {
  const first = findings[0]!;
  const other = findings.find((finding) => finding.accountId !== first.accountId || finding.region !== first.region);
  if (other)
    throw new MixedFindingsError(
      `The event's findings are in ${first.accountId} ${first.region} and ${other.accountId} ${other.region}: ` +
        'plan --live reads one account and Region with one set of credentials; plan each finding in its own event.',
    );
  return first;
}
