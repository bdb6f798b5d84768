import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from '../../../lambdas/aws/aws-clients';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto-server';

/** SDK clients of every service the suite seeds or reads back, at the moto server (dummy credentials). */
export interface MotoClients extends AwsClients {
  readonly sqs: SQSClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  readonly securityHub: SecurityHubClient;
  readonly guardDuty: GuardDutyClient;
}

export function motoClients(endpoint: string): MotoClients {
  const config = { region: MOTO_REGION, endpoint, credentials: MOTO_CREDENTIALS, maxAttempts: 1 };
  return {
    iam: new IAMClient(config),
    ec2: new EC2Client(config),
    autoScaling: new AutoScalingClient(config),
    dynamodb: new DynamoDBClient(config),
    sns: new SNSClient(config),
    sqs: new SQSClient(config),
    sts: new STSClient(config),
    kms: new KMSClient(config),
    securityHub: new SecurityHubClient(config),
    guardDuty: new GuardDutyClient(config),
  };
}

export function destroyClients(clients: MotoClients | undefined): void {
  for (const client of Object.values(clients ?? {})) (client as { destroy(): void }).destroy();
}
