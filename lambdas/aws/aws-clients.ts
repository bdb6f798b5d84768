import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

/** Every AWS client the core uses. The core receives them as a parameter; tests pass mocked clients. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly sns: SNSClient;
}

/** Standard retry mode (backoff with jitter, throttling errors retried) with a bound on attempts. */
export const RETRY_SETTINGS = { retryMode: 'standard', maxAttempts: 3 } as const;

/** The only place that constructs SDK clients. Built once per cold start and reused by warm invocations. */
export function createAwsClients(region: string): AwsClients {
  return {
    iam: new IAMClient({ ...RETRY_SETTINGS, region }),
    sns: new SNSClient({ ...RETRY_SETTINGS, region }),
  };
}
