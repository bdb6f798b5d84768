import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';

/** Every AWS client the core uses. The core receives them as a parameter; tests pass mocked clients. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly sns: SNSClient;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly dynamodb: DynamoDBClient;
  /** Security Hub in the function's Region (BatchUpdateFindings); absent where it is not used. */
  readonly securityHub?: SecurityHubClient;
}

/** Standard retry mode (backoff with jitter, throttling errors retried) with a bound on attempts. */
export const RETRY_SETTINGS = { retryMode: 'standard', maxAttempts: 3 } as const;

/** A client built the first time it is used. */
function lazy<T>(build: () => T): () => T {
  let client: T | undefined;
  return () => (client ??= build());
}

/**
 * The client class, or a clear error where the bundle left its package out (lib/sdk-bundling.ts): a responder is
 * bundled without the SDK clients its playbook's permissions never use, and there the class is undefined.
 */
export function bundledClient<T>(client: T | undefined, packageName: string): T {
  if (typeof client !== 'function') throw new Error(`Firebreak: this function was bundled without ${packageName}, because its playbook grants no permission that uses it`);
  return client;
}

export function newEc2Client(config: object): EC2Client {
  return new (bundledClient(EC2Client, '@aws-sdk/client-ec2'))(config);
}

export function newAutoScalingClient(config: object): AutoScalingClient {
  return new (bundledClient(AutoScalingClient, '@aws-sdk/client-auto-scaling'))(config);
}

export function newIamClient(config: object): IAMClient {
  return new IAMClient(config);
}

/** The only place that constructs SDK clients: each is built on first use, once per cold start, and reused by warm invocations. */
export function createAwsClients(region: string): AwsClients {
  const config = { ...RETRY_SETTINGS, region };
  const iam = lazy(() => newIamClient(config));
  const sns = lazy(() => new SNSClient(config));
  const ec2 = lazy(() => newEc2Client(config));
  const autoScaling = lazy(() => newAutoScalingClient(config));
  const dynamodb = lazy(() => new DynamoDBClient(config));
  const securityHub = lazy(() => new (bundledClient(SecurityHubClient, '@aws-sdk/client-securityhub'))(config));
  return {
    get iam() {
      return iam();
    },
    get sns() {
      return sns();
    },
    get ec2() {
      return ec2();
    },
    get autoScaling() {
      return autoScaling();
    },
    get dynamodb() {
      return dynamodb();
    },
    get securityHub() {
      return securityHub();
    },
  };
}

/** `base` with the target account's IAM, EC2 and Auto Scaling clients, without loading any client early. */
export function withTargetClients(base: AwsClients, target: Pick<AwsClients, 'iam' | 'ec2' | 'autoScaling'>): AwsClients {
  return {
    get iam() {
      return target.iam;
    },
    get ec2() {
      return target.ec2;
    },
    get autoScaling() {
      return target.autoScaling;
    },
    get sns() {
      return base.sns;
    },
    get dynamodb() {
      return base.dynamodb;
    },
    get securityHub() {
      return base.securityHub;
    },
  };
}
