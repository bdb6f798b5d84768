/** What releasing one incident did, step by step: the release function's answer and its message. */
export interface ReleasedStep {
  readonly action: string;
  readonly status: 'restored' | 'already-restored' | 'already-released' | 'kept' | 'unconfirmed' | 'failed' | 'refused';
  readonly summary: string;
}

export interface ReleaseReport {
  readonly incidentId: string;
  readonly findingId: string;
  readonly accountId: string;
  readonly playbook: string;
  readonly steps: readonly ReleasedStep[];
  readonly exemptUntil: string;
  /** True when every step was restored, already restored, or is kept as evidence (none failed or unconfirmed). */
  readonly complete: boolean;
  /**
   * Step records that failed their integrity check (their MAC does not verify, or they have none): when there is
   * one, nothing at all was written and the incident is not marked released. Each names the record in the table.
   */
  readonly refused?: readonly string[];
}
