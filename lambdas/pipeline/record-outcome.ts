import type { StepOutcome } from '../model/outcome';
import type { BreakerSlots } from './breaker';
import type { IncidentLease } from './claim';
import type { Journal } from './journal';

/** What the ledger side of a finished run leaves for its outcome. */
export interface Recorded {
  /** Bookkeeping that failed: the outcome is true, but not fully recorded. */
  readonly problems: string[];
  /** Set when the lease is still held for the caller to end, once it has sent the message and recorded the incident. */
  readonly leaseOwner?: string;
}

/**
 * The run's last round trip, once every step is recorded on its own: the lease is given back, or, held for the
 * caller, its planned intents are dropped where a step has no record of its own (they would only make a later crash
 * look like unconfirmed writes; a step's record hides its planned intent, and the caller's end of the lease drops them
 * all); the breaker slots are kept or given back. A write that may have taken and is not recorded step by step keeps
 * the lease, whose planned intent records it. Usually nothing is left to do here: no round trip.
 */
export async function recordOutcome(
  steps: readonly StepOutcome[],
  lease: IncidentLease,
  journal: Journal | undefined,
  slots: BreakerSlots,
  holdLease: boolean,
): Promise<Recorded> {
  const problems: string[] = [];
  if (journal?.unrecorded) lease.leaveToExpire();
  const leaseHeld = lease.held && holdLease;
  await Promise.all([
    leaseHeld && journal?.plannedWithoutRecord ? lease.clearPlanned() : undefined,
    leaseHeld ? undefined : lease.giveBack(), // the lease expires anyway
    slots.settle(steps).then((problem) => problem && problems.push(problem)),
  ]);
  return { problems, ...(leaseHeld ? { leaseOwner: lease.owner } : {}) };
}
