import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** E-mail addresses to subscribe. Default: none. */
  readonly emails?: readonly string[];
  /** HTTPS endpoints to subscribe (a pager's SNS integration URL). Default: none. */
  readonly httpsEndpoints?: readonly string[];
  /**
   * Encrypt the topic with a customer-managed key of its own (CloudWatch cannot publish to a topic under the AWS
   * managed SNS key). Default true. The member-account forwarder turns it off: see MemberConfigForwarderStack.
   */
  readonly customerManagedKey?: boolean;
  /** The topic's display name. Default `Firebreak alarms`. */
  readonly displayName?: string;
}

/**
 * Where Firebreak's own failures page someone: a topic apart from the notification topic (which may be what failed),
 * with its own key, for e-mail or a pager. Every alarm sends both its ALARM and its OK state, so that a pager
 * resolves the page when the alarm clears.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    if (props.customerManagedKey !== false) {
      this.key = new kms.Key(this, 'Key', {
        description: 'Firebreak: encrypts the alarm topic (failures of Firebreak itself)',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // CloudWatch alarms publish to the encrypted topic (the key policy AWS documents for alarms on encrypted topics).
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: props.displayName ?? 'Firebreak alarms',
      enforceSSL: true,
      ...(this.key ? { masterKey: this.key } : {}),
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const url of props.httpsEndpoints ?? [])
      this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
  }

  /** Sends the alarm's ALARM and OK states to this topic. */
  notify(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    const action = new cwActions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }

  /** An alarm as soon as one message is visible in the dead-letter queue. */
  alarmOnQueue(scope: Construct, id: string, queue: sqs.IQueue, description: string): cloudwatch.Alarm {
    return this.notify(
      new cloudwatch.Alarm(scope, id, {
        alarmDescription: description,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Alarms on the function's Errors and Throttles (any in five minutes). An error is retried or kept in a dead-letter
   * queue, a throttle waits in Lambda's queue: neither is lost, but someone should know that containment is late.
   */
  alarmOnFunction(
    scope: Construct,
    fn: lambda.IFunction,
    name: string,
  ): { errors: cloudwatch.Alarm; throttles: cloudwatch.Alarm } {
    const period = Duration.minutes(5);
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) =>
      this.notify(
        new cloudwatch.Alarm(scope, id, {
          alarmDescription: description,
          metric,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    return {
      errors: alarm(
        'ErrorsAlarm',
        fn.metricErrors({ period, statistic: 'Sum' }),
        `Firebreak ${name}: the function failed (Errors). An asynchronous event is retried, ` +
          `then kept in its dead-letter queue; read the function's log. See the README, "Alarms".`,
      ),
      throttles: alarm(
        'ThrottlesAlarm',
        fn.metricThrottles({ period, statistic: 'Sum' }),
        `Firebreak ${name}: invocations were throttled (Throttles): more events than its reserved ` +
          `concurrency. Lambda retries them for up to 6 hours; containment is late. See the README, "Alarms".`,
      ),
    };
  }
}

/** For stacks whose alarm topic is not encrypted with a customer-managed key: the cdk-nag reason, on the topic. */
export function acknowledgeUnencryptedAlarmTopic(topic: AlarmTopic, reason: string): void {
  Validations.of(topic.topic).acknowledge({ id: 'AwsSolutions-SNS2', reason });
}
