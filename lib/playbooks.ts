import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PlaybookInvalidError, approvalProblems, type Playbook } from '../lambdas/model/playbook';
import { parsePlaybook } from './parse-playbook';
import { ConfigInvalidError, type FirebreakConfig } from './config';

export const DEFAULT_PLAYBOOK_DIR = join(__dirname, '..', 'playbooks');

/** Reads and validates every `*.yaml` in the folder; an invalid file fails the synth with the file, field and value. */
export function loadPlaybooks(dir = DEFAULT_PLAYBOOK_DIR): Playbook[] {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') || name.endsWith('.yml'))
    .sort();
  const playbooks = files.map((name) => {
    const path = join(dir, name);
    let input: unknown;
    try {
      input = parseYaml(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new PlaybookInvalidError(path, [`not valid YAML: ${(error as Error).message}`]);
    }
    const playbook = parsePlaybook(input, path);
    const expectedName = name.replace(/\.ya?ml$/, '');
    if (playbook.id !== expectedName) {
      throw new PlaybookInvalidError(path, [
        `id: expected the file name without extension ("${expectedName}"), got "${playbook.id}"`,
      ]);
    }
    return playbook;
  });
  return playbooks;
}

/** The playbook as deployed: configuration overrides applied. */
export function effectivePlaybook(playbook: Playbook, config: FirebreakConfig): Playbook {
  const override = config.playbooks[playbook.id] ?? {};
  const mode = override.mode ?? playbook.mode;
  // The approval settings follow the mode: an override's win, the file's apply only while the mode stays approve.
  const approval = mode === 'approve' ? (override.approval ?? playbook.approval) : undefined;
  const problems = [
    ...approvalProblems(mode, approval, `playbooks.${playbook.id}.`),
    ...(override.approval && mode !== 'approve'
      ? approvalProblems(mode, override.approval, `playbooks.${playbook.id}.`)
      : []),
  ];
  if (problems.length > 0) throw new ConfigInvalidError('configuration', problems);
  const { approval: _fileApproval, ...rest } = playbook;
  const moded = { ...rest, mode, ...(approval ? { approval } : {}) };
  if (moded.trigger.source !== 'guardduty') return moded;
  const minimumSeverity =
    override.minimumSeverity ?? Math.max(config.minimumSeverity ?? 1, moded.trigger.minimumSeverity);
  return { ...moded, trigger: { ...moded.trigger, minimumSeverity } };
}

export function enabledPlaybooks(playbooks: readonly Playbook[], config: FirebreakConfig): Playbook[] {
  return playbooks
    .filter((playbook) => config.playbooks[playbook.id]?.enabled !== false)
    .map((playbook) => effectivePlaybook(playbook, config));
}
