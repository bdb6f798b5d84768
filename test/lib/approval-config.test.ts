import { PlaybookInvalidError } from '../../lambdas/model/playbook';
import { parsePlaybook } from '../../lib/parse-playbook';
import { ConfigInvalidError, parseConfig } from '../../lib/config';
import { enabledPlaybooks, loadPlaybooks } from '../../lib/playbooks';
import { iamPlaybook } from '../support/settings';

const playbooks = loadPlaybooks();
const IAM = 'compromised-iam-credentials';
const ids = playbooks.map((playbook) => playbook.id);

function playbookProblems(input: unknown): string[] {
  try {
    parsePlaybook(input, 'playbooks/test.yaml');
    return [];
  } catch (error) {
    if (!(error instanceof PlaybookInvalidError)) throw error;
    return [...error.problems];
  }
}

function configProblems(overrides: Record<string, unknown>): string[] {
  try {
    enabledPlaybooks(playbooks, parseConfig({ playbooks: { [IAM]: overrides } }, 'firebreak.config.json', ids));
    return [];
  } catch (error) {
    if (!(error instanceof ConfigInvalidError)) throw error;
    return [...error.problems];
  }
}

describe('approval mode in a playbook file', () => {
  const base = iamPlaybook();

  it('accepts mode approve with its approval settings', () => {
    const playbook = parsePlaybook(
      { ...base, mode: 'approve', approval: { timeoutMinutes: 1440, onTimeout: 'contain' } },
      'x',
    );
    expect(playbook).toMatchObject({ mode: 'approve', approval: { timeoutMinutes: 1440, onTimeout: 'contain' } });
  });

  it.each([
    [
      { mode: 'approve' },
      'approval: required when mode is "approve" ({ timeoutMinutes: 1-1440, onTimeout: "contain" or "drop" }), got nothing',
    ],
    [
      { mode: 'enforce', approval: { timeoutMinutes: 5, onTimeout: 'drop' } },
      'approval: only allowed when mode is "approve", got {"timeoutMinutes":5,"onTimeout":"drop"} with mode "enforce"',
    ],
    [
      { mode: 'approve', approval: { timeoutMinutes: 0, onTimeout: 'drop' } },
      'approval.timeoutMinutes: expected a whole number of minutes from 1 to 1440, got 0',
    ],
    [
      { mode: 'approve', approval: { timeoutMinutes: 1441, onTimeout: 'drop' } },
      'approval.timeoutMinutes: expected a whole number of minutes from 1 to 1440, got 1441',
    ],
    [
      { mode: 'approve', approval: { timeoutMinutes: 2.5, onTimeout: 'drop' } },
      'approval.timeoutMinutes: expected a whole number of minutes from 1 to 1440, got 2.5',
    ],
    [
      { mode: 'approve', approval: { timeoutMinutes: 5, onTimeout: 'later' } },
      'approval.onTimeout: expected "contain" or "drop", got "later"',
    ],
    [{ mode: 'ask' }, 'mode: expected "enforce", "dry-run" or "approve", got "ask"'],
  ])('rejects %j naming the field and the value', (change, problem) => {
    const { approval: _none, ...withoutApproval } = base;
    expect(playbookProblems({ ...withoutApproval, ...change })).toContain(problem);
  });
});

describe('approval mode in firebreak.config.json', () => {
  it('a playbook can be switched to approve with its settings', () => {
    const config = parseConfig(
      { playbooks: { [IAM]: { mode: 'approve', approval: { timeoutMinutes: 15, onTimeout: 'contain' } } } },
      'firebreak.config.json',
      ids,
    );
    expect(enabledPlaybooks(playbooks, config).find((playbook) => playbook.id === IAM)).toMatchObject({
      mode: 'approve',
      approval: { timeoutMinutes: 15, onTimeout: 'contain' },
    });
  });

  it('approve without approval settings, or approval settings without approve, fail with the key and value', () => {
    expect(configProblems({ mode: 'approve' })).toEqual([
      `playbooks.${IAM}.approval: required when mode is "approve" ({ timeoutMinutes: 1-1440, onTimeout: "contain" or "drop" }), got nothing`,
    ]);
    expect(configProblems({ mode: 'dry-run', approval: { timeoutMinutes: 5, onTimeout: 'drop' } })).toEqual([
      `playbooks.${IAM}.approval: only allowed when mode is "approve", got {"timeoutMinutes":5,"onTimeout":"drop"} with mode "dry-run"`,
    ]);
    expect(configProblems({ mode: 'approve', approval: { timeoutMinutes: 5, onTimeout: 'never' } })).toEqual([
      `playbooks.${IAM}.approval.onTimeout: expected "contain" or "drop", got "never"`,
    ]);
    expect(configProblems({ mode: 'maybe' })).toEqual([
      `playbooks.${IAM}.mode: expected "enforce", "dry-run" or "approve", got "maybe"`,
    ]);
  });
});
