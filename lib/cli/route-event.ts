import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { parseEvent } from '../../lambdas/findings/parse-event';
import {
  isSecurityHubEvent,
  parseSecurityHubEvent,
  type SecurityHubEvent,
} from '../../lambdas/findings/parse-securityhub-event';
import { triggerMismatch } from '../../lambdas/findings/trigger-match';
import type { Finding } from '../../lambdas/model/finding';
import { configRuleMatches, type Playbook } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { CONTAIN_ACTION_ID } from '../../lambdas/securityhub/custom-actions';
import type { FirebreakConfig } from '../config';
import { handledConfigRules, isConfigCatchAll } from '../config-routing';
import { securityHubPatternFor } from '../constructs/securityhub-pattern';
import { enabledPlaybooks } from '../playbooks';
import { responderSettings } from '../responder-settings-builder';

export interface RouteOptions {
  readonly config: FirebreakConfig;
  /** Validated playbooks, before configuration overrides. */
  readonly playbooks: readonly Playbook[];
  /** The deployed stack's name: its responder roles are protected. Default `Firebreak`. */
  readonly stackName?: string;
  /** The account Firebreak runs in. Default: the envelope's account, where the event was delivered. */
  readonly account?: string;
}

export interface RoutedTarget {
  readonly playbook: Playbook;
  /** What its responder runs with: the settings the stack writes into the function (lib/responder-settings-builder). */
  readonly settings: ResponderSettings;
}

type Reasons = readonly { readonly playbook: string; readonly reason: string }[];

export type Routing =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unrouted'; readonly reasons: Reasons }
  | {
      readonly kind: 'routed';
      readonly targets: readonly RoutedTarget[];
      /** The event's findings that some playbook takes (a Security Hub event carries several). */
      readonly findings: readonly Finding[];
    };

/**
 * The playbooks whose EventBridge rules would deliver this event, each with the settings its responder would run
 * with: the same decision the deployed rules and catch-all exclusions make. GuardDuty and Config events carry one
 * finding; a Security Hub event reaches a playbook when Security Hub is enabled and any of its findings is the
 * playbook's. Throws FindingRejectedError for input the responder would reject.
 */
export function routeEvent(event: unknown, options: RouteOptions): Routing {
  if (event !== null && typeof event === 'object' && 'firebreak' in event)
    return {
      kind: 'ignored',
      reason: 'a Firebreak command (approve, deny, sweep or drill) is not an event a rule delivers',
    };
  if (isSecurityHubEvent(event)) return routeSecurityHubEvent(event, parseSecurityHubEvent(event), options);
  const parsed = parseEvent(event);
  if (parsed.kind === 'ignored') return { kind: 'ignored', reason: parsed.reason };
  return routeFindings(event, [parsed.finding], options, () => undefined);
}

function routeSecurityHubEvent(event: unknown, parsed: SecurityHubEvent, options: RouteOptions): Routing {
  if (parsed.kind === 'ignored') return { kind: 'ignored', reason: parsed.reason };
  const findings = parsed.findings.flatMap(({ result }) => (result.kind === 'finding' ? [result.finding] : []));
  const rejected = parsed.findings.flatMap(({ result }) => (result.kind === 'rejected' ? result.problems : []));
  const passed = parsed.findings.flatMap(({ index, result }) =>
    result.kind === 'ignored' ? [`finding ${index}: ${result.reason}`] : [],
  );
  const declined = securityHubDeclined(parsed, options.config);
  const routing = routeFindings(event, findings, options, (playbook) =>
    securityHubPatternFor(playbook) ? declined : 'the playbook takes nothing Security Hub carries',
  );
  if (routing.kind === 'routed') return routing;
  if (rejected.length > 0) throw new FindingRejectedError(rejected);
  return {
    kind: 'unrouted',
    reasons: routing.reasons.map(({ playbook, reason }) => ({ playbook, reason: [reason, ...passed].join('; ') })),
  };
}

/** Why no responder rule takes this kind of Security Hub event, under this configuration. */
function securityHubDeclined(parsed: SecurityHubEvent, config: FirebreakConfig): string | undefined {
  const hub = config.securityHub;
  if (!hub?.enabled) return 'Security Hub is not enabled in the configuration (securityHub.enabled): no rule takes it';
  if (parsed.kind === 'imported')
    return hub.trigger ? undefined : 'securityHub.trigger is false: no rule takes imported findings';
  if (parsed.kind !== 'custom-action') return undefined;
  if (!hub.customActions) return 'securityHub.customActions is false: no rule takes custom actions';
  return parsed.actionTargetArn.endsWith(`/${CONTAIN_ACTION_ID}`)
    ? undefined
    : `custom action ${parsed.actionTargetArn} is not ${CONTAIN_ACTION_ID}: no responder's rule takes it`;
}

function routeFindings(
  event: unknown,
  findings: readonly Finding[],
  options: RouteOptions,
  eventMismatch: (playbook: Playbook) => string | undefined,
): Exclude<Routing, { kind: 'ignored' }> {
  const candidates = enabledPlaybooks(options.playbooks, options.config);
  const handled = handledConfigRules(candidates);
  const mismatch = (playbook: Playbook): string | undefined => {
    const declined = eventMismatch(playbook);
    if (declined) return declined;
    const reasons = findings.map((finding) => findingMismatch(playbook, finding, handled));
    if (reasons.length === 0) return 'no finding of the event starts a playbook';
    return reasons.some((reason) => reason === undefined) ? undefined : [...new Set(reasons)].join('; ');
  };
  const routed = candidates.filter((playbook) => mismatch(playbook) === undefined);
  if (routed.length === 0)
    return {
      kind: 'unrouted',
      reasons: candidates.map((playbook) => ({ playbook: playbook.id, reason: mismatch(playbook) ?? '' })),
    };
  const deployment = deploymentOf(event, findings[0]!, options);
  return {
    kind: 'routed',
    targets: routed.map((playbook) => ({
      playbook,
      settings: responderSettings(options.config, playbook, deployment, candidates),
    })),
    findings: findings.filter((finding) => routed.some((playbook) => !findingMismatch(playbook, finding, handled))),
  };
}

/** Why the playbook's rule would not deliver this finding: its trigger, or a catch-all's exclusions. */
function findingMismatch(playbook: Playbook, finding: Finding, handled: readonly string[]): string | undefined {
  const reason = triggerMismatch(playbook, finding);
  if (reason || !isConfigCatchAll(playbook) || !finding.config) return reason;
  const { ruleName, compliance } = finding.config;
  if (compliance !== 'NON_COMPLIANT')
    return `a catch-all playbook hears only NON_COMPLIANT evaluations; Config finds it ${compliance}`;
  const owner = handled.find((rule) => configRuleMatches(ruleName, rule));
  return owner ? `Config rule ${ruleName} is handled by the playbook for ${owner}` : undefined;
}

/** Where the stack runs: the account given, else the envelope's (where the event was delivered). */
function deploymentOf(event: unknown, finding: Finding, options: RouteOptions) {
  const envelopeAccount = (event as { account?: unknown }).account;
  const account = options.account ?? (typeof envelopeAccount === 'string' ? envelopeAccount : finding.accountId);
  return { account, partition: finding.partition, stackName: options.stackName ?? 'Firebreak' };
}
