import type { OutcomeStatus } from '../model/outcome';

/** A step's write as the ledger keeps it: enough to skip it on re-delivery and to undo it on release. */
export interface AppliedStep {
  readonly index: number;
  readonly action: string;
  readonly summary: string;
  /** The write the action applied (JSON): release reads names and ids from it. */
  readonly write: unknown;
  /** The state the write replaced (JSON): release restores it. */
  readonly replaced: unknown;
  readonly appliedAt: string;
  readonly releasedAt?: string;
  /** Recorded before the write, never confirmed after it (the invocation failed or died): it may or may not have taken. */
  readonly unconfirmed?: boolean;
  /**
   * Only planned on a lease, from the finding's own view before anything was read, never recorded as an intent: the
   * write may never have been made, and its pre-state is a guess. Never confirmed as Firebreak's write; always unconfirmed.
   */
  readonly tentative?: boolean;
  /** For a planned intent read from a lease: the lease holder that planned it. */
  readonly plannedBy?: string;
  /** The record's MAC (base64) with the ledger's KMS HMAC key, made by Firebreak when it wrote the record. */
  readonly mac?: string;
  /**
   * Set by a ledger that checks MACs (VerifiedLedger) on every record read, except tentative intents (never acted
   * on as Firebreak's): verified, failed (the record was changed by someone else), or missing (no MAC at all).
   */
  readonly integrity?: RecordIntegrity;
}

export type RecordIntegrity = 'verified' | 'failed' | 'missing';

/** The incident lease: one live invocation per incident. */
export type LeaseClaim =
  /**
   * This invocation holds the incident. `planned`: the intents a crashed earlier holder recorded on its lease (its
   * fast-path writes may have taken before it could confirm them); the next holder treats them as unconfirmed.
   */
  | {
      readonly kind: 'claimed';
      readonly planned?: readonly AppliedStep[];
      /** When the previous holder ended its lease: a run that read the incident before then reads it again. */
      readonly previousEndedAt?: string;
    }
  | { readonly kind: 'busy'; readonly claimedUntil: string };

/** What the ledger knows of an incident before acting: its summary (once recorded) and every step's record. */
export interface IncidentRecord {
  readonly incident: Incident | undefined;
  /** Applied, released and unconfirmed steps, also before the incident summary is recorded (a crashed run). */
  readonly steps: readonly AppliedStep[];
}

export interface IncidentSummary {
  readonly incidentId: string;
  readonly findingId: string;
  readonly findingType: string;
  readonly playbook: string;
  readonly accountId: string;
  readonly region: string;
  readonly subject: string;
  readonly resourceArn?: string;
  readonly status: OutcomeStatus;
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly receivedAt: string;
  readonly containedAt?: string;
  readonly notifiedAt?: string;
  /** The last time the message for this incident could not be published; with no `notifiedAt`, no person was told. */
  readonly notifyFailedAt?: string;
  /** Config: when the rule found the resource compliant again. */
  readonly resolvedAt?: string;
}

export interface Incident extends IncidentSummary {
  readonly steps: readonly AppliedStep[];
  readonly releasedAt?: string;
  readonly releasedBy?: string;
  /** A released incident is not contained again before this time. */
  readonly exemptUntil?: string;
  /** The MAC of the release marker (releasedAt, releasedBy, exemptUntil), made by the release that wrote it. */
  readonly releaseMac?: string;
  /** Set by a ledger that checks MACs: whether the release marker is the one a Firebreak release wrote. */
  readonly releaseIntegrity?: RecordIntegrity;
  /** The first time a human acknowledged the incident (`firebreak ack`), and who. */
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
}

/** A second acknowledgement keeps the first: `already-acknowledged` says when and by whom. */
export type Acknowledgement =
  | { readonly kind: 'acknowledged' | 'already-acknowledged'; readonly at: string; readonly by: string }
  | { readonly kind: 'not-found' };

export type BreakerScope =
  { readonly kind: 'account'; readonly accountId: string } | { readonly kind: 'playbook'; readonly playbook: string };

export interface BreakerState {
  readonly scope: BreakerScope;
  /** The hour's counter is full: enforcing runs of this scope fall back to dry-run until the hour ends or a human closes it. */
  readonly open: boolean;
  /** Slots taken this hour (UTC clock hour; since the breaker was last closed, if later): kept by enforced runs, or held by runs still going. */
  readonly count: number;
  readonly limit: number;
  /** When this hour's page went out (at most one per scope and hour, and one more after each close). */
  readonly pagedAt?: string;
  readonly closedAt?: string;
}

/**
 * A slot of a breaker scope's counter, taken before any enforcing write. `hour` is the counter's hour (UTC,
 * `2026-11-21T08`); `generation` counts the closes of that hour, so a slot taken before a close is never given back
 * into the counter the close reset.
 */
export interface BreakerSlot {
  readonly scope: BreakerScope;
  readonly hour: string;
  readonly generation: number;
}

export type BreakerTake =
  /** `count`: the hour's count with this slot. */
  | { readonly kind: 'taken'; readonly slot: BreakerSlot; readonly count: number; readonly limit: number }
  /** The counter was at its limit: nothing taken. `paged`: this hour's page already went out. */
  | {
      readonly kind: 'full';
      readonly scope: BreakerScope;
      readonly hour: string;
      readonly generation: number;
      readonly count: number;
      readonly limit: number;
      readonly paged: boolean;
    };

/**
 * The incident ledger: one live delivery per incident (the lease), the pre-state of every write, the incident's
 * outcome and timings, and the blast-radius breaker. The engine depends on this interface only.
 */
export interface Ledger {
  /**
   * One live invocation per incident: a concurrent delivery of the same finding gets `busy` and stays quiet. The
   * lease expires, so a crashed invocation does not block the next delivery for longer than `leaseMs`.
   */
  leaseIncident(
    incidentId: string,
    owner: string,
    leaseMs: number,
    now: Date,
    planned?: readonly AppliedStep[],
  ): Promise<LeaseClaim>;
  /** Ends the lease (kept as released, with the time, so a delivery that read the incident before can tell). */
  endLease(incidentId: string, owner: string, now?: Date): Promise<void>;
  /** Drops the lease's planned intents once every step is recorded on its own. */
  clearPlanned(incidentId: string, owner: string): Promise<void>;
  /**
   * Records the write and the state it replaces before the write is made, so nothing is lost if the write is. Never
   * replaces a confirmed step; the incident lease keeps other deliveries out.
   */
  recordIntent(incidentId: string, step: AppliedStep, owner: string): Promise<void>;
  recordApplied(incidentId: string, step: AppliedStep, owner: string): Promise<void>;
  /**
   * Optional: the confirmation `step` is expected to be, announced before its write is made, so a ledger that signs
   * records can make the MAC while the write is in flight. recordApplied with the same content then uses it. Settles
   * when the MAC is made: a rejection means records cannot be signed now (the key is unavailable).
   */
  presignApplied?(incidentId: string, step: AppliedStep): Promise<void>;
  putIncident(summary: IncidentSummary, expiresAt: Date): Promise<void>;
  getIncident(incidentId: string): Promise<Incident | undefined>;
  /** The incident and its step records in one read. */
  readIncident(incidentId: string): Promise<IncidentRecord>;
  /** `releaseMac`: the MAC of the release marker, kept with it (a ledger that checks MACs makes it). */
  markReleased(
    incidentId: string,
    releasedBy: string,
    releasedAt: Date,
    exemptUntil: Date,
    released: readonly AppliedStep[],
    releaseMac?: string,
  ): Promise<void>;
  /**
   * The blast-radius breaker: one counter per scope and UTC hour. Takes a slot in one atomic conditional write (the
   * count goes up only while it is below `limit`), before any enforcing write: concurrent runs never overshoot.
   */
  takeBreakerSlot(scope: BreakerScope, limit: number, now: Date): Promise<BreakerTake>;
  /** Gives a slot back (a run that wrote nothing); a slot of a counter closed since is not given back. Idempotent only per slot: call it once. */
  giveBackBreakerSlot(slot: BreakerSlot): Promise<void>;
  /** True only for the first call per scope, hour and close (conditional write on the hour's counter): one page, not one per finding. */
  pageBreaker(full: Extract<BreakerTake, { kind: 'full' }>, now: Date): Promise<boolean>;
  breakerState(scope: BreakerScope, limit: number, now: Date): Promise<BreakerState>;
  /** Resets this hour's counter (and its page): enforcement resumes for the rest of the hour, up to the limit again. */
  closeBreaker(scope: BreakerScope, now: Date): Promise<void>;
  /** Config: the latest incident of a (rule, resource), so a later COMPLIANT evaluation can report it resolved. */
  linkConfigIncident(evaluationKey: string, incidentId: string, expiresAt: Date): Promise<void>;
  /** Records the resource's latest incident and returns the one it replaces, if any (for the recurrence metric). */
  markResourceIncident(
    resourceArn: string,
    incidentId: string,
    at: Date,
    expiresAt: Date,
  ): Promise<{ incidentId: string; at: string } | undefined>;
  latestConfigIncident(evaluationKey: string): Promise<string | undefined>;
  /** Records that a human took the incident in hand (for the time to acknowledge); only an existing incident, only once. */
  acknowledgeIncident(incidentId: string, by: string, at: Date): Promise<Acknowledgement>;
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
}
