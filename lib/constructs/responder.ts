import { join } from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Playbook } from '../../lambdas/model/playbook';
import type { ResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { assembleSettings } from '../responder-settings-builder';
import type { AlarmTopic } from './alarm-topic';
import { allowAssumeMemberRole, type MemberRoleAccess } from './assume-member-role';
import { deadLetterQueue } from './dead-letter-queue';
import type { IncidentLedger } from './incident-ledger';
import type { LedgerMacKey } from './ledger-mac-key';
import type { NotificationTopic } from './notification-topic';
import { eventPatternFor, triggerSummary } from './event-pattern';
import { grantPermissions } from './grant-permissions';
import { playbookPermissions } from './responder-permissions';
import { lambdaBundling, unusedSdkClients } from './sdk-bundling';
import { securityHubPatternFor } from './securityhub-pattern';
import { wireSecurityHub, type ResponderSecurityHub } from './securityhub-responder';
import { allowSourceReads, readsGuardDutyFindings } from './source-reads';

export interface ResponderProps {
  /** The playbook with configuration overrides applied. */
  readonly playbook: Playbook;
  readonly notifications: NotificationTopic;
  /** The chat topic (AWS Chatbot), when enabled: the responder publishes the chat form of each message to it. */
  readonly chatNotifications?: NotificationTopic;
  /** Name of the function's role; the stack protects every role with its prefix. */
  readonly roleName: string;
  readonly protectedPrincipals: readonly string[];
  readonly exemptionTagKey: string;
  readonly reservedConcurrency: number;
  readonly logRetentionDays: number;
  readonly ledger: IncidentLedger;
  readonly breaker: ResponderSettings['breaker'];
  readonly ledgerRetentionDays: number;
  /** A catch-all Config playbook leaves these rules to the playbooks that handle them. */
  readonly excludeConfigRules?: readonly string[];
  /** Organization-wide: the member role to assume for findings about other accounts. */
  readonly memberRole?: MemberRoleAccess;
  /** Security Hub rules and updates; absent: none. */
  readonly securityHub?: ResponderSecurityHub;
  /** Where the responder's failures page someone (dead-letter queue, errors, throttles): not the notification topic. */
  readonly alarms: AlarmTopic;
  /** The key that MACs the responder's ledger records. */
  readonly ledgerMacKey: LedgerMacKey;
  /** Every Region a finding can name (lib/configured-regions.ts): Regional grants name each. Default: the stack's Region. */
  readonly regions?: readonly string[];
}

export const RESPONDER_ENTRY = join(__dirname, '..', '..', 'lambdas', 'handlers', 'respond.ts');

/**
 * One playbook's responder: an EventBridge rule compiled from its trigger, a function whose role holds exactly its
 * steps' permissions (in every configured Region), and a dead-letter queue (rule target and async on-failure
 * destination), with alarms on the queue and on the function's errors and throttles to the alarm topic.
 */
export class Responder extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;
  /** Approval mode: the scheduled rule that applies the default of expired approvals and notifies denials. */
  readonly approvalSweep?: events.Rule;
  /** The Security Hub rules (imported findings, custom action "contain"), when enabled. */
  readonly securityHubRules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: ResponderProps) {
    super(scope, id);
    const { playbook } = props;
    const stack = Stack.of(this);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', 'the rule target and the function');
    const regions = props.regions ?? [stack.region];

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetentionDays as logs.RetentionDays });
    this.role = this.responderRole(props, logGroup, regions);
    this.function = this.responderFunction(props, logGroup);

    this.rule = new events.Rule(this, 'Rule', {
      description: `Firebreak ${playbook.id}: ${triggerSummary(playbook)}`.slice(0, 512),
      eventPattern: eventPatternFor(playbook),
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 20,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    if (playbook.mode === 'approve') this.approvalSweep = this.approvalSweepRule(playbook);

    if (props.securityHub)
      this.securityHubRules.push(
        ...wireSecurityHub(this, playbook, this.function, this.deadLetterQueue, this.role, props.securityHub),
      );
    // Re-reading the finding from its source before an enforcing write (the engine calls these; reads only).
    allowSourceReads(this.role, {
      guardDuty: readsGuardDutyFindings(playbook),
      securityHub: takesSecurityHubEvents(playbook, props.securityHub),
      regions,
    });

    props.alarms.alarmOnQueue(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      `Firebreak ${playbook.id}: an event could not be handled and is waiting in the dead-letter queue. See the README, "Dead-letter queues".`,
    );
    props.alarms.alarmOnFunction(this, this.function, playbook.id);
  }

  /** The function's role: its logs, the topics, the ledger, the MAC key, and exactly its steps' permissions. */
  private responderRole(props: ResponderProps, logGroup: logs.LogGroup, regions: readonly string[]): iam.Role {
    const { playbook } = props;
    const role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Firebreak responder for playbook ${playbook.id}: exactly the permissions its steps declare`,
    });
    logGroup.grantWrite(role);
    props.notifications.topic.grantPublish(role);
    props.chatNotifications?.topic.grantPublish(role);
    props.ledger.table.grant(
      role,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Added by grantPublish on the encrypted topic, on that one key only: SNS needs a data key of the topic key to encrypt each message.',
    });
    grantPermissions(
      role,
      playbookPermissions(playbook),
      props.protectedPrincipals,
      `playbook ${playbook.id}`,
      regions,
    );
    if (props.memberRole) allowAssumeMemberRole(role, props.memberRole);
    props.ledgerMacKey.allowUse(role);
    return role;
  }

  /** The function, with its settings (lib/responder-settings-builder) and the stack's names in its environment. */
  private responderFunction(props: ResponderProps, logGroup: logs.LogGroup): nodejs.NodejsFunction {
    const { playbook, notifications } = props;
    const stack = Stack.of(this);
    const settings = assembleSettings({
      playbook,
      protectedPrincipals: props.protectedPrincipals,
      exemptionTagKey: props.exemptionTagKey,
      homeAccountId: stack.account,
      breaker: props.breaker,
      ledgerRetentionDays: props.ledgerRetentionDays,
      memberRoleName: props.memberRole?.memberRoleName,
      excludeConfigRules: props.excludeConfigRules,
      securityHub: props.securityHub,
    });
    return new nodejs.NodejsFunction(this, 'Function', {
      entry: RESPONDER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      role: this.role,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      description: `Firebreak: ${playbook.id} (${playbook.mode})`,
      environment: {
        FIREBREAK_SETTINGS: stack.toJsonString(settings),
        FIREBREAK_TOPIC_ARN: notifications.topic.topicArn,
        ...(props.chatNotifications ? { FIREBREAK_CHAT_TOPIC_ARN: props.chatNotifications.topic.topicArn } : {}),
        FIREBREAK_LEDGER_TABLE: props.ledger.table.tableName,
        FIREBREAK_PARTITION: stack.partition,
        FIREBREAK_LEDGER_MAC_KEY: props.ledgerMacKey.keyArn,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: lambdaBundling(
        unusedSdkClients(playbook, {
          securityHubUpdates: props.securityHub?.updateFindings === true,
          securityHubEvents: takesSecurityHubEvents(playbook, props.securityHub),
        }),
      ),
      // A function error (an API throttled past the SDK's own retries, a read that timed out) is retried by Lambda
      // twice, one and then two minutes later; only then does the event go to the dead-letter queue, whose alarm pages
      // a person. Throttled invocations are retried by Lambda with backoff up to maxEventAge. Re-delivery is safe:
      // the engine's ledger keeps exactly-once in effect (a step recorded as applied is a no-op when the event comes
      // again), so a retry finishes what the failed run began and never contains twice.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
  }

  /**
   * Every minute (the timeout's unit): an expired approval gets its default at most a minute late. The responder
   * sweeps its own playbook's approvals with the ledger access it already has: no new permission, no new function.
   */
  private approvalSweepRule(playbook: Playbook): events.Rule {
    return new events.Rule(this, 'ApprovalSweep', {
      description: `Firebreak ${playbook.id}: apply the default of expired approvals, notify denials`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.function, {
          event: events.RuleTargetInput.fromObject({ firebreak: 'sweep' }),
          // The next sweep comes within a minute: a late one is worth nothing.
          retryAttempts: 2,
          maxEventAge: Duration.minutes(2),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}

/** Whether the responder gets Security Hub events (rules for imported findings or the custom action "contain"). */
function takesSecurityHubEvents(playbook: Playbook, securityHub: ResponderSecurityHub | undefined): boolean {
  return (
    securityHub !== undefined &&
    (securityHub.trigger || securityHub.containActionArn !== undefined) &&
    securityHubPatternFor(playbook) !== undefined
  );
}
