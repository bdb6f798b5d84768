/* eslint-disable @typescript-eslint/no-require-imports -- each SDK client loads on first use (see createAwsClients) */
import type * as AutoScalingSdk from '@aws-sdk/client-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type * as Ec2Sdk from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type * as IamSdk from '@aws-sdk/client-iam';
import type { IAMClient } from '@aws-sdk/client-iam';
import type * as SecurityHubSdk from '@aws-sdk/client-securityhub';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type * as SnsSdk from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';

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

/** A client whose SDK module is loaded, and the client built, the first time it is used. */
function lazy<T>(build: () => T): () => T {
  let client: T | undefined;
  return () => (client ??= build());
}

export function newEc2Client(config: object): EC2Client {
  return new (require('@aws-sdk/client-ec2') as typeof Ec2Sdk).EC2Client(config);
}

export function newAutoScalingClient(config: object): AutoScalingClient {
  return new (require('@aws-sdk/client-auto-scaling') as typeof AutoScalingSdk).AutoScalingClient(config);
}

export function newIamClient(config: object): IAMClient {
  return new (require('@aws-sdk/client-iam') as typeof IamSdk).IAMClient(config);
}

/**
 * The only place that constructs SDK clients. Built once per cold start and reused by warm invocations; each
 * service's SDK loads when first used, so an IAM responder never loads the EC2 client, nor an EC2 one DynamoDB
 * before it needs it.
 */
export function createAwsClients(region: string): AwsClients {
  const config = { ...RETRY_SETTINGS, region };
  const iam = lazy(() => newIamClient(config));
  const sns = lazy(() => new (require('@aws-sdk/client-sns') as typeof SnsSdk).SNSClient(config));
  const ec2 = lazy(() => newEc2Client(config));
  const autoScaling = lazy(() => newAutoScalingClient(config));
  const dynamodb = lazy(() => new (require('@aws-sdk/client-dynamodb') as typeof DynamoDbSdk).DynamoDBClient(config));
  const securityHub = lazy(() => new (require('@aws-sdk/client-securityhub') as typeof SecurityHubSdk).SecurityHubClient(config));
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
