import type { Playbook } from '../lambdas/model/playbook';

/** The Config rules the enabled playbooks name; a catch-all playbook (`configRules: ['*']`) leaves these to them. */
export function handledConfigRules(playbooks: readonly Playbook[]): string[] {
  return playbooks.flatMap((playbook) =>
    playbook.trigger.source === 'config' ? playbook.trigger.configRules.filter((rule) => rule !== '*') : [],
  );
}

export function isConfigCatchAll(playbook: Playbook): boolean {
  return playbook.trigger.source === 'config' && playbook.trigger.configRules.includes('*');
}
