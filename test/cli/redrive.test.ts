import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { eventOfMessage, redrive } from '../../lib/cli/redrive';
import { loadEvent } from '../support/fixtures';

describe('redrive', () => {
  const event = loadEvent('guardduty/iam-user-long-term-key');

  it('unwraps an on-failure destination record, and takes an EventBridge dead letter as it is', () => {
    expect(
      eventOfMessage(
        JSON.stringify({
          requestContext: { condition: 'RetriesExhausted' },
          requestPayload: event,
          responsePayload: {},
        }),
      ),
    ).toEqual(event);
    expect(eventOfMessage(JSON.stringify(event))).toEqual(event);
  });

  it('invokes the responder asynchronously with each event, deletes only what it re-drove, and reports the rest', async () => {
    const sqs = new SQSClient({ region: 'us-east-1' });
    const lambda = new LambdaClient({ region: 'us-east-1' });
    const sqsMock = mockClient(sqs);
    const lambdaMock = mockClient(lambda);
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'a', ReceiptHandle: 'ra', Body: JSON.stringify({ requestContext: {}, requestPayload: event }) },
          { MessageId: 'b', ReceiptHandle: 'rb', Body: 'not json' },
        ],
      })
      .resolves({ Messages: [] });
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const result = await redrive({ sqs, lambda, queueUrl: 'https://sqs/q', functionName: 'responder', max: 10 });
    expect(result).toEqual({ redriven: 1, skipped: ['b: not JSON, left in the queue'] });
    const invoke = lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array))).toEqual(event);
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual(['ra']);
  });
});
