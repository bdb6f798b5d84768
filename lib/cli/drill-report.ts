/** What a drill reports: each phase with its duration, what it verified, what it cleaned up, the two times. */

export type PhaseStatus = 'ok' | 'failed' | 'skipped';

export interface PhaseReport {
  readonly name: string;
  readonly status: PhaseStatus;
  readonly durationMs: number;
  readonly detail: string;
}

/** One thing read back from AWS or the ledger, and whether it was as it should be. */
export interface Check {
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** One canary resource the drill deleted, refused to delete (no drill tag), or could not delete. */
export interface CleanedUp {
  readonly resource: string;
  readonly status: 'deleted' | 'absent' | 'refused' | 'failed';
  readonly detail: string;
}

export interface DrillReport {
  readonly drillId: string;
  readonly responderFunction: string;
  readonly releaseFunction: string;
  readonly startedAt: string;
  readonly canary: { readonly userName: string; readonly accessKeyId?: string; readonly networkInterfaceId?: string };
  readonly incidentId?: string;
  /** From the drill request to the moment IAM was first read with the key Inactive and the sessions denied. */
  readonly timeToContainMs?: number;
  /** From the drill request to the time the ledger records the message as sent (`notifiedAt`). */
  readonly timeToMessageMs?: number;
  readonly phases: readonly PhaseReport[];
  readonly verified: readonly Check[];
  readonly cleanedUp: readonly CleanedUp[];
  /** Every phase ok (none failed or skipped). */
  readonly ok: boolean;
}

/** What a phase returns: its verdict and one line about it, and what the later phases need. */
export interface PhaseResult<T> {
  readonly ok: boolean;
  readonly detail: string;
  readonly value?: T;
}

/** The phases so far, each timed; a phase that throws is failed with the error's message, never the end of the drill. */
export class PhaseLog {
  readonly phases: PhaseReport[] = [];

  constructor(private readonly now: () => Date) {}

  async run<T>(name: string, phase: () => Promise<PhaseResult<T>>): Promise<PhaseResult<T>> {
    const started = this.now().getTime();
    let result: PhaseResult<T>;
    try {
      result = await phase();
    } catch (error) {
      result = { ok: false, detail: `${(error as Error).name}: ${(error as Error).message}` };
    }
    const durationMs = this.now().getTime() - started;
    this.phases.push({ name, status: result.ok ? 'ok' : 'failed', durationMs, detail: result.detail });
    return result;
  }

  /** A phase measured by the caller (its duration is a time from the drill request). */
  record(name: string, ok: boolean, durationMs: number, detail: string): void {
    this.phases.push({ name, status: ok ? 'ok' : 'failed', durationMs, detail });
  }

  skip(name: string, reason: string): void {
    this.phases.push({ name, status: 'skipped', durationMs: 0, detail: reason });
  }
}
