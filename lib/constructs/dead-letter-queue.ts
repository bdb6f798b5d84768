import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A dead-letter queue: SQS-managed encryption, TLS only, kept the longest SQS allows (14 days). Watch it with an alarm. */
export function deadLetterQueue(
  scope: Construct,
  id: string,
  /** What it is the dead-letter queue of, for the cdk-nag reason. */ of: string,
): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${of}; an alarm watches it.`,
  });
  return queue;
}
