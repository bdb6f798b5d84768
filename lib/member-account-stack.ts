import { Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
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
}

/**
 * The member-account role: fixed name, assumable only by the security account's responder and release roles (exact
 * ARNs, and only within the organization), holding exactly the enabled playbooks' and release's permissions in
 * every Region. IAM is global: deploy it in one Region per account. Environment-agnostic, for a StackSet.
 */
export class MemberRoleStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps) {
    super(scope, id, props);
    const trusted = props.trustedRoleNames.map((name) => new iam.ArnPrincipal(`arn:${this.partition}:iam::${props.securityAccountId}:role/${name}`));
    this.role = new iam.Role(this, 'ResponderRole', {
      roleName: props.memberRoleName,
      description: 'Firebreak: lets the security account contain and release findings about this account',
      assumedBy: new iam.CompositePrincipal(...trusted).withConditions({ StringEquals: { 'aws:PrincipalOrgID': props.organizationId } }),
    });
    grantPermissions(this.role, props.grants, props.protectedPrincipals, 'the enabled playbooks and release', '*');
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:*]',
      reason: 'Findings come from every Region of the account and name their resources at run time; the statement allows only the EC2 actions the playbooks declare, in this account.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*::snapshot/*]',
      reason: 'Snapshot ARNs carry no account; CreateSnapshots in any Region of this account needs it.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*]',
      reason: 'The Auto Scaling group is named by the instance at run time, in any Region of this account.',
    });
  }
}

export interface MemberConfigForwarderStackProps extends StackProps {
  readonly securityAccountId: string;
  /** The security account's Region whose default bus receives the events. */
  readonly homeRegion: string;
}

/**
 * Forwards this account's Config compliance changes (one Region) to the security account's bus: Config evaluates
 * and emits events in each member account and Region and does not send them to an aggregator.
 */
export class MemberConfigForwarderStack extends Stack {
  constructor(scope: Construct, id: string, props: MemberConfigForwarderStackProps) {
    super(scope, id, props);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Firebreak: forwards Config compliance changes to the security account bus',
    });
    const securityBus = events.EventBus.fromEventBusArn(this, 'SecurityBus', `arn:${this.partition}:events:${props.homeRegion}:${props.securityAccountId}:event-bus/default`);
    new events.Rule(this, 'ForwardConfigCompliance', {
      description: 'Firebreak: Config compliance changes to the security account',
      eventPattern: { source: ['aws.config'], detailType: ['Config Rules Compliance Change'] },
      targets: [new targets.EventBus(securityBus, { role })],
    });
  }
}
