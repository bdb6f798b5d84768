import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  /** E-mail addresses to subscribe. Default: none. */
  readonly emails?: readonly string[];
  /** The topic's display name. Default `Firebreak`. */
  readonly displayName?: string;
  /** What the key encrypts, for its description. Default `responder notifications`. */
  readonly purpose?: string;
}

/** The responder's topic: KMS-encrypted with a rotating customer-managed key, TLS-only, with e-mail subscriptions. */
export class NotificationTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationTopicProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Firebreak: encrypts ${props.purpose ?? 'responder notifications'}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No CloudWatch statement: alarms go to the alarm topic (lib/alarm-topic.ts), never to this one.
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Firebreak',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
