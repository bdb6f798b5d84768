import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface FindingForwarderStackProps extends StackProps {
  /** The Region where the Firebreak stack runs. */
  readonly homeRegion: string;
}

/**
 * Deployed to each other Region of the security account: GuardDuty findings are Regional, so a rule here sends
 * them to the home Region's default bus, where the playbook rules match them as if they were local. The finding's
 * own `region` field tells the responder where to act.
 */
export class FindingForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: FindingForwarderStackProps) {
    super(scope, id, props);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `Firebreak: forwards GuardDuty findings to ${props.homeRegion}`,
    });
    const home = events.EventBus.fromEventBusArn(this, 'HomeBus', `arn:${this.partition}:events:${props.homeRegion}:${this.account}:event-bus/default`);
    new events.Rule(this, 'ForwardFindings', {
      description: `Firebreak: GuardDuty findings of this Region to ${props.homeRegion}`,
      eventPattern: { source: ['aws.guardduty'], detailType: ['GuardDuty Finding'] },
      targets: [new targets.EventBus(home, { role })],
    });
  }
}
