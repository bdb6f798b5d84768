import { FindingRejectedError } from '../findings/finding-rejected-error';
import { parseSecurityHubEvent } from '../findings/parse-securityhub-event';
import { configEvaluationKey, incidentIdOf } from '../ledger/incident-id';
import type { Ledger } from '../ledger/ledger';
import { RELEASE_ACTION_ID } from '../securityhub/custom-actions';

export interface ReleaseRequests {
  /** The incidents of the selected findings, in order, without repeats. */
  readonly incidentIds: readonly string[];
  /** Selected findings that name no incident Firebreak could have made, with the reason. */
  readonly skipped: readonly string[];
  /** The account whose Security Hub sent the event; the event never names the person who chose the action. */
  readonly securityHubAccount: string;
}

/**
 * The incidents the "Firebreak: release" custom action asks to release: each selected finding is authenticated
 * and mapped as for containment, and its incident id is the one its containment recorded. A Config finding is
 * updated in place by Security Hub on every evaluation (a new UpdatedAt, a new evaluation id), so its incident is
 * found through the rule and resource's latest incident, as the responder links it. A finding of another product,
 * one that cannot be read, or one with no incident is skipped. Throws FindingRejectedError for any other event.
 *
 * These are requests, not releases: the event does not say who chose the action, and anyone allowed to invoke the
 * release function can forge it. The release function only tells the on-call how to release (firebreak release,
 * with the person's own identity checked by STS); it releases nothing on such an event.
 */
export async function releaseRequestsOf(
  event: unknown,
  ledger: Pick<Ledger, 'latestConfigIncident'>,
): Promise<ReleaseRequests> {
  const parsed = parseSecurityHubEvent(event);
  if (parsed.kind !== 'custom-action')
    throw new FindingRejectedError([
      `detail-type: expected "Security Hub Findings - Custom Action", got ${parsed.kind === 'ignored' ? parsed.reason : 'imported findings'}`,
    ]);
  if (!parsed.actionTargetArn.endsWith(`/${RELEASE_ACTION_ID}`))
    throw new FindingRejectedError([
      `resources: expected the ${RELEASE_ACTION_ID} custom action, got ${parsed.actionTargetArn}`,
    ]);
  const incidentIds: string[] = [];
  const skipped: string[] = [];
  for (const { index, result } of parsed.findings) {
    if (result.kind === 'finding') {
      const { finding } = result;
      const id = finding.config
        ? await ledger.latestConfigIncident(configEvaluationKey(finding))
        : incidentIdOf(finding);
      if (!id)
        skipped.push(
          `detail.findings[${index}]: Firebreak has no incident for Config rule ${finding.config!.ruleName} on ` +
            `${finding.config!.resourceType} ${finding.config!.resourceId}`,
        );
      else if (!incidentIds.includes(id)) incidentIds.push(id);
    } else {
      skipped.push(
        result.kind === 'ignored' ? result.reason : `detail.findings[${index}]: ${result.problems.join('; ')}`,
      );
    }
  }
  const account = (event as { account?: unknown }).account;
  return { incidentIds, skipped, securityHubAccount: typeof account === 'string' ? account.slice(0, 12) : 'unknown' };
}
