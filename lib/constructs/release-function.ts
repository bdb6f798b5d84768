import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Playbook } from '../../lambdas/model/playbook';
import { Stack } from 'aws-cdk-lib';
import type { AlarmTopic } from './alarm-topic';
import { allowAssumeMemberRole, type MemberRoleAccess } from './assume-member-role';
import { deadLetterQueue } from './dead-letter-queue';
import { grantPermissions } from './grant-permissions';
import type { IncidentLedger } from './incident-ledger';
import type { LedgerMacKey } from './ledger-mac-key';
import type { NotificationTopic } from './notification-topic';
import { releasePermissions } from './responder-permissions';
import { lambdaBundling, releaseUnusedSdkClients } from './sdk-bundling';

export interface ReleaseFunctionProps {
  readonly playbooks: readonly Playbook[];
  readonly ledger: IncidentLedger;
  readonly notifications: NotificationTopic;
  readonly roleName: string;
  readonly protectedPrincipals: readonly string[];
  readonly exemptionHours: number;
  readonly logRetentionDays: number;
  readonly memberRole?: MemberRoleAccess;
  /** Where the function's failures page someone. */
  readonly alarms: AlarmTopic;
  /** The key that MACs ledger records: release verifies a record before any write. */
  readonly ledgerMacKey: LedgerMacKey;
  /** Every Region an incident can be in (lib/configured-regions.ts). Default: the stack's Region. */
  readonly regions?: readonly string[];
}

/**
 * Undoes one incident from the ledger's recorded pre-state: `firebreak release <incident> --function <name>`, which
 * signs a caller proof the function checks with STS (lambdas/identity/). Its role holds exactly the release permissions of the
 * enabled playbooks' actions: the only Firebreak role that can delete a (Firebreak) inline policy.
 */
export class ReleaseFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  /** The asynchronous invocations (the Security Hub custom action) that failed, and the custom action rule's undelivered events. */
  readonly deadLetterQueue: sqs.Queue;

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
      reason:
        'Added by grantPublish on the encrypted topic, on that one key only: SNS needs a data key of the topic key to encrypt each message.',
    });
    const regions = props.regions ?? [Stack.of(this).region];
    grantPermissions(this.role, releasePermissions(props.playbooks), props.protectedPrincipals, 'release', regions);
    if (props.memberRole) allowAssumeMemberRole(this.role, props.memberRole);
    props.ledgerMacKey.allowUse(this.role);
    const stack = Stack.of(this);
    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetterQueue',
      'the release function (asynchronous on-failure destination) and of the Security Hub release rule target',
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(__dirname, '..', '..', 'lambdas', 'handlers', 'release.ts'),
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
        FIREBREAK_LEDGER_MAC_KEY: props.ledgerMacKey.keyArn,
        ...(props.memberRole ? { FIREBREAK_MEMBER_ROLE_NAME: props.memberRole.memberRoleName } : {}),
      },
      bundling: lambdaBundling(releaseUnusedSdkClients()),
      // A release is asked for by a person: the CLI's is synchronous and answered, and an asynchronous one (the Security
      // Hub custom action) that fails is not retried by Lambda but kept in the dead-letter queue, whose alarm pages.
      retryAttempts: 0,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    props.alarms.alarmOnQueue(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      'Firebreak release: a release (Security Hub custom action) failed or was not delivered ' +
        'and is waiting in the dead-letter queue. See the README, "Dead-letter queues".',
    );
    props.alarms.alarmOnFunction(this, this.function, 'release');
  }
}
