import { configRuleMatches, type Playbook } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import type { Finding } from '../../lambdas/model/finding';
import type { FirebreakConfig } from '../config';
import { handledConfigRules, isConfigCatchAll } from '../config-routing';
import { enabledPlaybooks } from '../playbooks';
import { triggerMismatch } from '../../lambdas/findings/trigger-match';

export interface RouteOptions {
  readonly config: FirebreakConfig;
  /** Validated playbooks, before configuration overrides. */
  readonly playbooks: readonly Playbook[];
  /** The deployed stack's name: its responder roles are protected. Default `Firebreak`. */
  readonly stackName?: string;
  /** The account Firebreak runs in. Default: the envelope's account, where the event was delivered. */
  readonly account?: string;
  /** Include the organization's member role in the settings, as the deployed responders have it. Default false. */
  readonly withMemberRole?: boolean;
}

export type Routing =
  | { readonly kind: 'unrouted'; readonly reasons: readonly { readonly playbook: string; readonly reason: string }[] }
  | {
      readonly kind: 'routed';
      readonly targets: readonly { readonly playbook: Playbook; readonly settings: ResponderSettings }[];
    };

/**
 * The playbooks whose EventBridge rule would deliver this finding, each with the settings its responder would run
 * with. Pure: the same decision the deployed rules and catch-all exclusions make.
 */
export function routeFinding(event: unknown, finding: Finding, options: RouteOptions): Routing {
  const envelopeAccount = (event as { account?: unknown }).account;
  const homeAccountId = options.account ?? (typeof envelopeAccount === 'string' ? envelopeAccount : finding.accountId);
  const ownRoles = `arn:${finding.partition}:iam::${homeAccountId}:role/${options.stackName ?? 'Firebreak'}-*`;
  const { organization } = options.config;
  const memberRoles =
    options.withMemberRole && organization
      ? [`arn:${finding.partition}:iam::*:role/${organization.memberRoleName}`]
      : [];

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
    return {
      kind: 'unrouted',
      reasons: candidates.map((playbook) => ({ playbook: playbook.id, reason: mismatch(playbook) ?? '' })),
    };
  }
  return {
    kind: 'routed',
    targets: routed.map((playbook) => ({
      playbook,
      settings: {
        playbook,
        protectedPrincipals: [...options.config.protectedPrincipals, ownRoles, ...memberRoles],
        exemptionTagKey: options.config.exemptionTagKey,
        homeAccountId,
        breaker: options.config.breaker,
        ledgerRetentionDays: options.config.ledgerRetentionDays,
        ...(options.withMemberRole && organization ? { memberRoleName: organization.memberRoleName } : {}),
        ...(isConfigCatchAll(playbook) ? { excludeConfigRules: handled } : {}),
      },
    })),
  };
}
