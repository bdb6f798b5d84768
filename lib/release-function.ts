import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Playbook } from '../lambdas/engine/playbook';
import { Stack } from 'aws-cdk-lib';
import { allowAssumeMemberRole, type MemberRoleAccess } from './assume-member-role';
import { grantPermissions } from './grant-permissions';
import type { IncidentLedger } from './incident-ledger';
import type { NotificationTopic } from './notification-topic';
import { releasePermissions } from './responder-permissions';
import { lambdaBundling } from './sdk-bundling';

export interface ReleaseFunctionProps {
  readonly playbooks: readonly Playbook[];
  readonly ledger: IncidentLedger;
  readonly notifications: NotificationTopic;
  readonly roleName: string;
  readonly protectedPrincipals: readonly string[];
  readonly exemptionHours: number;
  readonly logRetentionDays: number;
  readonly memberRole?: MemberRoleAccess;
}

/**
 * Undoes one incident from the ledger's recorded pre-state: `aws lambda invoke --function-name <name>
 * --payload '{"incidentId":"...","releasedBy":"..."}'`. Its role holds exactly the release permissions of the
 * enabled playbooks' actions: the only Firebreak role that can delete a (Firebreak) inline policy.
 */
export class ReleaseFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReleaseFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays as logs.RetentionDays });
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Firebreak release: restores the pre-state the ledger recorded for one incident',
    });
    logGroup.grantWrite(this.role);
    props.notifications.topic.grantPublish(this.role);
    props.ledger.table.grant(this.role, 'dynamodb:Query', 'dynamodb:UpdateItem');
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Added by grantPublish on the encrypted topic, on that one key only: SNS needs a data key of the topic key to encrypt each message.',
    });
    grantPermissions(this.role, releasePermissions(props.playbooks), props.protectedPrincipals, 'release');
    if (props.memberRole) allowAssumeMemberRole(this.role, props.memberRole);
    const stack = Stack.of(this);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(__dirname, '..', 'lambdas', 'handlers', 'release.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(120),
      role: this.role,
      logGroup,
      description: 'Firebreak: release one incident from its recorded pre-state',
      environment: {
        FIREBREAK_LEDGER_TABLE: props.ledger.table.tableName,
        FIREBREAK_TOPIC_ARN: props.notifications.topic.topicArn,
        FIREBREAK_RELEASE_EXEMPTION_HOURS: String(props.exemptionHours),
        FIREBREAK_HOME_ACCOUNT: stack.account,
        FIREBREAK_PARTITION: stack.partition,
        ...(props.memberRole ? { FIREBREAK_MEMBER_ROLE_NAME: props.memberRole.memberRoleName } : {}),
      },
      // Release reads and writes IAM, EC2 and Auto Scaling: every client stays.
      bundling: lambdaBundling([]),
      // A release is asked for by a person and answered synchronously: no automatic retry.
      retryAttempts: 0,
    });
  }
}
