import { describeSubject } from '../kinds/describe-subject';
import type { AppliedStep, Incident, IncidentRecord, Ledger } from '../ledger/ledger';
import { recordName } from '../ledger/verified-ledger';
import type { Finding } from '../model/finding';
import type { StepOutcome } from '../model/outcome';
import { ledgerReadFailed, type OutcomeParts, type Verdict } from './assemble-outcome';
import type { ReadAhead } from './read-ahead';

/** How far apart the clocks of two invocations may be when comparing a lease's end with a read's start. */
const LEASE_CLOCK_SKEW_MS = 5_000;

/**
 * The incident's records as this run acts on them, or a stop when a ledger read of the first round trip failed.
 * The previous holder ended its lease after this run's incident read went out (a retried lease write can arrive that
 * late): what it did is not in that read, so it is read again before acting on it. Re-deliveries minutes apart never
 * pay.
 */
export async function readRecords(
  ledger: Ledger | undefined,
  incidentId: string,
  ahead: ReadAhead,
  resourceArn: string | undefined,
): Promise<Verdict<IncidentRecord | undefined>> {
  const { incidentRead, breakerRead, leaseRead, configRead } = ahead;
  const failure = [incidentRead, breakerRead, leaseRead, configRead].find((read) => read !== undefined && !read.ok);
  if (failure && !failure.ok) return { stop: ledgerReadFailed('Read the incident ledger', failure.error, resourceArn) };
  const record = incidentRead?.ok ? incidentRead.value : undefined;
  const previousEndedAt =
    leaseRead?.ok && leaseRead.value.kind === 'claimed' ? leaseRead.value.previousEndedAt : undefined;
  const lateSince = ahead.readStartedAt.getTime() - LEASE_CLOCK_SKEW_MS;
  const endedLate = record && previousEndedAt && Date.parse(previousEndedAt) >= lateSince;
  if (!endedLate) return { go: record };
  try {
    return { go: await ledger!.readIncident(incidentId) };
  } catch (error) {
    return { stop: ledgerReadFailed('Read the incident ledger', error, resourceArn) };
  }
}

const untrusted = (integrity: AppliedStep['integrity']) => integrity === 'failed' || integrity === 'missing';

/**
 * Records someone other than Firebreak wrote or changed (their MAC does not verify) are never acted on: a step is not
 * skipped as applied, nor an intent confirmed, nor an exemption honoured, on their word. Each is reported
 * (`problems`: one failed, non-containment step per record); `trusted` are the step records the run may act on.
 */
export function checkRecords(
  incidentId: string,
  steps: readonly AppliedStep[],
  incidents: readonly (Incident | undefined)[],
): { problems: StepOutcome[]; trusted: AppliedStep[] } {
  const head = {
    action: 'verify-ledger-record',
    title: 'Check the ledger records of this incident',
    containment: false,
    status: 'failed' as const,
    durationMs: 0,
  };
  const records = steps
    .filter((step) => untrusted(step.integrity))
    .map((step) => ({
      name: recordName(incidentId, step),
      what:
        step.integrity === 'failed'
          ? 'its MAC does not verify: it was changed after Firebreak wrote it'
          : 'it has no MAC: Firebreak did not write it',
    }));
  const markers = incidents
    .filter((candidate): candidate is Incident => candidate !== undefined && untrusted(candidate.releaseIntegrity))
    .map((candidate) => ({
      name: `the release marker of incident ${candidate.incidentId}`,
      what:
        `${candidate.releaseIntegrity === 'failed' ? 'its MAC does not verify' : 'it has no MAC'}: ` +
        `its exemption until ${candidate.exemptUntil ?? '(none)'} is not honoured`,
    }));
  const problems = [...records, ...markers].map(({ name, what }) => ({
    ...head,
    summary: `Ledger record ${name} ignored: ${what}. Someone other than Firebreak may have written to the ledger table: check its CloudTrail data events`,
    error: { name: 'LedgerRecordIntegrityError', message: `${name}: ${what}` },
  }));
  return { problems, trusted: steps.filter((step) => !untrusted(step.integrity)) };
}

/**
 * A human released this resource and its exemption still runs: skipped. An exemption counts only for the resource
 * that was released (its signed marker names account, Region and subject): a Config link rewritten to point at another
 * incident's genuine release exempts nothing.
 */
export function releasedExemption(
  finding: Finding,
  incident: Incident | undefined,
  configIncident: Incident | undefined,
  now: () => Date,
  resourceArn: string | undefined,
): OutcomeParts | undefined {
  const sameResource = (candidate: Incident) =>
    candidate.accountId === finding.accountId &&
    candidate.region === finding.region &&
    candidate.subject === describeSubject(finding.subject);
  const released = [incident, configIncident].find(
    (candidate) =>
      candidate?.exemptUntil &&
      candidate.exemptUntil > now().toISOString() &&
      !untrusted(candidate.releaseIntegrity) &&
      sameResource(candidate),
  );
  if (!released) return undefined;
  const reason = `released by ${released.releasedBy ?? 'a human'} at ${released.releasedAt}; not contained again before ${released.exemptUntil}`;
  return {
    status: 'skipped',
    reason,
    steps: [],
    resourceArn,
    ...(incident ? { previousStatus: incident.status } : {}),
  };
}
