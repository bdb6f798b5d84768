import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { awsCall } from './aws-call-error';
import {
  RETRY_SETTINGS,
  builtOnFirstUse,
  newAutoScalingClient,
  newEc2Client,
  newIamClient,
  type AwsClients,
} from './aws-clients';
import { guardReadOnly, type HasMiddlewareStack } from './read-only-guard';

/** The clients of a live plan: every one behind the read-only guard, all writing to one log of the calls made. */
export interface ReadOnlyClients extends AwsClients {
  readonly sts: STSClient;
  /** `service:Operation` of every call let through, in order. */
  readonly reads: readonly string[];
  /** Calls the guard refused: a live plan with any of them fails, even if the engine caught the error. */
  readonly refused: readonly string[];
}

export interface ReadOnlyClientOptions {
  readonly region: string;
  /** Absent: the default credential chain (environment, AWS_PROFILE, SSO, instance role...). */
  readonly credentials?: AwsCredentialIdentity;
  /** Called with each client as it is built, after the guard (tests put a fake transport here). */
  readonly onClient?: (client: HasMiddlewareStack) => void;
  /** Shared with other clients of the same plan, so that one log lists every call. */
  readonly reads?: string[];
  readonly refused?: string[];
}

/** IAM, EC2, Auto Scaling, STS (and, never used by a plan, SNS and DynamoDB), each guarded, each built on first use. */
export function createReadOnlyClients(options: ReadOnlyClientOptions): ReadOnlyClients {
  const reads = options.reads ?? [];
  const refused = options.refused ?? [];
  const config = {
    ...RETRY_SETTINGS,
    region: options.region,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const guarded =
    <T extends HasMiddlewareStack>(build: () => T) =>
    () => {
      const client = guardReadOnly(build(), { log: reads, refused });
      options.onClient?.(client);
      return client;
    };
  const clients = builtOnFirstUse<Omit<ReadOnlyClients, 'reads' | 'refused'>>({
    iam: guarded(() => newIamClient(config)),
    ec2: guarded(() => newEc2Client(config)),
    autoScaling: guarded(() => newAutoScalingClient(config)),
    sts: guarded(() => new STSClient(config)),
    sns: guarded(() => new SNSClient(config)),
    dynamodb: guarded(() => new DynamoDBClient(config)),
  });
  // Object.assign adds the logs without reading (and so building) any client.
  return Object.assign(clients, { reads, refused });
}

/** The AWS managed policy passed as a session policy when a role is assumed: the session itself can only read. */
export function readOnlySessionPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;
}

export interface AssumeReadOnlyOptions extends Omit<ReadOnlyClientOptions, 'credentials'> {
  readonly roleArn: string;
  readonly partition: string;
  readonly sessionName: string;
}

/**
 * Assumes a role asked for by the user (never implicitly) with the ReadOnlyAccess session policy, and returns guarded
 * clients on its credentials. The STS client that assumes is the only client allowed AssumeRole, and it is guarded too.
 */
export async function assumeReadOnly(options: AssumeReadOnlyOptions): Promise<ReadOnlyClients> {
  const reads = options.reads ?? [];
  const refused = options.refused ?? [];
  const sts = guardReadOnly(new STSClient({ ...RETRY_SETTINGS, region: options.region }), {
    alsoAllow: ['AssumeRole'],
    log: reads,
    refused,
  });
  options.onClient?.(sts);
  const response = await awsCall('sts:AssumeRole', options.roleArn, () =>
    sts.send(
      new AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName,
        DurationSeconds: 900,
        PolicyArns: [{ arn: readOnlySessionPolicyArn(options.partition) }],
      }),
    ),
  );
  const credentials = response.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new Error(`sts:AssumeRole on ${options.roleArn} returned no credentials`);
  }
  return createReadOnlyClients({
    ...options,
    reads,
    refused,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    },
  });
}
