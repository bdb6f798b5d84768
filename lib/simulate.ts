import type { Outcome } from '../lambdas/engine/outcome';
import { configRuleMatches, type Playbook } from '../lambdas/engine/playbook';
import { runPlaybook } from '../lambdas/engine/run-playbook';
import { parseEvent } from '../lambdas/findings/parse-event';
import { buildNotification, type Notification } from '../lambdas/notify/publish-outcome';
import type { FirebreakConfig } from './config';
import { handledConfigRules, isConfigCatchAll } from './config-routing';
import { enabledPlaybooks } from './playbooks';
import { triggerMismatch } from './trigger-match';

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
  | { readonly kind: 'routed'; readonly runs: readonly { readonly playbook: Playbook; readonly outcome: Outcome; readonly notification: Notification }[] };

/**
 * The real parse, route, gate and plan on one event, with no AWS clients: state is assumed, nothing is read or
 * written. Throws FindingRejectedError for input the responder would reject.
 */
export async function simulateEvent(event: unknown, options: SimulateOptions): Promise<Simulation> {
  const parsed = parseEvent(event);
  if (parsed.kind === 'ignored') return { kind: 'ignored', reason: parsed.reason };
  const { finding } = parsed;
  const envelopeAccount = (event as { account?: unknown }).account;
  const homeAccountId = options.account ?? (typeof envelopeAccount === 'string' ? envelopeAccount : finding.accountId);
  const ownRoles = `arn:${finding.partition}:iam::${homeAccountId}:role/${options.stackName ?? 'Firebreak'}-*`;

  const candidates = enabledPlaybooks(options.playbooks, options.config);
  const handled = handledConfigRules(candidates);
  const mismatch = (playbook: Playbook): string | undefined => {
    const reason = triggerMismatch(playbook, finding);
    if (reason || !isConfigCatchAll(playbook) || !finding.config) return reason;
    const owner = handled.find((rule) => configRuleMatches(finding.config!.ruleName, rule));
    return owner ? `Config rule ${finding.config.ruleName} is handled by the playbook for ${owner}` : undefined;
  };
  const routed = candidates.filter((playbook) => mismatch(playbook) === undefined);
  if (routed.length === 0) {
    return { kind: 'unrouted', reasons: candidates.map((playbook) => ({ playbook: playbook.id, reason: mismatch(playbook) ?? '' })) };
  }
  const runs = [];
  for (const playbook of routed) {
    const settings = {
      playbook,
      protectedPrincipals: [...options.config.protectedPrincipals, ownRoles],
      exemptionTagKey: options.config.exemptionTagKey,
      homeAccountId,
      breaker: options.config.breaker,
      ledgerRetentionDays: options.config.ledgerRetentionDays,
      ...(isConfigCatchAll(playbook) ? { excludeConfigRules: handled } : {}),
    };
    const outcome = await runPlaybook(finding, { settings, receivedAt: options.now?.() ?? new Date(), ...(options.now ? { now: options.now } : {}) });
    runs.push({ playbook, outcome, notification: buildNotification(outcome) });
  }
  return { kind: 'routed', runs };
}
