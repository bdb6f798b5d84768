import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer, CfnStackSet, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { FirebreakConfig } from '../config';
import {
  MemberConfigForwarderStack,
  MemberRoleStack,
  type MemberConfigForwarderStackProps,
  type MemberRoleStackProps,
} from './member-account-stack';
import type { PermissionGrant } from './responder-permissions';

type Organization = NonNullable<FirebreakConfig['organization']>;

export interface OrganizationDeploymentProps {
  readonly organization: Organization;
  readonly trustedRoleNames: readonly string[];
  readonly grants: readonly PermissionGrant[];
  readonly protectedPrincipals: readonly string[];
  /** Every Region a finding can name (lib/configured-regions.ts): the member role's Regional grants name each. */
  readonly regions: readonly string[];
  /** Subscribed to each member Config forwarder's own alarm topic. */
  readonly alarms: FirebreakConfig['alarms'];
}

/** The CloudFormation template of a stack, built in an app of its own (no bootstrap needed in member accounts). */
function templateOf(build: (app: App) => Stack): string {
  const app = new App({ analyticsReporting: false, outdir: mkdtempSync(join(tmpdir(), 'firebreak-member-')) });
  const stack = build(app);
  return JSON.stringify(app.synth().getStackByName(stack.stackName).template);
}

/**
 * The security account's part of an organization-wide deployment: a bus policy that lets the organization's
 * accounts send events (forwarded Config changes), and service-managed StackSets that put the member role (one
 * Region per account) and the Config forwarders (each configured Region) into every account of the OUs, including
 * accounts that join later. StackSets never deploy to the management account: deploy the FirebreakMember stacks
 * there by hand (README).
 */
export class OrganizationDeployment extends Construct {
  readonly roleStackSet?: CfnStackSet;
  readonly forwarderStackSet?: CfnStackSet;
  readonly memberRoleTemplate: string;
  readonly forwarderTemplate: string;
  /** The member stacks' properties (without a synthesizer: give each stack a BootstraplessSynthesizer of its own). */
  readonly memberRoleProps: MemberRoleStackProps;
  readonly forwarderProps: MemberConfigForwarderStackProps;

  constructor(scope: Construct, id: string, props: OrganizationDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new Error(
        'organization: the member-account templates name the security account and Region, so the stack needs them ' +
          'explicitly: deploy with credentials of the security account, or pass -c account=<id> -c region=<region>',
      );
    }
    const { organization } = props;

    new events.CfnEventBusPolicy(this, 'OrganizationPutEvents', {
      eventBusName: 'default',
      statementId: 'FirebreakOrganizationPutEvents',
      statement: {
        Sid: 'FirebreakOrganizationPutEvents',
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: `arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
      },
    });

    this.memberRoleProps = {
      description: 'Firebreak: the member-account responder role',
      securityAccountId: stack.account,
      organizationId: organization.organizationId,
      memberRoleName: organization.memberRoleName,
      trustedRoleNames: props.trustedRoleNames,
      grants: props.grants,
      protectedPrincipals: props.protectedPrincipals,
      regions: props.regions,
    };
    this.forwarderProps = {
      description: 'Firebreak: forwards Config compliance changes to the security account',
      securityAccountId: stack.account,
      homeRegion: stack.region,
      alarms: props.alarms,
    };
    this.memberRoleTemplate = templateOf(
      (app) =>
        new MemberRoleStack(app, 'FirebreakMemberRole', {
          ...this.memberRoleProps,
          synthesizer: new BootstraplessSynthesizer(),
        }),
    );
    this.forwarderTemplate = templateOf(
      (app) =>
        new MemberConfigForwarderStack(app, 'FirebreakMemberConfigForwarder', {
          ...this.forwarderProps,
          synthesizer: new BootstraplessSynthesizer(),
        }),
    );

    if (organization.stackSet) {
      const { organizationalUnitIds, regions, callAs } = organization.stackSet;
      const common = {
        permissionModel: 'SERVICE_MANAGED',
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        callAs,
        operationPreferences: {
          failureTolerancePercentage: 10,
          maxConcurrentPercentage: 25,
          regionConcurrencyType: 'PARALLEL',
        },
        managedExecution: { Active: true },
      };
      this.roleStackSet = new CfnStackSet(this, 'MemberRoleStackSet', {
        ...common,
        stackSetName: `${stack.stackName}-member-role`,
        description: 'Firebreak: the member-account responder role (IAM is global: one Region per account)',
        capabilities: ['CAPABILITY_NAMED_IAM'],
        templateBody: this.memberRoleTemplate,
        stackInstancesGroup: [
          { deploymentTargets: { organizationalUnitIds: [...organizationalUnitIds] }, regions: [stack.region] },
        ],
      });
      this.forwarderStackSet = new CfnStackSet(this, 'MemberForwarderStackSet', {
        ...common,
        stackSetName: `${stack.stackName}-member-config-forwarder`,
        description: 'Firebreak: forwards Config compliance changes of each member Region to the security account',
        capabilities: ['CAPABILITY_IAM'],
        templateBody: this.forwarderTemplate,
        stackInstancesGroup: [
          { deploymentTargets: { organizationalUnitIds: [...organizationalUnitIds] }, regions: [...regions] },
        ],
      });
    }
  }
}
