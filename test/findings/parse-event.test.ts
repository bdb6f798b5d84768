import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { parseEvent } from '../../lambdas/findings/parse-event';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import { editedEvent, loadEvent, loadFinding } from '../support/fixtures';

describe('parseEvent: GuardDuty findings', () => {
  it.each([
    [
      'guardduty/iam-user-long-term-key',
      { kind: 'iam-user', userName: 'ci-deploy', accessKeyId: 'AKIAI44QH8DHBEXAMPLE', credential: 'long-term' },
    ],
    [
      'guardduty/iam-user-session-token',
      { kind: 'iam-user', userName: 'alice', accessKeyId: 'ASIAXJ4Z5EXAMPLE7Q2M', credential: 'temporary' },
    ],
    [
      'guardduty/assumed-role-session',
      {
        kind: 'assumed-role',
        roleName: 'app-server-role',
        roleId: 'AROAR2EXAMPLEJ5VW8PTQ',
        sessionName: 'i-0abc123def4567890',
      },
    ],
    [
      'guardduty/assumed-role-identity-center',
      {
        kind: 'assumed-role',
        roleName: 'AWSReservedSSO_AdministratorAccess_3f2a1b4c5d6e7f80',
        sessionName: 'jane.doe@example.com',
      },
    ],
    ['guardduty/root', { kind: 'root', principalId: '111122223333' }],
    ['guardduty/federated-user', { kind: 'federated-user', userName: 'bob', principalId: '111122223333:bob' }],
    ['guardduty/ec2-instance', { kind: 'ec2-instance', instanceId: 'i-0abc123def4567890', resourceRole: 'ACTOR' }],
  ])('%s routes to the right subject', (fixture, subject) => {
    expect(loadFinding(fixture).subject).toMatchObject(subject);
  });

  it('reads the fields the responder needs', () => {
    const finding = loadFinding('guardduty/iam-user-long-term-key');
    expect(finding).toMatchObject({
      id: '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
      source: 'guardduty',
      type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      severity: 5,
      severityLabel: 'Medium',
      accountId: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      firstSeen: '2026-11-20T08:03:17.000Z',
      lastSeen: '2026-11-20T08:09:52.000Z',
      count: 3,
      sample: false,
      resourceType: 'AccessKey',
      eventId: '3f6c1a2b-8d4e-4f7a-9b0c-5e2d1a7c8f31',
    });
    expect(finding.activity).toMatchObject({
      api: 'ListBuckets',
      serviceName: 's3.amazonaws.com',
      sourceIp: '198.51.100.23',
    });
  });

  it.each([
    [
      'a string',
      (e: Record<string, any>) => (e.detail.service.action.awsApiCallAction.userAgent = 'aws-cli/2.0'),
      'aws-cli/2.0',
    ],
    [
      'additionalInfo.userAgent',
      (e: Record<string, any>) => {
        delete e.detail.service.action.awsApiCallAction.userAgent;
        e.detail.service.additionalInfo = { userAgent: { fullUserAgent: 'Boto3/1.34', userAgentCategory: 'SDK' } };
      },
      'Boto3/1.34',
    ],
    [
      'a number (ignored, not a rejection)',
      (e: Record<string, any>) => (e.detail.service.action.awsApiCallAction.userAgent = 42),
      undefined,
    ],
  ])('reads the user agent from %s', (_name, edit, expected) => {
    const parsed = parseEvent(editedEvent('guardduty/iam-user-long-term-key', edit));
    expect(parsed.kind === 'finding' && parsed.finding.activity.userAgent).toBe(expected);
  });

  it('takes the member account from detail.accountId, not the envelope', () => {
    const event = loadEvent('guardduty/other-account');
    expect(event.account).toBe('111122223333');
    expect(loadFinding('guardduty/other-account').accountId).toBe('444455556666');
  });

  it.each([
    [1, 'Low'],
    [3.9, 'Low'],
    [4, 'Medium'],
    [6.9, 'Medium'],
    [7, 'High'],
    [8.9, 'High'],
    [9, 'Critical'],
    [10, 'Critical'],
  ])('severity %d is %s', (severity, label) => {
    const parsed = parseEvent(
      editedEvent('guardduty/iam-user-long-term-key', (event) => (event.detail.severity = severity)),
    );
    expect(parsed.kind === 'finding' && parsed.finding.severityLabel).toBe(label);
  });

  it.each(['guardduty/sample-iam-user', 'guardduty/sample-value-string'])('%s is recognised as a sample', (fixture) => {
    expect(loadFinding(fixture).sample).toBe(true);
  });

  it('treats a [SAMPLE] title as a sample', () => {
    const parsed = parseEvent(
      editedEvent('guardduty/iam-user-long-term-key', (event) => (event.detail.title = '[SAMPLE] API was invoked')),
    );
    expect(parsed.kind === 'finding' && parsed.finding.sample).toBe(true);
  });

  it('ignores GuardDuty events that are not findings, with a reason', () => {
    const parsed = parseEvent(loadEvent('guardduty/not-a-finding-cloudtrail'));
    expect(parsed).toMatchObject({ kind: 'ignored', detailType: 'AWS API Call via CloudTrail' });
    expect(parsed.kind === 'ignored' && parsed.reason).toContain('is not a finding');
  });
});

describe('parseEvent: malformed input is rejected with the field and the value', () => {
  it.each([
    ['severity-as-string', 'detail.severity', '"5"'],
    ['severity-out-of-range', 'detail.severity', '42'],
    ['missing-account-id', 'detail.accountId', 'missing'],
    ['bad-account-id', 'detail.accountId', '"1111-2222-3333"'],
    ['missing-resource', 'detail.resource', 'missing'],
    ['bad-created-at', 'detail.createdAt', '"20 Nov 2026 08:12"'],
    ['bad-finding-type', 'detail.type', '"not a type <script>"'],
    ['detail-not-object', 'detail', '"oops"'],
    ['wrong-source', 'source', '"aws.securityhub"'],
    ['missing-detail-type', 'detail-type', 'missing'],
  ])('%s names %s and shows %s', (fixture, field, shown) => {
    let caught: unknown;
    try {
      parseEvent(loadEvent(`guardduty/malformed/${fixture}`));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FindingRejectedError);
    const problems = (caught as FindingRejectedError).problems;
    expect(problems.some((problem) => problem.startsWith(`${field}:`) && problem.includes(shown))).toBe(true);
  });

  it.each([null, 'a string', 42, [], {}])('rejects a non-event %p', (event) => {
    expect(() => parseEvent(event)).toThrow(FindingRejectedError);
  });

  it('bounds a huge value in the message', () => {
    const huge = 'x'.repeat(100_000);
    try {
      parseEvent(editedEvent('guardduty/iam-user-long-term-key', (event) => (event.detail.accountId = huge)));
      throw new Error('expected a rejection');
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(400);
      expect((error as Error).message).toContain('100002 characters');
    }
  });
});
