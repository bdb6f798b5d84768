import type * as z from 'zod/mini';
import type { AwsClients } from '../aws/aws-clients';
import type { Finding, Subject } from './finding';
import type { Resource } from './resource';

/** Where an action's IAM permission applies; the CDK turns it into a resource ARN of the target account. */
export type ResourceKind =
  | 'iam-user'
  | 'iam-role'
  | 'iam-instance-profile'
  /** Any EC2 resource of the account and Region (instances, interfaces, groups, volumes, snapshots, VPCs). */
  | 'ec2'
  | 'autoscaling-group'
  /** Actions that support no resource-level permission (Describe*): resource `*`. */
  | 'unscoped';

export interface Permission {
  /** An IAM action such as `iam:UpdateAccessKey`; never a wildcard. */
  readonly action: string;
  readonly resource: ResourceKind;
  /** True for calls that change something; used for the explicit deny on protected principals. */
  readonly write: boolean;
  /**
   * Not called in every run: it authorizes part of another call (ec2:CreateTags for TagSpecifications) or a call made
   * only in some states (emptying a dirty quarantine group). The conformance test does not require a run to use it.
   */
  readonly authorizationOnly?: boolean;
}

/** The resolved thing an action works on. */
export interface Target {
  readonly finding: Finding;
  readonly resource: Resource;
}

/** Data, so that dry-run and simulate can show exactly what would be done, and tests need no AWS. */
export type Plan<Write> =
  | {
      readonly kind: 'write';
      readonly summary: string;
      readonly write: Write;
      /** The state this write replaces, so release can put it back. */
      readonly replaced: unknown;
      /** Commands that undo the write from `replaced`. */
      readonly release: readonly string[];
      readonly manualSteps?: readonly string[];
      /**
       * The IAM principals (ARNs, with their path) whose policies this write changes, beyond the finding's subject:
       * the engine refuses the write when one of them is protected (the role of an instance profile, say).
       */
      readonly principals?: readonly string[];
    }
  | { readonly kind: 'no-op'; readonly summary: string; readonly manualSteps?: readonly string[] }
  /** Reads only: the state as found, kept so that release can restore it. */
  | {
      readonly kind: 'record';
      readonly summary: string;
      readonly recorded: unknown;
      readonly manualSteps?: readonly string[];
    }
  | { readonly kind: 'skip'; readonly summary: string; readonly manualSteps: readonly string[] };

/** What undoing one applied step did. */
export interface ReleaseResult {
  /** restored: put back now; already-restored: found as it was before; kept: evidence, or changed since by someone else. */
  readonly status: 'restored' | 'already-restored' | 'kept';
  readonly summary: string;
}

/** A step as the ledger recorded it: the write (names, ids) and the state it replaced. */
export interface AppliedRecord<Write = unknown> {
  readonly write: Write;
  readonly replaced: unknown;
}

export interface Verification {
  readonly confirmed: boolean;
  readonly detail: string;
}

export interface Action<Params = unknown, State = unknown, Write = unknown> {
  /** Equal to the file name in `lambdas/actions/`. */
  readonly id: string;
  readonly title: string;
  /** Containment steps decide whether a finding is contained; others (tags) are bookkeeping. */
  readonly containment: boolean;
  /** Whether this action has anything to do for the subject; other subjects see the step as not applicable. */
  appliesTo(subject: Subject): boolean;
  readonly permissions: readonly Permission[];
  readonly params: z.ZodMiniType<Params>;
  /** Read only. */
  describe(target: Target, params: Params, clients: AwsClients): Promise<State>;
  /** The state `simulate` assumes without AWS: the worst case, nothing contained yet. */
  assume(target: Target, params: Params): State;
  /** Pure. */
  plan(target: Target, state: State, params: Params, now: Date): Plan<Write>;
  /** The only writes. May return the write completed with what AWS assigned (new ids), which verify then reads. */
  apply(write: Write, clients: AwsClients): Promise<Write | void>;
  /** Read back: did it take? */
  verify(write: Write, clients: AwsClients): Promise<Verification>;
  /**
   * Undo from the recorded pre-state; only what this step changed, and only if it is still as the step left it.
   * Absent for steps whose result is evidence (snapshots, tags) or that wrote nothing.
   */
  release?(applied: AppliedRecord<Write>, clients: AwsClients): Promise<ReleaseResult>;
  /** What `release` calls; the release function's role holds the union of these. */
  readonly releasePermissions?: readonly Permission[];
  /** Why release leaves this step's result in place (evidence, a record); every action has `release` or this. */
  readonly keptOnRelease?: string;
}

/** The registry holds actions of every parameter and state type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = Action<any, any, any>;
