import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook } from '../../lambdas/model/playbook';
import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { buildNotification, type Notification } from '../../lambdas/notify/publish-outcome';
import type { FirebreakConfig } from '../config';
import { routeFinding } from './route-event';

export interface SimulateOptions {
  readonly config: FirebreakConfig;
  /** Validated playbooks, before configuration overrides. */
  readonly playbooks: readonly Playbook[];
  /** The deployed stack's name: its responder roles are protected. Default `Firebreak`. */
  readonly stackName?: string;
  /** The account Firebreak runs in. Default: the envelope's account, where the event was delivered. */
  readonly account?: string;
  readonly now?: () => Date;
}

export type Simulation =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unrouted'; readonly reasons: readonly { readonly playbook: string; readonly reason: string }[] }
  | {
      readonly kind: 'routed';
      readonly runs: readonly {
        readonly playbook: Playbook;
        readonly outcome: Outcome;
        readonly notification: Notification;
      }[];
    };

/**
 * The real parse, route, gate and plan on one event, with no AWS clients: state is assumed, nothing is read or
 * written. Throws FindingRejectedError for input the responder would reject.
 */
export async function simulateEvent(event: unknown, options: SimulateOptions): Promise<Simulation> {
  const parsed = parseEvent(event);
  if (parsed.kind === 'ignored') return { kind: 'ignored', reason: parsed.reason };
  const { finding } = parsed;
  const routing = routeFinding(event, finding, options);
  if (routing.kind === 'unrouted') return routing;
  const runs = [];
  for (const { playbook, settings } of routing.targets) {
    const outcome = await runPlaybook(finding, {
      settings,
      receivedAt: options.now?.() ?? new Date(),
      ...(options.now ? { now: options.now } : {}),
    });
    runs.push({ playbook, outcome, notification: buildNotification(outcome) });
  }
  return { kind: 'routed', runs };
}
