import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCall, errorCodeOf } from './aws-call-error';
import {
  RETRY_SETTINGS,
  builtOnFirstUse,
  newAutoScalingClient,
  newEc2Client,
  newIamClient,
  type AwsClients,
} from './aws-clients';

/** The clients that act on the finding's resources; the ledger and the topic stay in the security account. */
export type TargetClients = Pick<AwsClients, 'iam' | 'ec2' | 'autoScaling'>;

export interface ClientFactory {
  /**
   * Clients for an account and Region, assuming the member role when the account is not this one, scoped by the
   * inline session policy: `sessionPolicy` where given (release: the union for the incident being released), else
   * the factory's. A member account without either is refused: a session without a policy holds every write of every
   * playbook and of release.
   */
  forTarget(accountId: string, region: string, findingId: string, sessionPolicy?: string): Promise<TargetClients>;
}

/** The member role could not be assumed: nothing was written; the message says which role to deploy where. */
export class MemberRoleUnavailableError extends Error {
  override readonly name = 'MemberRoleUnavailableError';

  constructor(
    readonly accountId: string,
    readonly roleArn: string,
    cause: unknown,
  ) {
    const root = (cause as { cause?: unknown }).cause ?? cause;
    const code = errorCodeOf(root);
    const advice = /PackedPolicyTooLarge|MalformedPolicyDocument/.test(code)
      ? "STS refused the playbook's session policy: split the playbook's steps into two playbooks (lambdas/aws/session-policy.ts says how the policy is built)"
      : "deploy the Firebreak member-account stack to that account (the StackSet does it for the organization's OUs; " +
        "the management account needs it deployed by hand), or check that its trust policy names this responder's role";
    super(
      `Cannot assume ${roleArn} in account ${accountId} (${code}: ${root instanceof Error ? root.message : String(root)}): ${advice}`,
      { cause },
    );
  }
}

export interface ClientFactoryOptions {
  readonly homeAccountId: string;
  readonly partition: string;
  /** The role of the member-account stack; absent: only the home account is reachable. */
  readonly memberRoleName?: string;
  /** Credentials are refreshed this long before they expire. */
  readonly refreshMarginMs?: number;
  readonly now?: () => Date;
  /** Builds the STS client of a Region (tests pass a mocked one). */
  readonly stsFor?: (region: string) => STSClient;
  /**
   * The inline session policy passed on every AssumeRole whose forTarget names none: a responder's is its playbook's
   * (responderSessionPolicy). Absent, and none given to forTarget: member accounts are refused.
   */
  readonly sessionPolicy?: string;
  /** Called after each AssumeRole (not for a cached session); the handler logs it. */
  readonly onAssumed?: (session: AssumedSession) => void;
}

interface CachedClients {
  readonly clients: TargetClients;
  readonly expiresAt: number;
}

/** No session policy was given for a member account: nothing was assumed, nothing written. */
export class SessionPolicyMissingError extends Error {
  override readonly name = 'SessionPolicyMissingError';

  constructor(
    readonly accountId: string,
    readonly roleArn: string,
  ) {
    super(
      `Refusing to assume ${roleArn} in account ${accountId} without a session policy: the ` +
        `session would hold every playbook's and release's permissions. This is a Firebreak wiring ` +
        `error: the function must pass its session policy (responderSessionPolicy or releaseSessionPolicy ` +
        `in lambdas/engine/playbook-permissions.ts) to createClientFactory or forTarget`,
    );
  }
}

/** What one AssumeRole returned, for the logs: how close the session policy came to STS's packed size limit. */
export interface AssumedSession {
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string;
  /** The percentage of STS's packed limit that the session policy uses (AssumeRole's PackedPolicySize), where STS says. */
  readonly packedPolicySize?: number;
}

/** A role session name carries the finding id, so CloudTrail shows which finding a change belongs to. */
export function roleSessionName(findingId: string): string {
  return `firebreak-${findingId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

/**
 * Home account: the function's own credentials. Member account: AssumeRole through the Regional STS endpoint of
 * the finding's Region with the inline session policy, cached per (account, Region, session policy) for the
 * credentials' lifetime in a warm function: a session is never reused under another policy. The session name carries
 * the finding id that assumed it; later findings that reuse the cached session are attributed by the logs and the
 * ledger, which name both.
 */
export function createClientFactory(home: TargetClients, options: ClientFactoryOptions): ClientFactory {
  const cache = new Map<string, CachedClients>();
  const homeByRegion = new Map<string, TargetClients>();
  const now = options.now ?? (() => new Date());
  const margin = options.refreshMarginMs ?? 60_000;
  const stsFor = options.stsFor ?? ((region: string) => new STSClient({ ...RETRY_SETTINGS, region }));
  const stsByRegion = new Map<string, STSClient>();
  return {
    async forTarget(accountId, region, findingId, sessionPolicy) {
      if (accountId === options.homeAccountId) {
        const existing = homeByRegion.get(region);
        if (existing) return existing;
        // IAM is global; EC2 and Auto Scaling act in the finding's Region. Built on first use.
        const clients = builtOnFirstUse<TargetClients>({
          iam: () => home.iam,
          ec2: () => newEc2Client({ ...RETRY_SETTINGS, region }),
          autoScaling: () => newAutoScalingClient({ ...RETRY_SETTINGS, region }),
        });
        homeByRegion.set(region, clients);
        return clients;
      }
      const roleArn = `arn:${options.partition}:iam::${accountId}:role/${options.memberRoleName ?? '(not configured)'}`;
      if (!options.memberRoleName)
        throw new MemberRoleUnavailableError(
          accountId,
          roleArn,
          new Error('no member role is configured (organization.memberRoleName)'),
        );
      const policy = sessionPolicy ?? options.sessionPolicy;
      if (!policy) throw new SessionPolicyMissingError(accountId, roleArn);
      const key = JSON.stringify([accountId, region, policy]);
      const cached = cache.get(key);
      if (cached && cached.expiresAt - margin > now().getTime()) return cached.clients;
      for (const [stale, entry] of cache) if (entry.expiresAt - margin <= now().getTime()) cache.delete(stale);
      let sts = stsByRegion.get(region);
      if (!sts) {
        sts = stsFor(region);
        stsByRegion.set(region, sts);
      }
      let response;
      try {
        response = await awsCall('sts:AssumeRole', roleArn, () =>
          sts.send(
            new AssumeRoleCommand({
              RoleArn: roleArn,
              RoleSessionName: roleSessionName(findingId),
              DurationSeconds: 3600,
              Policy: policy,
            }),
          ),
        );
      } catch (error) {
        throw new MemberRoleUnavailableError(accountId, roleArn, error);
      }
      const credentials = response.Credentials;
      if (
        !credentials?.AccessKeyId ||
        !credentials.SecretAccessKey ||
        !credentials.SessionToken ||
        !credentials.Expiration
      ) {
        throw new MemberRoleUnavailableError(accountId, roleArn, new Error('STS returned no credentials'));
      }
      options.onAssumed?.({
        accountId,
        region,
        roleArn,
        ...(response.PackedPolicySize === undefined ? {} : { packedPolicySize: response.PackedPolicySize }),
      });
      const identity = {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
      const config = { ...RETRY_SETTINGS, region, credentials: identity };
      const clients = builtOnFirstUse<TargetClients>({
        iam: () => newIamClient(config),
        ec2: () => newEc2Client(config),
        autoScaling: () => newAutoScalingClient(config),
      });
      cache.set(key, { clients, expiresAt: credentials.Expiration.getTime() });
      return clients;
    },
  };
}
