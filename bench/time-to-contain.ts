import { randomUUID } from 'node:crypto';
import { createFindingSourceClients } from '../lambdas/aws/finding-source-clients';
import { prefetchDetector } from '../lambdas/findings/reread-guardduty-finding';
import { DynamoDbLedger } from '../lambdas/ledger/dynamodb-ledger';
import { KmsRecordMac } from '../lambdas/ledger/record-mac';
import { withRecordMacs } from '../lambdas/ledger/verified-ledger';
import { handleEvent } from '../lambdas/pipeline/handle-event';
import { FakeDynamoDb } from '../test/support/fake-dynamodb';
import { FakeEc2 } from '../test/support/fake-ec2';
import { FakeGuardDuty } from '../test/support/fake-guardduty';
import { FakeIam } from '../test/support/fake-iam';
import { FakeKms, MAC_KEY_ARN } from '../test/support/fake-kms';
import { meteredTable } from './dynamodb-units';
import { countingLogger, platformLogBytes } from './log-bytes';
import { publishRequests, recordingTopic } from './recording-topic';
import { SCENARIOS, type Scenario } from './scenarios';
import { SimulatedAws, type RecordedCall } from './simulated-aws';
import { median } from './stats';

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:bench';

/** What one finding cost, counted from the calls it made: the input of the cost per 1,000 findings. */
export interface FindingUsage {
  readonly lambdaMs: number;
  readonly dynamodbWriteRequests: number;
  readonly dynamodbReadRequests: number;
  readonly dynamodbWriteRequestUnits: number;
  readonly dynamodbReadRequestUnits: number;
  readonly snsPublishRequests: number;
  readonly snsMessages: number;
  readonly snsMessageBytes: number;
  /** The Log interface's lines (Powertools JSON) plus Lambda's START, END and REPORT lines. */
  readonly logBytes: number;
  readonly logLines: number;
  readonly kmsRequests: Readonly<Record<string, number>>;
  readonly guardDutyRequests: number;
}

export interface ContainResult {
  readonly scenario: string;
  readonly kind: Scenario['kind'];
  readonly effectiveMs: number;
  readonly doneMs: number;
  readonly roundTripsToEffective: number;
  /** EC2: the round trip in which the instance role's sessions were denied. */
  readonly roundTripsToCredentialsDenied?: number;
  /** The round trip of the notification's Publish: the responder has told someone. */
  readonly roundTripsToDone: number;
  /** The deepest call of the delivery (the ledger writes after the message included). */
  readonly roundTripsTotal: number;
  readonly floor: number;
  readonly calls: number;
  readonly callsByService: Readonly<Record<string, number>>;
  readonly maxInFlight: number;
  readonly status: string;
  readonly usage: FindingUsage;
}

/**
 * One delivery of the scenario's finding through the real handler, as deployed (ledger records MACed with the KMS
 * HMAC key, the finding re-read from GuardDuty, the Powertools logger), every AWS call `latencyMs` away through real
 * SDK clients on the stateful fakes.
 */
export async function containOnce(scenario: Scenario, latencyMs: number): Promise<ContainResult> {
  const fakes = { iam: new FakeIam('111122223333'), ec2: new FakeEc2('111122223333') };
  scenario.world(fakes);
  const table = new FakeDynamoDb();
  const metered = meteredTable(table);
  const topic = recordingTopic();
  const kms = new FakeKms();
  const guardDuty = new FakeGuardDuty();
  const event = scenario.event() as { source?: string; detail?: Record<string, unknown> };
  if (event.source === 'aws.guardduty') await guardDuty.addEventDetail(event.detail as never);
  const aws = new SimulatedAws(
    {
      iam: fakes.iam.client,
      ec2: fakes.ec2.ec2Client,
      autoScaling: fakes.ec2.autoScalingClient,
      dynamodb: metered.answering,
      sns: topic.answering,
      kms: kms.client,
      guardDuty: guardDuty.clientFor('us-east-1'),
    },
    { latencyMs, throttle: false },
  );
  const environment = aws.environment();
  const { clients } = environment;
  // A warm function: the responder looks its GuardDuty detector up while it starts (respond.ts), before any finding.
  const findingSources = createFindingSourceClients({ homeRegion: 'us-east-1', home: clients });
  prefetchDetector(clients.guardDuty!, 'us-east-1');
  while (aws.calls.some((call) => Number.isNaN(call.answeredAt)))
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
  environment.deepest = 0;
  environment.maxInFlight = 0;
  const before = aws.calls.length;
  const kmsBefore = kms.calls.length;

  const settings = scenario.settings();
  const requestId = randomUUID();
  const { logger, count } = countingLogger(settings.playbook.id, settings.playbook.mode, requestId);
  let effectiveAt: number | undefined;
  let effectiveDepth: number | undefined;
  let credentialsDepth: number | undefined;
  let publishDepth: number | undefined;
  environment.onSettled = (call: RecordedCall) => {
    if (effectiveDepth === undefined && scenario.effective(fakes)) {
      effectiveAt = performance.now();
      effectiveDepth = call.depth;
    }
    if (credentialsDepth === undefined && scenario.credentialsDenied?.(fakes)) credentialsDepth = call.depth;
    if (publishDepth === undefined && call.operation === 'Publish' && call.error === undefined)
      publishDepth = call.depth;
  };
  const started = performance.now();
  const result = await handleEvent(event, {
    settings,
    clients,
    topicArn: TOPIC_ARN,
    log: logger,
    ledger: withRecordMacs(
      new DynamoDbLedger(clients.dynamodb, table.tableName, settings.ledgerRetentionDays),
      new KmsRecordMac(clients.kms!, MAC_KEY_ARN),
    ),
    findingSources,
    invocationId: requestId,
  });
  const done = performance.now();
  const calls = aws.calls.slice(before);
  const callsByService: Record<string, number> = {};
  for (const call of calls) callsByService[call.service] = (callsByService[call.service] ?? 0) + 1;
  const kmsRequests: Record<string, number> = {};
  for (const name of kms.calls.slice(kmsBefore)) kmsRequests[name] = (kmsRequests[name] ?? 0) + 1;
  const doneMs = done - started;
  const writes = ['PutItem', 'UpdateItem', 'DeleteItem'];
  return {
    scenario: scenario.name,
    kind: scenario.kind,
    effectiveMs: (effectiveAt ?? done) - started,
    doneMs,
    roundTripsToEffective: effectiveDepth ?? Number.NaN,
    ...(scenario.credentialsDenied ? { roundTripsToCredentialsDenied: credentialsDepth ?? Number.NaN } : {}),
    roundTripsToDone: publishDepth ?? Number.NaN,
    roundTripsTotal: Math.max(0, ...calls.map((call) => call.depth)),
    floor: scenario.floor,
    calls: calls.length,
    callsByService,
    maxInFlight: environment.maxInFlight,
    status: result.kind === 'handled' ? result.outcome.status : result.kind,
    usage: {
      lambdaMs: doneMs,
      dynamodbWriteRequests: writes.reduce((total, name) => total + (metered.usage.requests[name] ?? 0), 0),
      dynamodbReadRequests: ['GetItem', 'Query'].reduce(
        (total, name) => total + (metered.usage.requests[name] ?? 0),
        0,
      ),
      dynamodbWriteRequestUnits: metered.usage.writeRequestUnits,
      dynamodbReadRequestUnits: metered.usage.readRequestUnits,
      snsPublishRequests: publishRequests(topic.published),
      snsMessages: topic.published.length,
      snsMessageBytes: topic.published.reduce((total, message) => total + message.bytes, 0),
      logBytes: count.bytes + platformLogBytes(doneMs),
      logLines: count.lines + 3,
      kmsRequests,
      guardDutyRequests: callsByService.guardDuty ?? 0,
    },
  };
}

/** Each scenario `runs` times: the times and round trips are medians, the counts those of the first run. */
export async function timeToContain(latencyMs: number, runs: number): Promise<ContainResult[]> {
  const results: ContainResult[] = [];
  for (const scenario of SCENARIOS) {
    const samples: ContainResult[] = [];
    for (let run = 0; run < runs; run += 1) samples.push(await containOnce(scenario, latencyMs));
    const first = samples[0]!;
    const middle = (pick: (sample: ContainResult) => number) => median(samples.map(pick));
    results.push({
      ...first,
      effectiveMs: middle((sample) => sample.effectiveMs),
      doneMs: middle((sample) => sample.doneMs),
      roundTripsToEffective: middle((sample) => sample.roundTripsToEffective),
      ...(first.roundTripsToCredentialsDenied !== undefined
        ? { roundTripsToCredentialsDenied: middle((sample) => sample.roundTripsToCredentialsDenied ?? Number.NaN) }
        : {}),
      roundTripsToDone: middle((sample) => sample.roundTripsToDone),
      roundTripsTotal: middle((sample) => sample.roundTripsTotal),
      usage: { ...first.usage, lambdaMs: middle((sample) => sample.doneMs) },
    });
  }
  return results;
}
