import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

/** Every AWS client the core uses. The core receives them as a parameter; tests pass mocked clients. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly sns: SNSClient;
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly dynamodb: DynamoDBClient;
}

/** Standard retry mode (backoff with jitter, throttling errors retried) with a bound on attempts. */
export const RETRY_SETTINGS = { retryMode: 'standard', maxAttempts: 3 } as const;

/** The only place that constructs SDK clients. Built once per cold start and reused by warm invocations. */
export function createAwsClients(region: string): AwsClients {
  return {
    iam: new IAMClient({ ...RETRY_SETTINGS, region }),
    sns: new SNSClient({ ...RETRY_SETTINGS, region }),
    ec2: new EC2Client({ ...RETRY_SETTINGS, region }),
    autoScaling: new AutoScalingClient({ ...RETRY_SETTINGS, region }),
    dynamodb: new DynamoDBClient({ ...RETRY_SETTINGS, region }),
  };
}
