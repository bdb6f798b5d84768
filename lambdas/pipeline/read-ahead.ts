import type { AwsClients } from '../aws/aws-clients';
import { withReadCache } from '../aws/read-cache';
import { confirmFinding, type FindingSources } from '../findings/confirm-finding';
import type { Confirmation } from '../findings/confirmation';
import { assumeResource, resolveResource, type Resolution } from '../kinds/resolve-resource';
import type { BreakerTake, Incident, IncidentRecord, LeaseClaim, Ledger } from '../ledger/ledger';
import type { Target } from '../model/action';
import type { Finding } from '../model/finding';
import type { BreakerSlots } from './breaker';
import { latestConfigIncident } from './claim';
import { leaseIntents, type LeaseIntents, type PreparedStep } from './journal';
import type { ResponderSettings } from './responder-settings';
import { settle, type Settled } from './settle';
import { confirmationOf } from './source-gate';
import { startEarlyReads } from './step-runner';

/** One run as it starts reading: who it is, what it may read and write, and its plan of steps. */
export interface RunFrame {
  readonly finding: Finding;
  readonly settings: ResponderSettings;
  /** The finding's account and Region; absent in simulate (state is assumed, nothing read or written). */
  readonly clients: AwsClients | undefined;
  /** The incident ledger, when this run uses it (never in simulate). */
  readonly ledger: Ledger | undefined;
  readonly incidentId: string;
  /** Who holds the claims this run takes. */
  readonly owner: string;
  readonly now: () => Date;
  readonly steps: readonly PreparedStep[];
  readonly planTime: Date;
}

/** What the first round trip brought back; a read that is not made (simulate, no ledger, not enforcing) is absent. */
export interface ReadAhead {
  readonly reader: AwsClients | undefined;
  readonly intents: LeaseIntents;
  readonly readStartedAt: Date;
  readonly resolution: Settled<Resolution>;
  readonly incidentRead: Settled<IncidentRecord> | undefined;
  readonly breakerRead: Settled<readonly BreakerTake[]> | undefined;
  readonly leaseRead: Settled<LeaseClaim> | undefined;
  /** Config: every evaluation is its own incident, so a release is found through the rule and resource's latest one. */
  readonly configRead: Settled<Incident | undefined> | undefined;
  /** The finding as its source returns it, re-read before any enforcing write (see source-gate.ts). */
  readonly confirmation: Confirmation | undefined;
}

export interface ReadAheadOptions {
  readonly findingSources: FindingSources | undefined;
  readonly leaseMs: number;
}

/**
 * Everything that can be read or claimed before acting goes out in one round trip: the resource, the incident, the
 * breaker slots, the incident lease carrying each step's planned intent (both given back if the finding turns out to
 * be gated), the confirmations of those intents, the finding's source, and the steps' reads on the finding's own view
 * of the resource.
 */
export async function readAhead(frame: RunFrame, slots: BreakerSlots, options: ReadAheadOptions): Promise<ReadAhead> {
  const { finding, settings, clients, ledger, incidentId, now } = frame;
  const enforcing = settings.playbook.mode === 'enforce';
  // Approval mode plans like a dry run, holding the incident like enforce: one delivery at a time records the request.
  const leasing = enforcing || settings.playbook.mode === 'approve';
  const assumed: Target = { finding, resource: assumeResource(finding) };
  const speculate = assumed.resource.kind !== 'unresolved';
  const reader = clients ? withReadCache(clients) : undefined;
  if (reader && speculate) startEarlyReads(frame.steps, assumed, reader);
  const planning = ledger && enforcing && speculate ? frame.steps : [];
  const intents = leaseIntents(planning, assumed, frame.planTime, ledger, incidentId);
  const readStartedAt = now();
  const confirming =
    enforcing && clients && options.findingSources
      ? settle(confirmFinding(finding, options.findingSources))
      : undefined;
  const [resolution, incidentRead, breakerRead, leaseRead, configRead, confirmRead] = await Promise.all([
    clients
      ? settle(resolveResource(finding, clients))
      : Promise.resolve({ ok: true as const, value: { kind: 'resolved' as const, resource: assumed.resource } }),
    ledger ? settle(ledger.readIncident(incidentId)) : undefined,
    ledger && enforcing ? settle(slots.take(settings, finding, now())) : undefined,
    ledger && leasing
      ? settle(ledger.leaseIncident(incidentId, frame.owner, options.leaseMs, now(), intents.planned))
      : undefined,
    ledger && finding.config ? settle(latestConfigIncident(ledger, finding)) : undefined,
    confirming,
  ]);
  const confirmation = confirmationOf(confirmRead);
  return { reader, intents, readStartedAt, resolution, incidentRead, breakerRead, leaseRead, configRead, confirmation };
}
