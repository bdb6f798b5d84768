import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeUnencryptedAlarmTopic, AlarmTopic } from './alarm-topic';
import type { FirebreakConfig } from '../config';
import { deadLetterQueue } from './dead-letter-queue';
import { grantPermissions } from './grant-permissions';
import type { PermissionGrant } from './responder-permissions';

export interface MemberRoleStackProps extends StackProps {
  readonly securityAccountId: string;
  readonly organizationId: string;
  readonly memberRoleName: string;
  /** Exact names of the security account's roles allowed to assume the member role (responders and release). */
  readonly trustedRoleNames: readonly string[];
  /** The union of what the enabled playbooks do and what release undoes. */
  readonly grants: readonly PermissionGrant[];
  readonly protectedPrincipals: readonly string[];
  /** The Regions findings about the account come from (lib/configured-regions.ts): EC2 and Auto Scaling grants name each. */
  readonly regions: readonly string[];
}

/**
 * The member-account role: fixed name, assumable only by the security account's responder and release roles (exact
 * ARNs, and only within the organization), holding exactly the enabled playbooks' and release's permissions in
 * each configured Region. IAM is global: deploy it in one Region per account. Environment-agnostic, for a StackSet.
 */
export class MemberRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id, props);
    const trusted = props.trustedRoleNames.map(
      (name) => new iam.ArnPrincipal(`arn:${this.partition}:iam::${props.securityAccountId}:role/${name}`),
    );
    this.role = new iam.Role(this, 'ResponderRole', {
      roleName: props.memberRoleName,
      description: 'Firebreak: lets the security account contain and release findings about this account',
      assumedBy: new iam.CompositePrincipal(...trusted).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
    });
    grantPermissions(
      this.role,
      props.grants,
      props.protectedPrincipals,
      'the enabled playbooks and release',
      props.regions,
    );
  }
}

export interface MemberConfigForwarderStackProps extends StackProps {
  readonly securityAccountId: string;
  /** The security account's Region whose default bus receives the events. */
  readonly homeRegion: string;
  /** Subscribed to this stack's own alarm topic. Default: none (subscribe to the AlarmTopicArn output). */
  readonly alarms?: FirebreakConfig['alarms'];
}

/**
 * Forwards this account's Config compliance changes (one Region) to the security account's bus: Config evaluates
 * and emits events in each member account and Region and does not send them to an aggregator. An event the security
 * bus does not accept waits in a dead-letter queue here, whose alarm goes to a topic of this stack: a CloudWatch
 * alarm notifies a topic of its own account and Region only.
 */
export class MemberConfigForwarderStack extends Stack {
  readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: MemberConfigForwarderStackProps) {
    super(scope, id, props);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Firebreak: forwards Config compliance changes to the security account bus',
    });
    const queue = deadLetterQueue(
      this,
      'ForwardDeadLetterQueue',
      'the rule that forwards Config compliance changes to the security account',
    );
    const securityBus = events.EventBus.fromEventBusArn(
      this,
      'SecurityBus',
      `arn:${this.partition}:events:${props.homeRegion}:${props.securityAccountId}:event-bus/default`,
    );
    new events.Rule(this, 'ForwardConfigCompliance', {
      description: 'Firebreak: Config compliance changes to the security account',
      eventPattern: { source: ['aws.config'], detailType: ['Config Rules Compliance Change'] },
      targets: [new targets.EventBus(securityBus, { role, deadLetterQueue: queue })],
    });
    this.alarms = new AlarmTopic(this, 'Alarms', {
      ...(props.alarms ?? {}),
      customerManagedKey: false,
      displayName: 'Firebreak member alarms',
    });
    acknowledgeUnencryptedAlarmTopic(
      this.alarms,
      'It carries only CloudWatch alarm state changes of the forwarder (alarm name, queue ' +
        'metric, account, Region), never a finding. CloudWatch cannot publish to a topic ' +
        'under the AWS managed SNS key, and a customer-managed key in every member account ' +
        'and Region (this stack is a StackSet) would cost one key each. TLS is enforced.',
    );
    this.alarms.alarmOnQueue(
      this,
      'ForwardDeadLetterAlarm',
      queue,
      `Firebreak: Config compliance changes of this account and Region could not be forwarded to the security account ` +
        `(${props.securityAccountId}, ${props.homeRegion}) and wait in the dead-letter queue. See the README, "Alarms".`,
    );
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Alarms of this forwarder: subscribe a pager here',
    });
  }
}
