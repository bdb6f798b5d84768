import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCall, errorCodeOf } from './aws-call-error';
import { RETRY_SETTINGS, builtOnFirstUse, newAutoScalingClient, newEc2Client, newIamClient, type AwsClients } from './aws-clients';

/** The clients that act on the finding's resources; the ledger and the topic stay in the security account. */
export type TargetClients = Pick<AwsClients, 'iam' | 'ec2' | 'autoScaling'>;

export interface ClientFactory {
  /** Clients for an account and Region, assuming the member role when the account is not this one. */
  forTarget(accountId: string, region: string, findingId: string): Promise<TargetClients>;
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
    super(
      `Cannot assume ${roleArn} in account ${accountId} (${errorCodeOf(root)}: ${root instanceof Error ? root.message : String(root)}): deploy the Firebreak member-account stack to that account (the StackSet does it for the organization's OUs; the management account needs it deployed by hand), or check that its trust policy names this responder's role`,
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
}

interface CachedClients {
  readonly clients: TargetClients;
  readonly expiresAt: number;
}

/** A role session name carries the finding id, so CloudTrail shows which finding a change belongs to. */
export function roleSessionName(findingId: string): string {
  return `firebreak-${findingId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

/**
 * Home account: the function's own credentials. Member account: AssumeRole through the Regional STS endpoint of
 * the finding's Region, cached per (account, Region) for the credentials' lifetime in a warm function. The session
 * name carries the finding id that assumed it; later findings that reuse the cached session are attributed by the
 * logs and the ledger, which name both.
 */
export function createClientFactory(home: TargetClients, options: ClientFactoryOptions): ClientFactory {
  const cache = new Map<string, CachedClients>();
  const homeByRegion = new Map<string, TargetClients>();
  const now = options.now ?? (() => new Date());
  const margin = options.refreshMarginMs ?? 60_000;
  const stsFor = options.stsFor ?? ((region: string) => new STSClient({ ...RETRY_SETTINGS, region }));
  const stsByRegion = new Map<string, STSClient>();
  return {
    async forTarget(accountId, region, findingId) {
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
      if (!options.memberRoleName) throw new MemberRoleUnavailableError(accountId, roleArn, new Error('no member role is configured (organization.memberRoleName)'));
      const key = `${accountId}/${region}`;
      const cached = cache.get(key);
      if (cached && cached.expiresAt - margin > now().getTime()) return cached.clients;
      let sts = stsByRegion.get(region);
      if (!sts) {
        sts = stsFor(region);
        stsByRegion.set(region, sts);
      }
      let response;
      try {
        response = await awsCall('sts:AssumeRole', roleArn, () => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: roleSessionName(findingId), DurationSeconds: 3600 })));
      } catch (error) {
        throw new MemberRoleUnavailableError(accountId, roleArn, error);
      }
      const credentials = response.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !credentials.Expiration) {
        throw new MemberRoleUnavailableError(accountId, roleArn, new Error('STS returned no credentials'));
      }
      const identity = { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken, expiration: credentials.Expiration };
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
