import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { guardDutyTypeOf } from '../../lambdas/findings/asff-guardduty';
import { parseSecurityHubEvent, type SecurityHubEvent } from '../../lambdas/findings/parse-securityhub-event';
import { incidentIdOf } from '../../lambdas/ledger/incident-id';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import { editedEvent, loadEvent, loadFinding } from '../support/fixtures';

function findingsOf(parsed: SecurityHubEvent) {
  if (parsed.kind === 'ignored') throw new Error(`event ignored: ${parsed.reason}`);
  return parsed.findings.map((entry) => entry.result);
}

function onlyFinding(name: string) {
  const [result] = findingsOf(parseSecurityHubEvent(loadEvent(name)));
  if (result?.kind !== 'finding') throw new Error(`${name}: ${JSON.stringify(result)}`);
  return result.finding;
}

describe('parseSecurityHubEvent: the same finding as the native event', () => {
  it.each([
    ['securityhub/guardduty-iam-user-long-term-key', 'guardduty/iam-user-long-term-key'],
    ['securityhub/guardduty-ec2-instance', 'guardduty/ec2-instance'],
    ['securityhub/config-restricted-ssh-non-compliant', 'config/restricted-ssh-non-compliant'],
  ])('%s has the id, subject, type, severity and incident id of %s', (asff, native) => {
    const viaHub = onlyFinding(asff);
    const direct = loadFinding(native);
    expect(viaHub.id).toBe(direct.id);
    expect(viaHub.subject).toEqual(direct.subject);
    expect(viaHub.type).toBe(direct.type);
    expect(viaHub.severity).toBe(direct.severity);
    expect(viaHub.resourceType).toBe(direct.resourceType);
    expect(viaHub.accountId).toBe(direct.accountId);
    expect(viaHub.sample).toBe(false);
    expect(incidentIdOf(viaHub)).toBe(incidentIdOf(direct));
    expect(viaHub.via).toBe('securityhub');
    expect(direct.via).toBe('native');
    expect(viaHub.securityHub).toEqual({
      id: (loadEvent(asff) as any).detail.findings[0].Id,
      productArn: (loadEvent(asff) as any).detail.findings[0].ProductArn,
    });
    if (direct.config)
      expect(viaHub.config).toMatchObject({
        ruleName: direct.config.ruleName,
        compliance: direct.config.compliance,
        resourceType: direct.config.resourceType,
        resourceId: direct.config.resourceId,
      });
  });

  it('reads the activity and times from ProductFields', () => {
    const finding = onlyFinding('securityhub/guardduty-iam-user-long-term-key');
    expect(finding).toMatchObject({
      firstSeen: '2026-11-20T08:03:17.000Z',
      lastSeen: '2026-11-20T08:09:52.000Z',
      count: 3,
      partition: 'aws',
      region: 'us-east-1',
    });
    expect(finding.activity).toMatchObject({
      api: 'ListBuckets',
      serviceName: 's3.amazonaws.com',
      sourceIp: '198.51.100.23',
      sourceCountry: 'Netherlands',
    });
  });

  it('a GuardDuty sample finding is a sample and its placeholder key is unsupported', () => {
    const finding = onlyFinding('securityhub/guardduty-sample');
    expect(finding.sample).toBe(true);
    expect(finding.subject.kind).toBe('unsupported');
  });

  it('the sample flag in ProductFields alone is enough', () => {
    const event = editedEvent('securityhub/guardduty-sample', (e) => delete e.detail.findings[0].Sample);
    const [result] = findingsOf(parseSecurityHubEvent(event));
    expect(result?.kind === 'finding' && result.finding.sample).toBe(true);
  });

  it.each([
    ['no key id in the resource id', (f: any) => (f.Resources[0].Id = 'AWS::IAM::AccessKey:'), /access key id/],
    [
      'a user name IAM would not accept',
      (f: any) => (f.Resources[0].Details.AwsIamAccessKey.PrincipalName = 'ci deploy;rm'),
      /userName/,
    ],
    ['no principal type', (f: any) => delete f.Resources[0].Details.AwsIamAccessKey.PrincipalType, /userType/],
    ['two resources', (f: any) => f.Resources.push({ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::data' }), /2 resources/],
  ])('fails closed to an unsupported subject on %s', (_name, edit, reason) => {
    const event = editedEvent('securityhub/guardduty-iam-user-long-term-key', (e) => edit(e.detail.findings[0]));
    const [result] = findingsOf(parseSecurityHubEvent(event));
    expect(result?.kind).toBe('finding');
    const subject = result?.kind === 'finding' ? result.finding.subject : undefined;
    expect(subject?.kind).toBe('unsupported');
    expect(subject?.kind === 'unsupported' && subject.reason).toMatch(reason);
  });

  it('an instance ARN of another account is unsupported, never guessed', () => {
    const event = editedEvent(
      'securityhub/guardduty-ec2-instance',
      (e) => (e.detail.findings[0].Resources[0].Id = 'arn:aws:ec2:us-east-1:999988887777:instance/i-0abc123def4567890'),
    );
    const [result] = findingsOf(parseSecurityHubEvent(event));
    expect(result?.kind === 'finding' && result.finding.subject).toMatchObject({ kind: 'unsupported' });
  });

  it.each([
    [
      'TTPs/Initial Access/UnauthorizedAccess:IAMUser-MaliciousIPCaller.Custom',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
    ],
    ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS', 'Backdoor:EC2/C&CActivity.B!DNS'],
    ['TTPs/Policy:IAMUser-RootCredentialUsage', 'Policy:IAMUser/RootCredentialUsage'],
    ['Software and Configuration Checks', undefined],
    ['TTPs/Discovery/NoColonHere-x', undefined],
  ])('reads the GuardDuty type from %s', (asffType, type) => {
    expect(guardDutyTypeOf(asffType)).toBe(type);
  });
});

describe('parseSecurityHubEvent: authentication and fail-closed', () => {
  it.each([
    [
      'securityhub/forged-third-party-product',
      /ProductArn .*product\/123456789012\/default.* is not GuardDuty's or AWS Config's/,
    ],
    ['securityhub/product-name-mismatch', /ProductName "Evil Scanner" does not match ProductArn/],
    ['securityhub/already-notified', /workflow status "NOTIFIED"/],
  ])('%s is ignored with the reason', (fixture, reason) => {
    const [result] = findingsOf(parseSecurityHubEvent(loadEvent(fixture)));
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringMatching(reason) });
  });

  it("a severity changed after import (top-level Severity) is not read: GuardDuty's own number decides", () => {
    expect(onlyFinding('securityhub/severity-changed-after-import').severity).toBe(5);
    // Raised within the band (GuardDuty said 4.2): still 4.2, so a playbook with minimum 5 does not act.
    const raised = editedEvent('securityhub/guardduty-iam-user-long-term-key', (e) => {
      e.detail.findings[0].FindingProviderFields.Severity = { Label: 'MEDIUM', Product: 4.2 };
      e.detail.findings[0].Severity = { Label: 'MEDIUM', Product: 6.9, Normalized: 69 };
    });
    const [result] = findingsOf(parseSecurityHubEvent(raised));
    expect(result?.kind === 'finding' && result.finding.severity).toBe(4.2);
  });

  it('without a provider severity number the finding is not trusted', () => {
    const event = editedEvent(
      'securityhub/guardduty-iam-user-long-term-key',
      (e) => (e.detail.findings[0].FindingProviderFields.Severity = { Label: 'MEDIUM' }),
    );
    expect(findingsOf(parseSecurityHubEvent(event))[0]).toEqual({
      kind: 'ignored',
      reason: expect.stringMatching(/no GuardDuty severity in FindingProviderFields.Severity/),
    });
  });

  it('a provider number that disagrees with the provider label is not trusted', () => {
    const event = editedEvent(
      'securityhub/guardduty-iam-user-long-term-key',
      (e) => (e.detail.findings[0].FindingProviderFields.Severity = { Label: 'MEDIUM', Product: 9 }),
    );
    expect(findingsOf(parseSecurityHubEvent(event))[0]).toEqual({
      kind: 'ignored',
      reason: expect.stringMatching(/disagrees with GuardDuty's FindingProviderFields.Severity.Label/),
    });
  });

  it('a forged finding is ignored even when its shape is wrong (no rejection message to spam)', () => {
    const event = editedEvent(
      'securityhub/forged-third-party-product',
      (e) => (e.detail.findings[0].AwsAccountId = 42),
    );
    expect(findingsOf(parseSecurityHubEvent(event))[0]?.kind).toBe('ignored');
  });

  it('a ProductArn of another partition or a look-alike is not authentic', () => {
    for (const arn of [
      'arn:aws:securityhub:us-east-1::product/aws/guardduty-extra',
      'arn:aws:securityhub:us-east-1:111122223333:product/aws/guardduty',
      'arn:aws:securityhub:us-east-1::product/aws/inspector',
      'xarn:aws:securityhub:us-east-1::product/aws/guardduty',
    ]) {
      const event = editedEvent(
        'securityhub/guardduty-iam-user-long-term-key',
        (e) => (e.detail.findings[0].ProductArn = arn),
      );
      expect(findingsOf(parseSecurityHubEvent(event))[0]?.kind).toBe('ignored');
    }
  });

  it.each([
    ['securityhub/malformed/guardduty-id-not-an-arn', 'detail.findings[0].Id'],
    ['securityhub/malformed/missing-provider-types', 'detail.findings[0].FindingProviderFields.Types'],
    ['securityhub/malformed/bad-account-id', 'detail.findings[0].AwsAccountId'],
    ['securityhub/malformed/no-resources', 'detail.findings[0].Resources'],
    ['securityhub/malformed/config-bad-compliance-type', 'ConfigComplianceType'],
  ])('an authentic but malformed finding (%s) is rejected, naming %s', (fixture, field) => {
    const [result] = findingsOf(parseSecurityHubEvent(loadEvent(fixture)));
    expect(result?.kind).toBe('rejected');
    expect(result?.kind === 'rejected' && result.problems.join('; ')).toContain(field);
  });

  it('rejects an event whose detail.findings is not an array', () => {
    expect(() => parseSecurityHubEvent(loadEvent('securityhub/malformed/findings-not-array'))).toThrow(
      FindingRejectedError,
    );
    expect(() => parseSecurityHubEvent(loadEvent('securityhub/malformed/findings-not-array'))).toThrow(
      /detail.findings/,
    );
  });

  it('ignores other Security Hub events (insight results)', () => {
    expect(parseSecurityHubEvent(loadEvent('securityhub/insight-results'))).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('Insight Results'),
    });
  });

  it('keeps every finding of an event, in order: none is dropped', () => {
    const parsed = parseSecurityHubEvent(loadEvent('securityhub/several-findings'));
    expect(findingsOf(parsed).map((result) => result.kind)).toEqual(['finding', 'finding', 'ignored']);
    expect(parsed.kind === 'imported' && parsed.findings.map((entry) => entry.index)).toEqual([0, 1, 2]);
  });

  it('a Config finding whose resource cannot be mapped back is ignored, not given a second id', () => {
    const event = editedEvent(
      'securityhub/config-restricted-ssh-non-compliant',
      (e) => (e.detail.findings[0].Resources[0] = { Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::logs' }),
    );
    expect(findingsOf(parseSecurityHubEvent(event))[0]).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('AwsS3Bucket'),
    });
  });

  it('a Config compliance type that disagrees with Compliance.Status is rejected', () => {
    const event = editedEvent(
      'securityhub/config-restricted-ssh-non-compliant',
      (e) => (e.detail.findings[0].Compliance.Status = 'PASSED'),
    );
    expect(findingsOf(parseSecurityHubEvent(event))[0]?.kind).toBe('rejected');
  });

  it('a custom action names its target; a custom action without one is rejected', () => {
    expect(parseSecurityHubEvent(loadEvent('securityhub/custom-action-contain'))).toMatchObject({
      kind: 'custom-action',
      actionTargetArn: 'arn:aws:securityhub:us-east-1:111122223333:action/custom/FirebreakContain',
    });
    // A person's choice acts on a triaged finding too.
    expect(findingsOf(parseSecurityHubEvent(loadEvent('securityhub/custom-action-contain')))[0]?.kind).toBe('finding');
    expect(() =>
      parseSecurityHubEvent(editedEvent('securityhub/custom-action-contain', (e) => (e.resources = []))),
    ).toThrow(/resources/);
  });
});
