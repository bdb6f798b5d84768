import type { Finding } from '../model/finding';

/**
 * What the finding's source says about a finding, read before the first enforcing write. Only `confirmed` allows a
 * write, and then on `finding`, AWS's version; every other kind means: write nothing, and say why.
 * `readFrom` names the call, the Region and (GuardDuty) the detector that answered, for the message and the logs.
 */
export type Confirmation =
  /** AWS has the finding and agrees on every field the engine acts on. `updated` names what AWS has changed since (severity, title). */
  | {
      readonly kind: 'confirmed';
      readonly finding: Finding;
      readonly readFrom: string;
      readonly updated: readonly string[];
    }
  /** AWS has it and agrees, but it is closed: archived in GuardDuty (by a person or a suppression rule), or RecordState ARCHIVED in Security Hub. */
  | { readonly kind: 'archived'; readonly finding: Finding; readonly readFrom: string; readonly reason: string }
  /** AWS has a finding of that id that differs in a field the engine acts on: each difference names the field and both values. */
  | {
      readonly kind: 'mismatch';
      readonly finding: Finding;
      readonly differences: readonly string[];
      readonly readFrom: string;
      readonly reason: string;
    }
  /** AWS has no such finding (an invented id, another Region, or expired after GuardDuty's 90 days). */
  | { readonly kind: 'not-found'; readonly readFrom: string; readonly reason: string }
  /** The source could not be read, or its answer could not be parsed: `error` keeps the cause (an AwsCallError carries the SDK error). */
  | { readonly kind: 'unreadable'; readonly error: Error; readonly readFrom: string; readonly reason: string }
  /** The finding has no source that can be re-read (a native AWS Config compliance change). */
  | { readonly kind: 'not-applicable'; readonly reason: string };

/** What one source answered, before it is compared with the payload. */
export type SourceAnswer =
  | { readonly kind: 'found'; readonly finding: Finding; readonly readFrom: string; readonly archived?: string }
  | Extract<Confirmation, { kind: 'not-found' | 'unreadable' }>;
