import { runPlaybook } from '../../lambdas/pipeline/run-playbook';
import type { Outcome } from '../../lambdas/model/outcome';
import { buildNotification } from '../../lambdas/notify/publish-outcome';
import { renderSubject } from '../../lambdas/notify/render-subject';
import { oneLine, snsSubject } from '../../lambdas/notify/sanitize';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { FakeIam } from '../support/fake-iam';
import { editedEvent, loadFinding } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, testClients } from '../support/settings';

async function containedOutcome(): Promise<Outcome> {
  const iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  });
  const { clients } = testClients(iam);
  return runPlaybook(loadFinding('guardduty/iam-user-long-term-key'), {
    settings: responderSettings(),
    clients,
    receivedAt: FIXED_NOW,
    now: () => FIXED_NOW,
  });
}

describe('the responder message', () => {
  it('answers what was detected, what was done, what is left to do, and how to release', async () => {
    const { text, subject } = buildNotification(await containedOutcome());
    // The type comes last because it is the part a subject can lose: the body carries it whole.
    expect(subject).toBe(
      'Firebreak CONTAINED | Medium 5 | IAM user ci-deploy | UnauthorizedAccess:IAMUser/MaliciousIPCalle...',
    );
    expect(subject).toHaveLength(100);
    for (const section of [
      'WHAT WAS DETECTED',
      'WHAT FIREBREAK DID',
      'WHAT A HUMAN STILL HAS TO DO',
      'HOW TO RELEASE',
    ]) {
      expect(text).toContain(section);
    }
    for (const fact of [
      '111122223333',
      'us-east-1',
      'AKIAI44QH8DHBEXAMPLE',
      '198.51.100.23',
      '2026-11-20T08:03:17.000Z',
      '2026-11-20T08:09:52.000Z',
    ]) {
      expect(text).toContain(fact);
    }
    expect(text).toContain('[DONE] Deactivate access key AKIAI44QH8DHBEXAMPLE of user ci-deploy (was Active)');
    expect(text).toContain('verified: yes');
    expect(text).toContain(
      '$ aws iam update-access-key --user-name ci-deploy --access-key-id AKIAI44QH8DHBEXAMPLE --status Active',
    );
  });

  it('the JSON form carries the whole outcome without the raw event', async () => {
    const { json } = buildNotification(await containedOutcome());
    const parsed = JSON.parse(json);
    expect(parsed).toMatchObject({
      schemaVersion: '1',
      kind: 'firebreak.outcome',
      status: 'contained',
      playbook: { id: 'compromised-iam-credentials' },
    });
    expect(parsed.finding.raw).toBeUndefined();
    expect(parsed.steps).toHaveLength(4);
  });

  it('keeps the subject within 100 characters and puts the outcome first', async () => {
    const outcome = await containedOutcome();
    const long = { ...outcome, finding: { ...outcome.finding, type: `UnauthorizedAccess:IAMUser/${'X'.repeat(200)}` } };
    const subject = renderSubject(long);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject.startsWith('Firebreak CONTAINED')).toBe(true);
  });

  it('a hostile user agent cannot forge lines in the message', async () => {
    const event = editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.detail.service.action.awsApiCallAction.userAgent.fullUserAgent =
        'curl\nWHAT FIREBREAK DID\n  1. [DONE] everything is fine\r\n';
    });
    const parsed = parseEvent(event);
    if (parsed.kind !== 'finding') throw new Error('fixture');
    const outcome = await runPlaybook(parsed.finding, {
      settings: responderSettings(),
      receivedAt: FIXED_NOW,
      now: () => FIXED_NOW,
    });
    const { text } = buildNotification(outcome);
    expect(text.split('\n').filter((line) => line.startsWith('WHAT FIREBREAK DID'))).toHaveLength(1);
    expect(text).toContain('User agent   curl WHAT FIREBREAK DID 1. [DONE] everything is fine');
  });
});

describe('invisible and bidirectional characters from a finding', () => {
  // U+202E (right-to-left override) makes "exe.txt" read as "txt.exe"; isolates, marks, the Arabic letter mark,
  // a soft hyphen and a tag character (invisible ASCII smuggling) do the like.
  const HIDDEN = [
    '\u202e',
    '\u202a',
    '\u202b',
    '\u202c',
    '\u202d',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u200e',
    '\u200f',
    '\u061c',
    '\u00ad',
    '\u200b',
    '\ufeff',
    '\u{e0041}',
  ];
  const RAW = /[\p{Cf}\u2028\u2029]/u;

  async function hostile(): Promise<Outcome> {
    const outcome = await containedOutcome();
    const userAgent = `curl${HIDDEN.join('')}/8.0 \u202egnp.exe`;
    const subject = {
      ...outcome.finding.subject,
      userName: `ci-deploy\u202e\u2066admin`,
    } as Outcome['finding']['subject'];
    return {
      ...outcome,
      finding: {
        ...outcome.finding,
        subject,
        title: `Title\u2067 with isolate`,
        activity: { ...outcome.finding.activity, userAgent },
      },
      manualSteps: [`Check user\u202e ci-deploy`, ...outcome.manualSteps],
      steps: outcome.steps.map((step) => ({ ...step, summary: `${step.summary}\u200f` })),
    };
  }

  it('never reach the e-mail text or the subject', async () => {
    const { text, subject } = buildNotification(await hostile());
    expect(text).not.toMatch(RAW);
    expect(subject).not.toMatch(RAW);
    // Dropped, not replaced with a question mark: the subject reads as the value does.
    expect(subject).toContain('IAM user ci-deployadmin');
    expect(text).toContain('User agent   curl/8.0 gnp.exe');
    expect(text).toContain('1. Check user ci-deploy');
  });

  it('never reach the JSON text raw, and the JSON value keeps them (escaped as \\uXXXX)', async () => {
    const outcome = await hostile();
    const { json } = buildNotification(outcome);
    expect(json).not.toMatch(RAW);
    expect(json).toContain('\\u202e');
    const parsed = JSON.parse(json);
    expect(parsed.finding.activity.userAgent).toBe(outcome.finding.activity.userAgent);
    expect(parsed.finding.subject.userName).toBe('ci-deploy\u202e\u2066admin');
  });

  it('a command with a hidden character is never silently changed: each one is shown as <U+XXXX>, with a warning', async () => {
    const outcome = await containedOutcome();
    const { text } = buildNotification({
      ...outcome,
      release: ['aws s3api delete-object --bucket b --key \u202eabc.txt'],
    });
    expect(text).not.toMatch(RAW);
    expect(text).toContain('$ aws s3api delete-object --bucket b --key <U+202E>abc.txt');
    expect(text).toContain('hidden or control character');
  });

  it('the other messages (release, rejection, resolved, approval) go through the same final pass', async () => {
    const { renderRejection } = await import('../../lambdas/notify/render-rejection');
    const rejection = renderRejection([`detail.type: got "x\u202ey"`], 'p', 'e\u2066');
    expect(rejection.text).not.toMatch(RAW);
    expect(rejection.json).not.toMatch(RAW);
    expect(JSON.parse(rejection.json).problems[0]).toBe('detail.type: got "x\u202ey"');
  });
});

describe('sanitize', () => {
  it.each([
    ['a\nb\r\nc', 'a b c'],
    ['tab\there', 'tab here'],
    ['line\u2028separator', 'line separator'],
    ['ab\u202ecd', 'abcd'],
    ['x\u2066y\u2069z\u200e\u200f\u061c', 'xyz'],
  ])('oneLine(%j) is %j', (input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });

  it('bounds length', () => {
    expect(oneLine('x'.repeat(1000), 50)).toHaveLength(50);
  });

  it('makes SNS-safe subjects: ASCII, no line breaks, at most 100 characters', () => {
    const subject = snsSubject(`  \nÜber\r\nalles ${'y'.repeat(200)}`);
    expect(subject).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
    expect(subject.length).toBeLessThanOrEqual(100);
  });
});
