import { GetFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { awsCall } from '../aws/aws-call-error';
import { describeIssues, showValue } from '../common/describe-issues';
import { bundledClient } from '../aws/aws-clients';
import { configFromAsff } from './asff-config';
import { guardDutyFromAsff, type AsffResult } from './asff-guardduty';
import type { SourceAnswer } from './confirmation';
import type { Finding } from '../model/finding';
import { oneLineText } from './finding-differences';
import { asffFindingSchema } from './securityhub-event-schema';
import { authenticateProduct } from './securityhub-product';

/**
 * Re-reads a finding Security Hub delivered (ASFF) with securityhub:GetFindings, filtered on the finding's Id and
 * ProductArn, in the finding's Region, and parses AWS's answer with the Security Hub normalizer's per-finding steps:
 * the product is authenticated by its ProductArn, the shape checked, then the GuardDuty or Config mapping. The
 * workflow status is not a reason to refuse here (a person's custom action acts on a finding of any status, and
 * Firebreak's own NOTIFIED update may have landed since); RecordState ARCHIVED is reported as archived.
 */
export async function rereadSecurityHubFinding(
  finding: Finding,
  clientFor: (region: string) => SecurityHubClient,
): Promise<SourceAnswer> {
  const region = finding.region;
  const readFrom = `securityhub:GetFindings in ${region}`;
  const identity = finding.securityHub;
  if (!identity)
    return {
      kind: 'not-found',
      readFrom,
      reason: `the finding says it came through Security Hub but names no Security Hub finding (Id and ProductArn): there is nothing to re-read`,
    };
  let answer;
  try {
    // The command class is undefined where the bundle left the Security Hub client out: a clear error, not a TypeError.
    const Command = bundledClient(GetFindingsCommand, '@aws-sdk/client-securityhub');
    const client = clientFor(region);
    answer = await awsCall(
      'securityhub:GetFindings',
      `finding ${identity.id} of ${identity.productArn} (${region})`,
      () =>
        client.send(
          new Command({
            Filters: {
              Id: [{ Value: identity.id, Comparison: 'EQUALS' }],
              ProductArn: [{ Value: identity.productArn, Comparison: 'EQUALS' }],
            },
            MaxResults: 10,
          }),
        ),
    );
  } catch (error) {
    return { kind: 'unreadable', error: error as Error, readFrom, reason: oneLineText((error as Error).message) };
  }
  const matches = (answer.Findings ?? []).filter(
    (candidate) => candidate.Id === identity.id && candidate.ProductArn === identity.productArn,
  );
  if (matches.length === 0)
    return {
      kind: 'not-found',
      readFrom,
      reason: `Security Hub in ${region} has no finding ${oneLineText(identity.id, 300)} of ${oneLineText(identity.productArn, 200)}`,
    };
  if (matches.length > 1)
    return unreadable(
      `Security Hub returned ${matches.length} findings with Id ${identity.id} and ` +
        `ProductArn ${identity.productArn}; one was expected, so the answer is not trusted`,
      readFrom,
    );
  const raw: unknown = matches[0];
  const result = asffFindingOf(raw, finding.eventId);
  if (result.kind === 'ignored') return unreadable(`Security Hub's answer is not trusted: ${result.reason}`, readFrom);
  if (result.kind === 'rejected')
    return unreadable(`Security Hub's answer could not be parsed: ${result.problems.join('; ')}`, readFrom);
  const recordState = (raw as { RecordState?: unknown }).RecordState;
  return {
    kind: 'found',
    finding: result.finding,
    readFrom,
    ...(recordState === 'ARCHIVED'
      ? { archived: `Security Hub has archived finding ${identity.id} (RecordState ARCHIVED)` }
      : {}),
  };
}

/** parse-securityhub-event.ts's per-finding steps (readFinding, which is not exported), without its workflow and archive filters. */
function asffFindingOf(raw: unknown, eventId: string): AsffResult {
  const parsed = asffFindingSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'rejected', problems: describeIssues(parsed.error, raw, 'Findings[0]') };
  const check = authenticateProduct(parsed.data);
  if (check.kind === 'untrusted') return { kind: 'ignored', reason: check.reason };
  const asff = parsed.data;
  if (check.product.product === 'guardduty') return guardDutyFromAsff(asff, check.product, eventId, raw);
  if (check.product.product === 'config') return configFromAsff(asff, check.product, eventId, raw);
  return { kind: 'ignored', reason: `product ${showValue(check.product.product)} is not one Firebreak reads` };
}

function unreadable(message: string, readFrom: string): SourceAnswer {
  return {
    kind: 'unreadable',
    error: new SecurityHubAnswerError(oneLineText(message)),
    readFrom,
    reason: oneLineText(message),
  };
}

/** Security Hub answered, but not with one finding Firebreak can read. */
class SecurityHubAnswerError extends Error {
  override readonly name = 'SecurityHubAnswerError';
}
