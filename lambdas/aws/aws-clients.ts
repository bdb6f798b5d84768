import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
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
  /** GuardDuty in the function's Region (GetFindings: a finding is re-read from its source before acting); absent where unused. */
  readonly guardDuty?: GuardDutyClient;
  /** KMS in the function's Region (GenerateMac / VerifyMac of ledger records); absent where unused. */
  readonly kms?: KMSClient;
}

/** Standard retry mode (backoff with jitter, throttling errors retried) with a bound on attempts. */
export const RETRY_SETTINGS = { retryMode: 'standard', maxAttempts: 3 } as const;

/** An object whose every property is built by its function the first time it is read, then kept. */
export function builtOnFirstUse<T extends object>(builders: { readonly [K in keyof T]: () => T[K] }): T {
  const built = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    let value: T[typeof key] | undefined;
    let done = false;
    Object.defineProperty(built, key, {
      enumerable: true,
      get: () => {
        if (!done) {
          value = builders[key]();
          done = true;
        }
        return value;
      },
    });
  }
  return built;
}

/**
 * The client class, or a clear error where the bundle left its package out (lib/sdk-bundling.ts): a responder is
 * bundled without the SDK clients its playbook's permissions never use, and there the class is undefined.
 */
export function bundledClient<T>(client: T | undefined, packageName: string): T {
  if (typeof client !== 'function')
    throw new Error(
      `Firebreak: this function was bundled without ${packageName}, because its playbook grants no permission that uses it`,
    );
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
  return builtOnFirstUse<AwsClients>({
    iam: () => newIamClient(config),
    sns: () => new SNSClient(config),
    ec2: () => newEc2Client(config),
    autoScaling: () => newAutoScalingClient(config),
    dynamodb: () => new DynamoDBClient(config),
    securityHub: () => new (bundledClient(SecurityHubClient, '@aws-sdk/client-securityhub'))(config),
    guardDuty: () => new (bundledClient(GuardDutyClient, '@aws-sdk/client-guardduty'))(config),
    kms: () => new (bundledClient(KMSClient, '@aws-sdk/client-kms'))(config),
  });
}

/** `base` with the target account's IAM, EC2 and Auto Scaling clients, without loading any client early. */
export function withTargetClients(
  base: AwsClients,
  target: Pick<AwsClients, 'iam' | 'ec2' | 'autoScaling'>,
): AwsClients {
  return builtOnFirstUse<AwsClients>({
    iam: () => target.iam,
    ec2: () => target.ec2,
    autoScaling: () => target.autoScaling,
    sns: () => base.sns,
    dynamodb: () => base.dynamodb,
    securityHub: () => base.securityHub,
    guardDuty: () => base.guardDuty,
    kms: () => base.kms,
  });
}
