import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { configRuleMatches } from '../../lambdas/model/playbook';
import { loadEvent, loadFinding } from '../support/fixtures';

describe('parseEvent: AWS Config compliance changes', () => {
  it.each([
    [
      'config/restricted-ssh-non-compliant',
      { kind: 'security-group', groupId: 'sg-0123456789abcdef0' },
      'restricted-ssh',
      'NON_COMPLIANT',
      'COMPLIANT',
    ],
    [
      'config/restricted-ssh-first-evaluation',
      { kind: 'security-group', groupId: 'sg-0123456789abcdef0' },
      'restricted-ssh',
      'NON_COMPLIANT',
      undefined,
    ],
    [
      'config/restricted-ssh-compliant',
      { kind: 'security-group', groupId: 'sg-0123456789abcdef0' },
      'restricted-ssh',
      'COMPLIANT',
      'NON_COMPLIANT',
    ],
    [
      'config/restricted-ssh-suffixed',
      { kind: 'security-group' },
      'securityhub-restricted-ssh-a1b2c3',
      'NON_COMPLIANT',
      'COMPLIANT',
    ],
    [
      'config/access-keys-rotated-non-compliant',
      { kind: 'iam-user-id', userId: 'AIDAJQABLZS4A3QDU576Q' },
      'access-keys-rotated',
      'NON_COMPLIANT',
      'COMPLIANT',
    ],
    [
      'config/ebs-snapshot-public-restorable-check-non-compliant',
      { kind: 'account', accountId: '111122223333' },
      'ebs-snapshot-public-restorable-check',
      'NON_COMPLIANT',
      'COMPLIANT',
    ],
    [
      'config/iam-root-access-key-check-non-compliant',
      { kind: 'account', accountId: '111122223333' },
      'iam-root-access-key-check',
      'NON_COMPLIANT',
      'COMPLIANT',
    ],
    [
      'config/unknown-rule-non-compliant',
      { kind: 'unsupported' },
      's3-bucket-versioning-enabled',
      'NON_COMPLIANT',
      'COMPLIANT',
    ],
    ['config/not-applicable', { kind: 'security-group' }, 'restricted-ssh', 'NOT_APPLICABLE', 'NON_COMPLIANT'],
  ])('%s', (fixture, subject, rule, compliance, previous) => {
    const finding = loadFinding(fixture);
    expect(finding.source).toBe('config');
    expect(finding.subject).toMatchObject(subject);
    expect(finding.config).toMatchObject({ ruleName: rule, compliance });
    expect(finding.config?.previousCompliance).toBe(previous);
  });

  it('takes the account from detail.awsAccountId and the Region from detail.awsRegion', () => {
    const finding = loadFinding('config/member-account');
    expect(finding).toMatchObject({ accountId: '444455556666', region: 'us-east-1' });
  });

  it('one incident per evaluation: the same evaluation gives the same id, a later one another', () => {
    expect(loadFinding('config/restricted-ssh-non-compliant').id).toBe(
      loadFinding('config/restricted-ssh-non-compliant').id,
    );
    expect(loadFinding('config/restricted-ssh-non-compliant').id).not.toBe(
      loadFinding('config/restricted-ssh-first-evaluation').id,
    );
    expect(loadFinding('config/restricted-ssh-non-compliant').id).toMatch(/^config-[0-9a-f]{32}$/);
  });

  it('ignores other Config events with a reason', () => {
    expect(parseEvent(loadEvent('config/malformed/other-detail-type'))).toMatchObject({
      kind: 'ignored',
      detailType: 'Config Configuration Item Change',
    });
  });

  it.each([
    ['missing-resource-id', 'detail.resourceId'],
    ['bad-account-id', 'detail.awsAccountId'],
    ['missing-new-evaluation', 'detail.newEvaluationResult'],
    ['bad-compliance-type', 'detail.newEvaluationResult.complianceType'],
    ['rule-name-not-string', 'detail.configRuleName'],
  ])('rejects %s naming %s', (fixture, field) => {
    try {
      parseEvent(loadEvent(`config/malformed/${fixture}`));
      throw new Error('expected a rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(FindingRejectedError);
      expect((error as FindingRejectedError).problems.some((problem) => problem.startsWith(`${field}:`))).toBe(true);
    }
  });
});

describe('configRuleMatches: managed rules deployed with a prefix or a suffix', () => {
  it.each([
    ['restricted-ssh', 'restricted-ssh', true],
    ['securityhub-restricted-ssh-a1b2c3', 'restricted-ssh', true],
    ['restricted-ssh-conformance-pack-abc123def', 'restricted-ssh', true],
    ['org-restricted-ssh', 'restricted-ssh', true],
    ['restricted-sshd', 'restricted-ssh', false],
    ['unrestricted-ssh', 'restricted-ssh', false],
    ['anything', '*', true],
  ])('%s matches %s: %s', (rule, identifier, expected) => {
    expect(configRuleMatches(rule, identifier)).toBe(expected);
  });
});
