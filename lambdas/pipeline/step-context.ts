import type { AwsClients } from '../aws/aws-clients';
import type { Target } from '../model/action';
import type { StepOutcome } from '../model/outcome';
import type { PlaybookMode } from '../model/playbook';
import type { Journal } from './journal';

/** What every step of one run shares. */
export interface StepContext {
  readonly target: Target;
  readonly mode: PlaybookMode;
  readonly clients: AwsClients | undefined;
  /** `clients` with reads shared by input: the reads started before resolving are not made twice. Describe only. */
  readonly reader: AwsClients | undefined;
  /** Set when the run records its steps in the ledger (enforcing, with a ledger); absent: nothing is recorded. */
  readonly journal: Journal | undefined;
  /** One time for every plan of the run, so a plan made on assumed state and one made on real state can compare. */
  readonly planTime: Date;
  readonly now: () => Date;
  /** A write to any of these principals (a plan's `principals`) is refused, as the finding's own subject would be. */
  readonly protectedPrincipals: readonly string[];
}

/** When a step's write may go out: after `waitFor` (the reads before it, the writes it names in `after`). */
export interface WriteTurn {
  readonly waitFor: readonly Promise<unknown>[];
  /** Called once the write has gone out (taken or failed): the steps that name this one in `after` may write. */
  readonly wrote: () => void;
}

export type StepHead = Pick<StepOutcome, 'action' | 'title' | 'containment'>;

/** A step's outcome without what every outcome of that step shares (its action, title, duration). */
export type StepResult = Omit<StepOutcome, keyof StepHead | 'durationMs'>;
