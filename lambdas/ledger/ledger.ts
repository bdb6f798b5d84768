import type { OutcomeStatus } from '../engine/outcome';

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
}

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
  /** Config: when the rule found the resource compliant again. */
  readonly resolvedAt?: string;
}

export interface Incident extends IncidentSummary {
  readonly steps: readonly AppliedStep[];
  readonly releasedAt?: string;
  readonly releasedBy?: string;
  /** A released incident is not contained again before this time. */
  readonly exemptUntil?: string;
  /** The first time a human acknowledged the incident (`firebreak ack`), and who. */
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
}

/** A second acknowledgement keeps the first: `already-acknowledged` says when and by whom. */
export type Acknowledgement =
  | { readonly kind: 'acknowledged' | 'already-acknowledged'; readonly at: string; readonly by: string }
  | { readonly kind: 'not-found' };

export type BreakerScope = { readonly kind: 'account'; readonly accountId: string } | { readonly kind: 'playbook'; readonly playbook: string };

export interface BreakerState {
  readonly scope: BreakerScope;
  readonly open: boolean;
  /** Enforced containments in the rolling hour (since the breaker was last closed, if later). */
  readonly count: number;
  readonly limit: number;
}

/**
 * The incident ledger: one live delivery per incident (the lease), the pre-state of every write, the incident's
 * outcome and timings, and the blast-radius breaker. The engine depends on this interface only.
 */
export interface Ledger {
  /**
   * One live invocation per incident: a concurrent delivery of the same finding gets `busy` and stays quiet. The
   * lease expires, so a crashed invocation does not block the next delivery for longer than `leaseMs`.
   */
  leaseIncident(incidentId: string, owner: string, leaseMs: number, now: Date, planned?: readonly AppliedStep[]): Promise<LeaseClaim>;
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
  putIncident(summary: IncidentSummary, expiresAt: Date): Promise<void>;
  getIncident(incidentId: string): Promise<Incident | undefined>;
  /** The incident and its step records in one read. */
  readIncident(incidentId: string): Promise<IncidentRecord>;
  markReleased(incidentId: string, releasedBy: string, releasedAt: Date, exemptUntil: Date, released: readonly AppliedStep[]): Promise<void>;
  countContainment(scopes: readonly BreakerScope[], incidentId: string, at: Date): Promise<void>;
  breakerState(scope: BreakerScope, limit: number, now: Date): Promise<BreakerState>;
  /** True only for the call that opened it: exactly one urgent notification per opening. */
  openBreaker(scope: BreakerScope, now: Date): Promise<boolean>;
  closeBreaker(scope: BreakerScope, now: Date): Promise<void>;
  /** Config: the latest incident of a (rule, resource), so a later COMPLIANT evaluation can report it resolved. */
  linkConfigIncident(evaluationKey: string, incidentId: string, expiresAt: Date): Promise<void>;
  /** Records the resource's latest incident and returns the one it replaces, if any (for the recurrence metric). */
  markResourceIncident(resourceArn: string, incidentId: string, at: Date, expiresAt: Date): Promise<{ incidentId: string; at: string } | undefined>;
  latestConfigIncident(evaluationKey: string): Promise<string | undefined>;
  /** Records that a human took the incident in hand (for the time to acknowledge); only an existing incident, only once. */
  acknowledgeIncident(incidentId: string, by: string, at: Date): Promise<Acknowledgement>;
}

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
}
