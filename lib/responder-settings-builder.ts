import type { Playbook } from '../lambdas/model/playbook';
import type { ResponderSettings } from '../lambdas/pipeline/responder-settings';
import type { FirebreakConfig } from './config';
import { handledConfigRules, isConfigCatchAll } from './config-routing';
import { enabledPlaybooks } from './playbooks';

/** Where the stack is deployed (CDK tokens in the stack, known values in `simulate` and `plan --live`). */
export interface Deployment {
  readonly account: string;
  readonly partition: string;
  /** The stack's name: every role of the stack (`<stackName>-*`) is protected. */
  readonly stackName: string;
}

/** Principals Firebreak never changes, whatever a finding says: the configured ones and Firebreak's own roles. */
export function protectedPrincipalsOf(config: FirebreakConfig, deployment: Deployment): string[] {
  const { partition, account, stackName } = deployment;
  const { organization } = config;
  return [
    ...config.protectedPrincipals,
    `arn:${partition}:iam::${account}:role/${stackName}-*`,
    // Firebreak's own role in every member account.
    ...(organization ? [`arn:${partition}:iam::*:role/${organization.memberRoleName}`] : []),
  ];
}

/** The Security Hub updates a responder makes after its message; undefined while the integration is off. */
export function securityHubUpdatesOf(config: FirebreakConfig): ResponderSettings['securityHub'] {
  const hub = config.securityHub;
  if (!hub?.enabled) return undefined;
  return { updateFindings: hub.updateFindings, updateNativeFindings: hub.updateNativeFindings };
}

/** The pieces of one responder's settings; the optional ones are left out of the settings when they say nothing. */
export interface SettingsParts {
  readonly playbook: Playbook;
  readonly protectedPrincipals: readonly string[];
  readonly exemptionTagKey: string;
  readonly homeAccountId: string;
  readonly breaker: ResponderSettings['breaker'];
  readonly ledgerRetentionDays: number;
  readonly memberRoleName?: string | undefined;
  readonly excludeConfigRules?: readonly string[] | undefined;
  readonly securityHub?: ResponderSettings['securityHub'];
}

/** The one shape of a responder's settings, as the function reads them (lambdas/pipeline/responder-settings.ts). */
export function assembleSettings(parts: SettingsParts): ResponderSettings {
  return {
    playbook: parts.playbook,
    protectedPrincipals: [...parts.protectedPrincipals],
    exemptionTagKey: parts.exemptionTagKey,
    homeAccountId: parts.homeAccountId,
    breaker: parts.breaker,
    ledgerRetentionDays: parts.ledgerRetentionDays,
    ...(parts.memberRoleName ? { memberRoleName: parts.memberRoleName } : {}),
    ...(parts.excludeConfigRules && parts.excludeConfigRules.length > 0
      ? { excludeConfigRules: [...parts.excludeConfigRules] }
      : {}),
    ...(parts.securityHub
      ? {
          securityHub: {
            updateFindings: parts.securityHub.updateFindings,
            updateNativeFindings: parts.securityHub.updateNativeFindings,
          },
        }
      : {}),
  };
}

/**
 * The settings one playbook's responder runs with, from the validated configuration. `enabled` are the enabled
 * playbooks (overrides applied): a catch-all Config playbook leaves the rules they name to them.
 */
export function responderSettings(
  config: FirebreakConfig,
  playbook: Playbook,
  deployment: Deployment,
  enabled: readonly Playbook[],
): ResponderSettings {
  return assembleSettings({
    playbook,
    protectedPrincipals: protectedPrincipalsOf(config, deployment),
    exemptionTagKey: config.exemptionTagKey,
    homeAccountId: deployment.account,
    breaker: config.breaker,
    ledgerRetentionDays: config.ledgerRetentionDays,
    memberRoleName: config.organization?.memberRoleName,
    excludeConfigRules: isConfigCatchAll(playbook) ? handledConfigRules(enabled) : undefined,
    securityHub: securityHubUpdatesOf(config),
  });
}

/** Every enabled playbook (overrides applied) with its responder's settings: what the stack deploys. */
export function responderSettingsFor(
  config: FirebreakConfig,
  playbooks: readonly Playbook[],
  deployment: Deployment,
): { readonly playbook: Playbook; readonly settings: ResponderSettings }[] {
  const enabled = enabledPlaybooks(playbooks, config);
  return enabled.map((playbook) => ({ playbook, settings: responderSettings(config, playbook, deployment, enabled) }));
}
