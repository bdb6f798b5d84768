import { configEvaluationKey } from '../ledger/incident-id';
import type { AppliedStep, Incident, IncidentRecord, LeaseClaim, Ledger } from '../ledger/ledger';
import type { Finding } from '../model/finding';
import type { Resolution } from '../kinds/resolve-resource';
import type { OutcomeParts } from './assemble-outcome';
import type { Settled } from './settle';

/**
 * The incident lease this run took in its first round trip (if it did): one delivery at a time acts on an incident.
 * Given back when the run stops early or is done, kept for the caller to end (RunOptions.holdLease), or left to
 * expire when a write may have taken without its own record (the lease's planned intent records it).
 */
export class IncidentLease {
  private leased: boolean;
  /** The intents a crashed earlier holder planned on the lease this run took over: treated as unconfirmed. */
  readonly takenOver: readonly AppliedStep[];

  constructor(
    private readonly ledger: Ledger | undefined,
    private readonly incidentId: string,
    readonly owner: string,
    private readonly now: () => Date,
    claim: Settled<LeaseClaim> | undefined,
  ) {
    this.leased = claim?.ok === true && claim.value.kind === 'claimed';
    this.takenOver = claim?.ok && claim.value.kind === 'claimed' ? (claim.value.planned ?? []) : [];
  }

  /** This run holds the lease, and nothing said to leave it to expire. */
  get held(): boolean {
    return this.leased;
  }

  /** Never throws: a lease not given back expires anyway. */
  async giveBack(): Promise<void> {
    if (this.leased) await this.ledger!.endLease(this.incidentId, this.owner, this.now()).catch(() => undefined);
    this.leased = false;
  }

  /** Neither given back nor held for the caller: it expires, and its planned intents record what may have taken. */
  leaveToExpire(): void {
    this.leased = false;
  }

  /** Drops the lease's planned intents once every step is recorded on its own. Never throws. */
  clearPlanned(): Promise<void> {
    return this.ledger!.clearPlanned(this.incidentId, this.owner).catch(() => undefined);
  }
}

/**
 * Another delivery holds the incident: it makes the same reads and reports what it finds, failures included, so this
 * one stays quiet whatever its own reads said (one failed lookup must not page once per delivery).
 */
export function heldElsewhere(
  leaseRead: Settled<LeaseClaim> | undefined,
  resolution: Settled<Resolution>,
  incidentRead: Settled<IncidentRecord> | undefined,
): OutcomeParts | undefined {
  if (!leaseRead?.ok || leaseRead.value.kind === 'claimed') return undefined;
  const lease = leaseRead.value;
  const reason = `another delivery of this finding holds the incident${lease.kind === 'busy' ? ` until ${lease.claimedUntil}` : ''}: it contains and reports`;
  const arn =
    resolution.ok && resolution.value.kind === 'resolved' && resolution.value.resource.kind !== 'unresolved'
      ? resolution.value.resource.arn
      : undefined;
  const earlierStatus =
    incidentRead?.ok && incidentRead.value.incident ? { previousStatus: incidentRead.value.incident.status } : {};
  return { status: 'duplicate', reason, steps: [], resourceArn: arn, ...earlierStatus };
}

/** Config: the latest incident of the finding's rule and resource, where its release marker is. */
export async function latestConfigIncident(ledger: Ledger, finding: Finding): Promise<Incident | undefined> {
  const id = await ledger.latestConfigIncident(configEvaluationKey(finding));
  return id ? ledger.getIncident(id) : undefined;
}
