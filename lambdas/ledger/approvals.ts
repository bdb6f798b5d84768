import type { StepStatus } from '../model/outcome';

/**
 * The ledger's sparse index of approvals the sweep must look at: only an approval item waiting for a decision (or
 * denied and not yet notified) carries `approvalSweep` (its playbook id) and `approvalDueAt` (when to look at it).
 */
export const APPROVALS_DUE = {
  indexName: 'approvals-due',
  partitionKey: 'approvalSweep',
  sortKey: 'approvalDueAt',
} as const;

/** An EventBridge event is at most 256 KB; the approval item (event and plan) stays well under DynamoDB's 400 KB. */
export const MAX_STORED_EVENT_BYTES = 256 * 1024;

export type ApprovalStatus = 'awaiting' | 'approved' | 'denied' | 'expired';

/** One step of the plan as the approver saw it. */
export interface PlannedStepSummary {
  readonly action: string;
  readonly status: StepStatus;
  readonly summary: string;
}

export interface ApprovalRequest {
  readonly incidentId: string;
  readonly playbook: string;
  readonly requestedAt: string;
  /** After this time the sweep applies `onTimeout`. */
  readonly approvalExpiresAt: string;
  readonly onTimeout: 'contain' | 'drop';
  /** The EventBridge event as received: approving re-runs the playbook on it. */
  readonly event: unknown;
  readonly plan: readonly PlannedStepSummary[];
}

export interface Approval extends ApprovalRequest {
  readonly status: ApprovalStatus;
  /** Who approved or denied (or `timeout`), and when. */
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  /** When the decision's message (denied, expired) was claimed for sending: it is sent once. */
  readonly notifiedAt?: string;
}

export type ApprovalRequestResult =
  { readonly kind: 'requested' } | { readonly kind: 'exists'; readonly approval: Approval };

export type Decision =
  | { readonly kind: 'approve' | 'deny'; readonly by: string }
  /** The sweep, only once the approval has expired: `contain` approves, `drop` expires it. */
  | { readonly kind: 'timeout'; readonly onTimeout: 'contain' | 'drop' };

/** Exactly one decision wins: the others get `already-decided` with the winner's status, who and when. */
export type DecisionResult =
  | { readonly kind: 'decided'; readonly approval: Approval }
  | { readonly kind: 'already-decided'; readonly approval: Approval }
  | { readonly kind: 'not-found' };

export interface Approvals {
  /** Records a plan as awaiting approval, unless the incident has one pending or decided (then `exists`). */
  requestApproval(request: ApprovalRequest, now: Date): Promise<ApprovalRequestResult>;
  getApproval(incidentId: string): Promise<Approval | undefined>;
  /** Conditional on the approval still awaiting (and, for a timeout, expired): only one of approve, deny, expire wins. */
  decide(incidentId: string, decision: Decision, now: Date): Promise<DecisionResult>;
  /** The incident ids of this playbook's approvals due at `now`: expired, or denied and not yet notified. */
  dueApprovals(playbook: string, now: Date): Promise<string[]>;
  /**
   * Puts an approval that could not be applied (another delivery held the incident) back to awaiting, due again at
   * its original expiry: only if it is still exactly the approval this caller won. True when it was put back.
   */
  reopen(approval: Approval): Promise<boolean>;
  /** Claims the message of a denial: true for exactly one caller. */
  claimDenialMessage(incidentId: string, now: Date): Promise<boolean>;
}

export class ApprovalTooLargeError extends Error {
  override readonly name = 'ApprovalTooLargeError';
}
