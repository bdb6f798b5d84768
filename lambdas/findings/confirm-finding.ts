import type { FindingSourceClients } from '../aws/finding-source-clients';
import type { Confirmation } from './confirmation';
import type { Finding } from '../model/finding';
import { actedOnFields, differencesOf, oneLineText, shownValue } from './finding-differences';
import { REGION } from './guardduty-event-schema';
import { rereadGuardDutyFinding } from './reread-guardduty-finding';
import { rereadSecurityHubFinding } from './reread-securityhub-finding';

export type { Confirmation } from './confirmation';

/** Where findings are re-read: GuardDuty and Security Hub clients of the security account, per Region. */
export type FindingSources = Pick<FindingSourceClients, 'guardDutyFor' | 'securityHubFor'>;

/**
 * Re-reads a finding from its source before the first enforcing write, and says whether AWS vouches for it. A
 * Lambda payload can be forged by anyone allowed lambda:InvokeFunction, and a function cannot tell an EventBridge
 * delivery from a direct invocation, so every finding is re-read, and the engine acts on AWS's version only:
 * - GuardDuty findings (native, or delivered through Security Hub): guardduty:GetFindings from the security account's
 *   detector in the finding's Region, parsed by parseEvent.
 * - AWS Config findings delivered through Security Hub: securityhub:GetFindings on the finding's Id and ProductArn,
 *   parsed by the Security Hub normalizer.
 * - Native AWS Config compliance changes: not re-read (`not-applicable`, with the reason).
 * Never throws for an AWS error or an unreadable answer: those are `unreadable`, with the cause.
 */
export async function confirmFinding(finding: Finding, sources: FindingSources): Promise<Confirmation> {
  if (finding.source === 'config' && finding.via !== 'securityhub') {
    return {
      kind: 'not-applicable',
      reason:
        'a native AWS Config compliance change is not re-read: Config keeps rule evaluations, not findings ' +
        'with an id that a GetFindings call could return, so this finding is not confirmed from its source',
    };
  }
  if (typeof finding.region !== 'string' || !REGION.test(finding.region)) {
    const error = new FindingNotRereadError(
      `the finding's Region ${shownValue(finding.region)} is not an AWS Region name: it was not re-read`,
    );
    return { kind: 'unreadable', error, readFrom: '(no call made)', reason: error.message };
  }
  const fromGuardDuty = finding.source === 'guardduty';
  const answer = fromGuardDuty
    ? await rereadGuardDutyFinding(finding, (region) => sources.guardDutyFor(region))
    : await rereadSecurityHubFinding(finding, (region) => sources.securityHubFor(region));
  if (answer.kind !== 'found') return answer;

  // Security Hub's answer is parsed with the payload's event id and its own Security Hub identity already.
  const fromAws = fromGuardDuty ? asDelivered(answer.finding, finding) : answer.finding;
  const differences = differencesOf(comparedFields(finding), comparedFields(fromAws));
  const { readFrom } = answer;
  if (differences.length > 0) {
    return {
      kind: 'mismatch',
      finding: fromAws,
      differences,
      readFrom,
      reason: oneLineText(
        `${readFrom} returned finding ${fromAws.id} with ${differences.length === 1 ? 'a field' : `${differences.length} fields`} ` +
          `the engine acts on that differ from the payload's: ${differences.join('; ')}`,
        2000,
      ),
    };
  }
  if (answer.archived) return { kind: 'archived', finding: fromAws, readFrom, reason: answer.archived };
  return { kind: 'confirmed', finding: fromAws, readFrom, updated: updatedFields(finding, fromAws) };
}

/**
 * GuardDuty's finding as it reached Firebreak: the payload's event id (the delivery being traced) and, for a GuardDuty
 * finding that came through Security Hub, its Security Hub identity, which GuardDuty's answer determines (the ASFF Id
 * is the GuardDuty finding ARN, the ProductArn GuardDuty's in that Region). The identity is compared like every other
 * field, so the Security Hub finding Firebreak later updates is one AWS vouches for.
 */
function asDelivered(fromAws: Finding, payload: Finding): Finding {
  if (payload.via !== 'securityhub') return { ...fromAws, eventId: payload.eventId, via: 'native' };
  const securityHub = fromAws.arn
    ? { id: fromAws.arn, productArn: `arn:${fromAws.partition}:securityhub:${fromAws.region}::product/aws/guardduty` }
    : undefined;
  return { ...fromAws, eventId: payload.eventId, via: 'securityhub', ...(securityHub ? { securityHub } : {}) };
}

function comparedFields(finding: Finding): Record<string, unknown> {
  return {
    ...actedOnFields(finding),
    'securityHub.id': finding.securityHub?.id,
    'securityHub.productArn': finding.securityHub?.productArn,
  };
}

/** What AWS has changed since the payload that the engine takes from AWS: reported, never a reason to refuse. */
function updatedFields(payload: Finding, fromAws: Finding): string[] {
  const fields: [string, unknown, unknown][] = [
    ['severity', payload.severity, fromAws.severity],
    ['title', payload.title, fromAws.title],
  ];
  return fields
    .filter(([, before, after]) => before !== after)
    .map(
      ([name, before, after]) => `${name}: the payload says ${shownValue(before)}, AWS now says ${shownValue(after)}`,
    );
}

/** The finding was not re-read because the payload itself cannot name a source to read. */
class FindingNotRereadError extends Error {
  override readonly name = 'FindingNotRereadError';
}
