import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigInvalidError, loadConfig, parseConfig } from '../../lib/config';

const KNOWN = ['compromised-iam-credentials'];

function problemsOf(input: unknown): string[] {
  try {
    parseConfig(input, 'firebreak.config.json', KNOWN);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalidError);
    return [...(error as ConfigInvalidError).problems];
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('the shipped firebreak.config.json is valid', () => {
    const config = loadConfig(join(__dirname, '..', '..', 'firebreak.config.json'), KNOWN);
    expect(config.notificationEmails.length).toBeGreaterThan(0);
  });

  it('fills documented defaults', () => {
    expect(parseConfig({}, 'x', KNOWN)).toEqual({
      notificationEmails: [],
      alarms: { emails: [], httpsEndpoints: [] },
      protectedPrincipals: [],
      exemptionTagKey: 'firebreak:exempt',
      playbooks: {},
      reservedConcurrency: 5,
      logRetentionDays: 365,
      breaker: { maxPerAccountPerHour: 10, maxPerPlaybookPerHour: 25 },
      ledgerRetentionDays: 400,
      chat: { enabled: false },
      releaseExemptionHours: 24,
    });
  });

  it.each([
    [{ notificationEmails: ['not-an-email'] }, 'notificationEmails[0]: expected an e-mail address, got "not-an-email"'],
    [
      { protectedPrincipals: ['role/Admin'] },
      'protectedPrincipals[0]: expected an ARN pattern such as arn:aws:iam::*:role/BreakGlass*, got "role/Admin"',
    ],
    [{ minimumSeverity: 11 }, 'minimumSeverity: expected a number from 1 to 10, got 11'],
    [{ minimumSeverity: 'high' }, 'minimumSeverity: expected a number from 1 to 10, got "high"'],
    [
      { playbooks: { 'compromised-iam-credentials': { mode: 'on' } } },
      'playbooks.compromised-iam-credentials.mode: expected "enforce", "dry-run" or "approve", got "on"',
    ],
    [
      { playbooks: { 'no-such-playbook': { mode: 'enforce' } } },
      'playbooks.no-such-playbook: expected one of the playbooks in playbooks/ (compromised-iam-credentials), got "no-such-playbook"',
    ],
    [{ reservedConcurrency: 0 }, 'reservedConcurrency: expected a whole number from 1 to 100, got 0'],
    [{ logRetentionDays: 10 }, 'logRetentionDays: expected one of 1, 3, 5, 7, 14'],
    [{ notificationEmail: 'typo@example.com' }, 'Unrecognized key: "notificationEmail"'],
    [{ alarms: { emails: ['pager'] } }, 'alarms.emails[0]: expected an e-mail address, got "pager"'],
    [
      { alarms: { httpsEndpoints: ['http://pager.example.com/hook'] } },
      'alarms.httpsEndpoints[0]: expected an https:// URL, got "http://pager.example.com/hook"',
    ],
  ])('rejects %j naming the key, the value and what is allowed', (input, problem) => {
    expect(problemsOf(input).join('\n')).toContain(problem);
  });

  it('a file that is not JSON names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-config-'));
    const path = join(dir, 'firebreak.config.json');
    writeFileSync(path, '{ "notificationEmails": [ }');
    expect(() => loadConfig(path, KNOWN)).toThrow(`Configuration ${path} is invalid`);
  });

  it('a missing file names the file', () => {
    expect(() => loadConfig('/nonexistent/firebreak.config.json', KNOWN)).toThrow('/nonexistent/firebreak.config.json');
  });
});
