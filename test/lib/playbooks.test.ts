import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLAYBOOK_DIR, effectivePlaybook, loadPlaybooks } from '../../lib/playbooks';
import { parseConfig } from '../../lib/config';

const SHIPPED = readFileSync(join(DEFAULT_PLAYBOOK_DIR, 'compromised-iam-credentials.yaml'), 'utf8');

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-playbooks-'));
  writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadPlaybooks', () => {
  it('an invalid field fails with the file, the field and the value', () => {
    const dir = dirWith('compromised-iam-credentials.yaml', SHIPPED.replace('mode: enforce', 'mode: yolo'));
    expect(() => loadPlaybooks(dir)).toThrow(
      /compromised-iam-credentials\.yaml is invalid:\n {2}- mode: expected "enforce", "dry-run" or "approve", got "yolo"/,
    );
  });

  it('a YAML syntax error names the file', () => {
    const dir = dirWith('broken.yaml', 'id: [unclosed');
    expect(() => loadPlaybooks(dir)).toThrow(/broken\.yaml is invalid:\n {2}- not valid YAML/);
  });

  it('the id must match the file name', () => {
    const dir = dirWith('other-name.yaml', SHIPPED);
    expect(() => loadPlaybooks(dir)).toThrow(
      'id: expected the file name without extension ("other-name"), got "compromised-iam-credentials"',
    );
  });
});

describe('effectivePlaybook', () => {
  const playbook = loadPlaybooks().find((candidate) => candidate.id === 'compromised-iam-credentials');
  const known = ['compromised-iam-credentials', 'compromised-ec2-instance'];

  it.each([
    [{}, 5, 'enforce'],
    [{ minimumSeverity: 7 }, 7, 'enforce'],
    [{ minimumSeverity: 2 }, 5, 'enforce'],
    [
      { minimumSeverity: 7, playbooks: { 'compromised-iam-credentials': { minimumSeverity: 3, mode: 'dry-run' } } },
      3,
      'dry-run',
    ],
  ])('config %j gives minimum severity %d, mode %s', (input, severity, mode) => {
    const effective = effectivePlaybook(playbook!, parseConfig(input, 'x', known));
    expect(effective.trigger.source === 'guardduty' && effective.trigger.minimumSeverity).toBe(severity);
    expect(effective.mode).toBe(mode);
  });
});
