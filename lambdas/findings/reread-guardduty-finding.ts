import { GetFindingsCommand, ListDetectorsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { awsCall } from '../aws/aws-call-error';
import { bundledClient } from '../aws/aws-clients';
import type { SourceAnswer } from './confirmation';
import type { Finding } from '../model/finding';
import { oneLineText } from './finding-differences';
import { FindingRejectedError } from './finding-rejected-error';
import { eventDetailOf } from './guardduty-event-detail';
import { parseEvent } from './parse-event';

/** The security account's detector id per client and Region, for the warm function; forgotten when a read with it fails. */
const detectors = new WeakMap<GuardDutyClient, Map<string, Promise<string>>>();

/**
 * Re-reads a GuardDuty finding with guardduty:GetFindings from the security account's detector in the finding's
 * Region (the delegated administrator's detector reads its members' findings; the detector in the finding's ARN is
 * the member's, and the payload's word for it is not taken), and parses AWS's answer with Firebreak's own parser, in
 * an event like the one EventBridge delivers (the payload's event id is kept, for tracing the delivery).
 */
export async function rereadGuardDutyFinding(
  finding: Finding,
  clientFor: (region: string) => GuardDutyClient,
): Promise<SourceAnswer> {
  const region = finding.region;
  let client: GuardDutyClient;
  let detectorId: string;
  try {
    client = clientFor(region);
    detectorId = await detectorOf(client, region);
  } catch (error) {
    return unreadable(error as Error, `guardduty:ListDetectors in ${region}`);
  }
  const readFrom = `guardduty:GetFindings in ${region} (detector ${detectorId})`;
  let answer;
  try {
    answer = await awsCall('guardduty:GetFindings', `finding ${finding.id} (detector ${detectorId}, ${region})`, () =>
      client.send(
        new (bundledClient(GetFindingsCommand, '@aws-sdk/client-guardduty'))({
          DetectorId: detectorId,
          FindingIds: [finding.id],
        }),
      ),
    );
  } catch (error) {
    // A detector deleted and created again has a new id: the next finding lists it again.
    detectors.get(client)?.delete(region);
    return unreadable(error as Error, readFrom);
  }
  const found = (answer.Findings ?? []).find((candidate) => candidate.Id === finding.id);
  if (!found) return { kind: 'not-found', readFrom, reason: `GuardDuty in ${region} has no finding ${finding.id}` };
  const detail = eventDetailOf(found);
  // The API documents `partition` as optional, the event (and so the parser) has it: AWS's own ARN names it.
  if (detail.partition === undefined && typeof found.Arn === 'string') {
    const partition = /^arn:(aws[a-z-]*):guardduty:/.exec(found.Arn)?.[1];
    if (partition) detail.partition = partition;
  }
  const event = {
    version: '0',
    id: finding.eventId,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    region,
    resources: [],
    detail,
  };
  try {
    const parsed = parseEvent(event);
    if (parsed.kind !== 'finding') throw new FindingRejectedError([parsed.reason]);
    return {
      kind: 'found',
      finding: parsed.finding,
      readFrom,
      ...(found.Service?.Archived === true
        ? { archived: `GuardDuty has archived finding ${finding.id} (a person or a suppression rule closed it)` }
        : {}),
    };
  } catch (error) {
    return unreadable(error as Error, readFrom, "GuardDuty's answer could not be parsed: ");
  }
}

/**
 * Starts looking up the security account's detector of `region` (at cold start), so the first finding's re-read
 * is one GetFindings, in the same round trip as the engine's other first reads. A failure is forgotten, not cached.
 */
export function prefetchDetector(client: GuardDutyClient, region: string): void {
  detectorOf(client, region).catch(() => undefined);
}

function detectorOf(client: GuardDutyClient, region: string): Promise<string> {
  let byRegion = detectors.get(client);
  const cached = byRegion?.get(region);
  if (cached) return cached;
  if (!byRegion) {
    byRegion = new Map();
    detectors.set(client, byRegion);
  }
  // The lookup in flight is shared, so a prefetch and the first finding make one ListDetectors call.
  const lookup = listDetector(client, region);
  byRegion.set(region, lookup);
  lookup.catch(() => {
    if (byRegion.get(region) === lookup) byRegion.delete(region);
  });
  return lookup;
}

async function listDetector(client: GuardDutyClient, region: string): Promise<string> {
  const answer = await awsCall(
    'guardduty:ListDetectors',
    `the security account's GuardDuty detector in ${region}`,
    () => client.send(new (bundledClient(ListDetectorsCommand, '@aws-sdk/client-guardduty'))({})),
  );
  const ids = answer.DetectorIds ?? [];
  if (ids.length !== 1 || !ids[0]) {
    throw new DetectorUnavailableError(
      ids.length === 0
        ? `guardduty:ListDetectors in ${region} lists no detector: enable GuardDuty in ${region} in the security ` +
            `account (the delegated administrator), or leave ${region} out of the Regions that forward findings`
        : `guardduty:ListDetectors in ${region} lists ${ids.length} detectors (${ids.slice(0, 3).join(', ')}); ` +
            `GuardDuty has one per account and Region, so the answer is not trusted`,
    );
  }
  return ids[0];
}

/** The security account has no single GuardDuty detector in the Region, so no finding there can be re-read. */
class DetectorUnavailableError extends Error {
  override readonly name = 'DetectorUnavailableError';
}

/** The error's own message says what failed: an AwsCallError names the call, the resource, the AWS error code and AWS's message. */
function unreadable(error: Error, readFrom: string, prefix = ''): SourceAnswer {
  return { kind: 'unreadable', error, readFrom, reason: oneLineText(`${prefix}${error.message}`) };
}
