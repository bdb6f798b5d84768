import { PublishCommand, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Outcome } from '../engine/outcome';
import { renderChatJson } from './render-chat';
import { renderJson } from './render-json';
import { renderSubject } from './render-subject';
import { renderText } from './render-text';

export interface Notification {
  readonly subject: string;
  readonly text: string;
  readonly json: string;
  readonly attributes: Record<string, MessageAttributeValue>;
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** Everything one message carries: e-mail text, the JSON form, and attributes subscribers can filter on. */
export function buildNotification(outcome: Outcome): Notification {
  const { finding } = outcome;
  return {
    subject: renderSubject(outcome),
    text: renderText(outcome),
    json: renderJson(outcome),
    attributes: {
      severity: { DataType: 'Number', StringValue: String(finding.severity) },
      severityLabel: text(finding.severityLabel),
      accountId: text(finding.accountId),
      playbook: text(outcome.playbook.id),
      outcome: text(outcome.status),
      urgent: text(String(outcome.urgent)),
      findingType: text(finding.type),
    },
  };
}

/**
 * One message per finding. E-mail subscribers get the text; SQS, Lambda, HTTP(S) and email-json subscribers get
 * the JSON form (SNS per-protocol message structure).
 */
export async function publishNotification(notification: Notification, topicArn: string, clients: AwsClients): Promise<string | undefined> {
  const message = JSON.stringify({
    default: notification.text,
    email: notification.text,
    'email-json': notification.json,
    sqs: notification.json,
    lambda: notification.json,
    http: notification.json,
    https: notification.json,
  });
  const response = await awsCall('sns:Publish', topicArn, () =>
    clients.sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: notification.subject,
        Message: message,
        MessageStructure: 'json',
        MessageAttributes: notification.attributes,
      }),
    ),
  );
  return response.MessageId;
}

/**
 * The chat form of the same outcome to the chat topic, which AWS Chatbot subscribes to: the body is the custom
 * notification itself (Chatbot reads the raw body, so it cannot share the main topic's per-protocol structure).
 */
export async function publishChatMessage(outcome: Outcome, topicArn: string, clients: AwsClients): Promise<string | undefined> {
  const response = await awsCall('sns:Publish', topicArn, () =>
    clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: renderChatJson(outcome), MessageAttributes: buildNotification(outcome).attributes })),
  );
  return response.MessageId;
}
