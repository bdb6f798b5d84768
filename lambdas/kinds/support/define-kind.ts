import type { AwsClients } from '../../aws/aws-clients';
import type { Permission } from '../../model/action';
import type { Finding, Subject, SubjectKind } from '../../model/finding';
import type { Resource } from '../../model/resource';

export type ResourceKindName = Resource['kind'];
export type SubjectOf<S extends SubjectKind> = Extract<Subject, { readonly kind: S }>;
export type ResourceOf<K extends ResourceKindName> = Extract<Resource, { readonly kind: K }>;

export type Resolution<R extends Resource = Resource> =
  | { readonly kind: 'resolved'; readonly resource: R }
  /** What the finding names is not what AWS has now (gone, re-created, terminated): acting could hit the wrong thing. */
  | { readonly kind: 'mismatch'; readonly reason: string };

/** The IAM resource ARNs of one kind in an account and Region (`*` matches any run of characters, as in IAM). */
export type ArnPatterns = (partition: string, region: string, account: string) => string[];

/**
 * One way a finding names a resource R (an IAM user by name, or by its unique id). Every function receives
 * the subject narrowed to S. Function properties, not methods, so that their parameters are checked strictly.
 */
export interface SubjectForm<S extends SubjectKind, R extends Resource = Resource> {
  /** Reads what the finding names, with exactly the kind's resolvePermissions; a gone or re-created one is a mismatch. */
  readonly resolve: (subject: SubjectOf<S>, finding: Finding, clients: AwsClients) => Promise<Resolution<R>>;
  /** What `simulate` assumes without AWS. */
  readonly assume: (subject: SubjectOf<S>, finding: Finding) => R;
  /** The ARNs it is known by before AWS is read (without an IAM path), matched against the protected principals. */
  readonly protectionArns: (subject: SubjectOf<S>, finding: Finding) => string[];
  /** What a human still has to do, whatever Firebreak did. Concrete, in the order to do it. */
  readonly followUpSteps: (subject: SubjectOf<S>, finding: Finding) => string[];
  /** How messages name it: `IAM user ci-deploy`. */
  readonly describe: (subject: SubjectOf<S>) => string;
  /**
   * What tells it apart from other subjects of the same finding id (`user/ci-deploy/AKIA...`): one incident per
   * (finding, subject). Stable: the ledger keys incidents by it, so changing it re-opens every incident.
   */
  readonly incidentKey: (subject: SubjectOf<S>) => string;
}

export interface ResourceKindPlugin<K extends ResourceKindName, S extends SubjectKind> {
  /** Equal to the file name in `lambdas/kinds/`. */
  readonly id: string;
  /** What resolving yields; `unresolved` for what Firebreak never writes to (root, federated users, ...). */
  readonly resource: K;
  /**
   * What resolve calls (reads only), by the resource type a playbook's trigger receives (GuardDuty `AccessKey`, Config
   * `AWS::IAM::User`); the CDK grants them to the responders whose trigger receives that type.
   */
  readonly resolvePermissions: Readonly<Record<string, readonly Permission[]>>;
  /**
   * The ARN patterns of every resource of this kind in an account and Region: what resolve returns matches one, and
   * the CDK scopes the permissions on this kind with them. None for what has no resource ARN of its own.
   */
  readonly arnPatterns: ArnPatterns;
  /** The subject kinds that name this kind, each with functions that receive its own narrowed subject. */
  readonly subjects: { readonly [P in S]: SubjectForm<P, NoInfer<ResourceOf<K>>> };
}

/**
 * Checks a kind's shape and infers its resource kind (from `resource` only) and its subject kinds (from the keys of
 * `subjects`) from the definition itself: no casts, and each function receives its own narrowed subject.
 */
export function defineKind<K extends ResourceKindName, S extends SubjectKind>(
  plugin: ResourceKindPlugin<K, S>,
): ResourceKindPlugin<K, S> {
  return plugin;
}
