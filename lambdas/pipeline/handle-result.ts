import type { Outcome } from '../model/outcome';

export interface SecurityHubFindingOutcome {
  readonly index: number;
  readonly asffId?: string;
  readonly result:
    | HandleResult
    | { readonly kind: 'rejected'; readonly problems: readonly string[] }
    /** Handled but not fully (a failed step, notified): the outcome, when the failure carried one. */
    | { readonly kind: 'failed'; readonly error: string; readonly outcome?: Outcome; readonly notifiedAt?: string };
}

export type SecurityHubResult = {
  readonly kind: 'securityhub';
  readonly trigger: 'imported' | 'contain';
  readonly findings: readonly SecurityHubFindingOutcome[];
};

export type ApprovalResult =
  | {
      readonly kind: 'approval';
      readonly incidentId: string;
      readonly result: 'not-found' | 'other-playbook' | 'already-decided' | 'denied';
      readonly reason: string;
    }
  | {
      readonly kind: 'sweep';
      readonly due: number;
      readonly results: readonly { readonly incidentId: string; readonly result: string }[];
    };

export type HandleResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | {
      readonly kind: 'handled';
      readonly outcome: Outcome;
      readonly messageId?: string;
      readonly notifiedAt?: string;
      readonly suppressed?: string;
    }
  | { readonly kind: 'resolved'; readonly incidentId: string; readonly messageId?: string }
  | SecurityHubResult
  | ApprovalResult;

/** Thrown after notifying, so the event lands in the dead-letter queue (kept and alarmed) when a step failed. */
export class ContainmentIncompleteError extends Error {
  override readonly name = 'ContainmentIncompleteError';
  constructor(
    message: string,
    /** What was done and when it was notified, for the response metrics. */
    readonly outcome?: Outcome,
    readonly notifiedAt?: string,
    /** An event of several findings (Security Hub): each handled finding's outcome, failed or not. */
    readonly findingOutcomes?: readonly { readonly outcome: Outcome; readonly notifiedAt?: string }[],
  ) {
    super(message);
  }
}
