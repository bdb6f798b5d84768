import type { Answering } from './simulated-aws';

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
  /** The message, subject and attributes in bytes: SNS bills each 64 KB of a publish as one request. */
  readonly bytes: number;
}

/** An SNS that accepts every Publish and keeps what was published. */
export function recordingTopic(): { answering: Answering; published: PublishedMessage[] } {
  const published: PublishedMessage[] = [];
  let sequence = 0;
  const answering: Answering = {
    send: async (command: unknown) => {
      const input = (command as { input: Record<string, unknown> }).input;
      const message = String(input.Message ?? '');
      const subject = String(input.Subject ?? '');
      const attributes = JSON.stringify(input.MessageAttributes ?? {});
      published.push({
        topicArn: String(input.TopicArn ?? ''),
        subject,
        message,
        bytes:
          Buffer.byteLength(message) +
          Buffer.byteLength(subject) +
          (input.MessageAttributes ? Buffer.byteLength(attributes) : 0),
      });
      sequence += 1;
      return { MessageId: `bench-message-${sequence}` };
    },
  };
  return { answering, published };
}

/** Billed publish requests: one per started 64 KB. */
export const publishRequests = (messages: readonly PublishedMessage[]) =>
  messages.reduce((total, message) => total + Math.max(1, Math.ceil(message.bytes / 65_536)), 0);
