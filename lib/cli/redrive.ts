import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface RedriveOptions {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly queueUrl: string;
  readonly functionName: string;
  /** At most this many events are re-driven. */
  readonly max: number;
}

export interface RedriveResult {
  readonly redriven: number;
  readonly skipped: readonly string[];
}

/**
 * The event a dead-letter message holds. Lambda's on-failure destination wraps it (`requestPayload`); the
 * EventBridge target's dead-letter queue holds the event itself.
 */
export function eventOfMessage(body: string): unknown {
  const parsed = JSON.parse(body) as { requestPayload?: unknown; requestContext?: unknown };
  return parsed.requestContext !== undefined && parsed.requestPayload !== undefined ? parsed.requestPayload : parsed;
}

/**
 * Re-drives a responder's dead-letter queue: each event is invoked again asynchronously (safe: every step is a
 * no-op once applied, and the ledger keeps one delivery per incident), then deleted from the queue. A message that
 * is not an event is left in the queue and reported.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  let redriven = 0;
  const skipped: string[] = [];
  while (redriven + skipped.length < options.max) {
    const batch = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.max - redriven - skipped.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    const messages = batch.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      let event: unknown;
      try {
        event = eventOfMessage(message.Body ?? '');
      } catch {
        skipped.push(`${message.MessageId}: not JSON, left in the queue`);
        continue;
      }
      await options.lambda.send(
        new InvokeCommand({
          FunctionName: options.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      await options.sqs.send(
        new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      redriven += 1;
    }
  }
  return { redriven, skipped };
}
