/**
 * List prices the bench's cost uses: us-east-1, on-demand, without free tiers, as published on the pages below when
 * read on 2026-12-03. Change them here only; bench/results.json records the table it used.
 */
export const PRICES = {
  region: 'us-east-1',
  readOn: '2026-12-03',
  lambda: {
    /** Arm (Graviton) duration, first pricing tier; the responders are arm64. */
    usdPerGbSecond: 0.0000133334,
    usdPerRequest: 0.2 / 1_000_000,
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  dynamodb: {
    /** On-demand (the ledger is PAY_PER_REQUEST), after the November 2024 price reduction. */
    usdPerWriteRequestUnit: 0.625 / 1_000_000,
    usdPerReadRequestUnit: 0.125 / 1_000_000,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  sns: {
    /** Standard topic publishes; each 64 KB chunk of a message is billed as one request. */
    usdPerPublishRequest: 0.5 / 1_000_000,
    /** Delivery to an e-mail subscription, per notification (the stack subscribes the configured addresses). */
    usdPerEmailNotification: 2 / 100_000,
    source: 'https://aws.amazon.com/sns/pricing/',
  },
  cloudWatchLogs: {
    /** Standard log class ingestion (Lambda logs: the first tier of vended-log pricing is the same figure). */
    usdPerGbIngested: 0.5,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  kms: {
    /** Symmetric and HMAC key requests (GenerateMac, VerifyMac); the key itself is $1 a month, not per finding. */
    usdPerRequest: 0.03 / 10_000,
    source: 'https://aws.amazon.com/kms/pricing/',
  },
} as const;
