import { PRICES } from './prices';
import type { ContainResult } from './time-to-contain';

export interface CostPerThousand {
  readonly scenario: string;
  readonly kind: ContainResult['kind'];
  /** Per finding, as counted. */
  readonly perFinding: {
    readonly lambdaGbSeconds: number;
    readonly dynamodbWriteRequests: number;
    readonly dynamodbWriteRequestUnits: number;
    readonly dynamodbReadRequestUnits: number;
    readonly snsPublishRequests: number;
    readonly logBytes: number;
    readonly kmsRequests: number;
  };
  /** USD per 1,000 findings, by service. */
  readonly usd: {
    readonly lambda: number;
    readonly dynamodb: number;
    readonly sns: number;
    readonly cloudWatchLogs: number;
    readonly kms: number;
    readonly total: number;
  };
  /** Not in the total: delivering each message to one e-mail subscription. */
  readonly usdEmailDeliveryPerSubscription: number;
}

/**
 * The cost of 1,000 first deliveries of the scenario's finding, from what one delivery was counted to use: Lambda
 * at the deployed memory size for the measured duration (billed per ms) plus the request, DynamoDB on demand by the
 * request units the fake table counted, SNS by the 64 KB publish requests, CloudWatch Logs by the bytes logged,
 * KMS by the GenerateMac and VerifyMac calls. GuardDuty's GetFindings and ListDetectors are not charged.
 */
export function costPerThousand(result: ContainResult, memorySizeMb: number): CostPerThousand {
  const { usage } = result;
  const lambdaGbSeconds = (Math.ceil(usage.lambdaMs) / 1000) * (memorySizeMb / 1024);
  const kmsRequests = Object.values(usage.kmsRequests).reduce((total, count) => total + count, 0);
  const perFinding = {
    lambdaGbSeconds,
    dynamodbWriteRequests: usage.dynamodbWriteRequests,
    dynamodbWriteRequestUnits: usage.dynamodbWriteRequestUnits,
    dynamodbReadRequestUnits: usage.dynamodbReadRequestUnits,
    snsPublishRequests: usage.snsPublishRequests,
    logBytes: usage.logBytes,
    kmsRequests,
  };
  const thousand = (usdPerFinding: number) => usdPerFinding * 1000;
  const lambda = thousand(lambdaGbSeconds * PRICES.lambda.usdPerGbSecond + PRICES.lambda.usdPerRequest);
  const dynamodb = thousand(
    usage.dynamodbWriteRequestUnits * PRICES.dynamodb.usdPerWriteRequestUnit +
      usage.dynamodbReadRequestUnits * PRICES.dynamodb.usdPerReadRequestUnit,
  );
  const sns = thousand(usage.snsPublishRequests * PRICES.sns.usdPerPublishRequest);
  const cloudWatchLogs = thousand((usage.logBytes / 1024 ** 3) * PRICES.cloudWatchLogs.usdPerGbIngested);
  const kms = thousand(kmsRequests * PRICES.kms.usdPerRequest);
  return {
    scenario: result.scenario,
    kind: result.kind,
    perFinding,
    usd: { lambda, dynamodb, sns, cloudWatchLogs, kms, total: lambda + dynamodb + sns + cloudWatchLogs + kms },
    usdEmailDeliveryPerSubscription: thousand(usage.snsMessages * PRICES.sns.usdPerEmailNotification),
  };
}
