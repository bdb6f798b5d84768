import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic';
import type { FirebreakConfig } from '../config';
import { deadLetterQueue } from './dead-letter-queue';

export interface FindingForwarderStackProps extends StackProps {
  /** The Region where the Firebreak stack runs. */
  readonly homeRegion: string;
  /** Subscribed to this stack's own alarm topic. Default: none (subscribe to the AlarmTopicArn output). */
  readonly alarms?: FirebreakConfig['alarms'];
}

/**
 * Deployed to each other Region of the security account: GuardDuty findings are Regional, so a rule here sends
 * them to the home Region's default bus, where the playbook rules match them as if they were local. The finding's
 * own `region` field tells the responder where to act. A finding the home bus does not accept waits in a
 * dead-letter queue here, watched by an alarm to this stack's own alarm topic (a CloudWatch alarm notifies a topic
 * of its own Region only).
 */
export class FindingForwarderStack extends Stack {
  readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: FindingForwarderStackProps) {
    super(scope, id, props);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Firebreak: forwards GuardDuty findings to ${props.homeRegion}`,
    });
    const queue = deadLetterQueue(
      this,
      'ForwardDeadLetterQueue',
      `the rule that forwards GuardDuty findings to ${props.homeRegion}`,
    );
    const home = events.EventBus.fromEventBusArn(
      this,
      'HomeBus',
      `arn:${this.partition}:events:${props.homeRegion}:${this.account}:event-bus/default`,
    );
    new events.Rule(this, 'ForwardFindings', {
      description: `Firebreak: GuardDuty findings of this Region to ${props.homeRegion}`,
      eventPattern: { source: ['aws.guardduty'], detailType: ['GuardDuty Finding'] },
      targets: [new targets.EventBus(home, { role, deadLetterQueue: queue })],
    });
    this.alarms = new AlarmTopic(this, 'Alarms', {
      ...(props.alarms ?? {}),
      displayName: 'Firebreak forwarder alarms',
    });
    this.alarms.alarmOnQueue(
      this,
      'ForwardDeadLetterAlarm',
      queue,
      `Firebreak: GuardDuty findings of this Region could not be forwarded to ${props.homeRegion} ` +
        `and wait in the dead-letter queue: they were not contained. See the README, "Alarms".`,
    );
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: `Alarms of this forwarder (${props.homeRegion} receives the findings): subscribe a pager here`,
    });
  }
}
