import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { MotoClients } from './moto-clients';
import type { StackResources } from './seed';
import { resourcesOfType, type Template } from './synthesized-stack';

/** Every SNS message the queue subscribed to the notification topic holds, read and deleted. */
export async function drainMessages(clients: MotoClients, queueUrl: string): Promise<string[]> {
  const messages: string[] = [];
  for (;;) {
    const page = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!page.Messages?.length) return messages;
    for (const message of page.Messages) {
      messages.push(message.Body ?? '');
      await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/** The template's logical ids of the ledger table, the notification topic and the MAC key, mapped to moto's. */
export function stackReferences(template: Template, seeded: StackResources): Record<string, string> {
  const references: Record<string, string> = {};
  for (const [id] of resourcesOfType(template, 'AWS::DynamoDB::Table')) references[id] = seeded.tableName;
  for (const [id, resource] of resourcesOfType(template, 'AWS::SNS::Topic'))
    if (resource.Properties?.DisplayName === 'Firebreak') references[id] = seeded.topicArn;
  for (const [id, resource] of resourcesOfType(template, 'AWS::KMS::Key'))
    if (String(resource.Properties?.Description).startsWith('Firebreak: MACs')) references[id] = seeded.macKeyArn;
  return references;
}

/** A fixture event with its ids replaced by those of the seeded resources (every occurrence, anywhere in it). */
export function withIds<T>(fixture: T, replacements: Readonly<Record<string, string>>): T {
  let text = JSON.stringify(fixture);
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  return JSON.parse(text) as T;
}
