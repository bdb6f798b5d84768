import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Playbook } from '../../lambdas/model/playbook';
import { AlarmTopic } from './alarm-topic';
import type { FirebreakConfig } from '../config';
import { handledConfigRules, isConfigCatchAll } from '../config-routing';
import { configuredRegions } from './configured-regions';
import { IncidentLedger } from './incident-ledger';
import { LedgerMacKey } from './ledger-mac-key';
import { NotificationTopic } from './notification-topic';
import { OrganizationDeployment } from './organization-deployment';
import { ReleaseFunction } from './release-function';
import { memberPermissions } from './responder-permissions';
import { enabledPlaybooks } from '../playbooks';
import { protectedPrincipalsOf } from '../responder-settings-builder';
import { Responder } from './responder';
import { SecurityHubCustomActions } from './securityhub-custom-actions';
import { ResponseDashboard } from './response-dashboard';

export interface FirebreakStackProps extends StackProps {
  readonly config: FirebreakConfig;
  /** Validated playbooks from `playbooks/`; overrides from `config` are applied here. */
  readonly playbooks: readonly Playbook[];
}

const MAX_ROLE_NAME = 64;

/** The security-account stack: one notification topic, one alarm topic and one responder per enabled playbook. */
export class FirebreakStack extends Stack {
  readonly notifications: NotificationTopic;
  /** Where Firebreak's own failures page someone: apart from the notification topic. */
  readonly alarms: AlarmTopic;
  /** The HMAC key of ledger record MACs. */
  readonly ledgerMacKey: LedgerMacKey;
  /** Every Region a finding can name: Regional grants name each. */
  readonly regions: readonly string[];
  /** The chat topic for AWS Chatbot, when `chat.enabled`. */
  readonly chatNotifications?: NotificationTopic;
  readonly ledger: IncidentLedger;
  readonly responders: ReadonlyMap<string, Responder>;
  readonly release: ReleaseFunction;
  readonly organization?: OrganizationDeployment;
  readonly securityHubActions?: SecurityHubCustomActions;

  constructor(scope: Construct, id: string, props: FirebreakStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    this.alarms = new AlarmTopic(this, 'Alarms', {
      emails: config.alarms.emails,
      httpsEndpoints: config.alarms.httpsEndpoints,
    });
    this.ledgerMacKey = new LedgerMacKey(this, 'LedgerMacKey');
    this.regions = configuredRegions(config, this.region);
    this.ledger = new IncidentLedger(this, 'Ledger', {
      approvalIndex: enabledPlaybooks(props.playbooks, config).some((playbook) => playbook.mode === 'approve'),
    });
    if (config.chat.enabled) {
      this.chatNotifications = new NotificationTopic(this, 'ChatNotifications', {
        displayName: 'Firebreak chat',
        purpose: 'chat notifications (AWS Chatbot)',
      });
    }

    // Firebreak never contains its own responders, whatever a finding says.
    const { organization } = config;
    const memberRole = organization
      ? { memberRoleName: organization.memberRoleName, organizationId: organization.organizationId }
      : undefined;
    const protectedPrincipals = protectedPrincipalsOf(config, {
      partition: this.partition,
      account: this.account,
      stackName: this.stackName,
    });

    const hub = config.securityHub?.enabled ? config.securityHub : undefined;
    if (hub?.customActions) this.securityHubActions = new SecurityHubCustomActions(this, 'SecurityHubActions');
    const securityHub = hub
      ? {
          trigger: hub.trigger,
          updateFindings: hub.updateFindings,
          updateNativeFindings: hub.updateNativeFindings,
          ...(this.securityHubActions ? { containActionArn: this.securityHubActions.containArn } : {}),
        }
      : undefined;
    const responders = new Map<string, Responder>();
    const enabled = enabledPlaybooks(props.playbooks, config);
    // A catch-all Config playbook (configRules ['*']) leaves the rules other enabled playbooks handle to them.
    const handled = handledConfigRules(enabled);
    for (const playbook of enabled) {
      const catchAll = isConfigCatchAll(playbook);
      const roleName = `${this.stackName}-${playbook.id}`;
      if (roleName.length > MAX_ROLE_NAME) {
        throw new Error(
          `Role name ${roleName} is longer than ${MAX_ROLE_NAME} characters: use a shorter stack name or playbook id`,
        );
      }
      responders.set(
        playbook.id,
        new Responder(this, `Responder-${playbook.id}`, {
          playbook,
          notifications: this.notifications,
          ...(this.chatNotifications ? { chatNotifications: this.chatNotifications } : {}),
          roleName,
          protectedPrincipals,
          exemptionTagKey: config.exemptionTagKey,
          reservedConcurrency: config.reservedConcurrency,
          logRetentionDays: config.logRetentionDays,
          ledger: this.ledger,
          breaker: config.breaker,
          ledgerRetentionDays: config.ledgerRetentionDays,
          ...(memberRole ? { memberRole } : {}),
          ...(catchAll ? { excludeConfigRules: handled } : {}),
          ...(securityHub ? { securityHub } : {}),
          alarms: this.alarms,
          ledgerMacKey: this.ledgerMacKey,
          regions: this.regions,
        }),
      );
    }
    this.responders = responders;
    this.release = new ReleaseFunction(this, 'Release', {
      playbooks: enabled,
      ledger: this.ledger,
      notifications: this.notifications,
      roleName: `${this.stackName}-release`,
      protectedPrincipals,
      exemptionHours: config.releaseExemptionHours,
      logRetentionDays: config.logRetentionDays,
      ...(memberRole ? { memberRole } : {}),
      alarms: this.alarms,
      ledgerMacKey: this.ledgerMacKey,
      regions: this.regions,
    });
    this.securityHubActions?.routeRelease(this.release.function, this.release.deadLetterQueue);
    if (organization) {
      this.organization = new OrganizationDeployment(this, 'Organization', {
        organization,
        trustedRoleNames: [
          ...enabled.map((playbook) => `${this.stackName}-${playbook.id}`),
          `${this.stackName}-release`,
        ],
        grants: memberPermissions(enabled),
        protectedPrincipals,
        regions: this.regions,
        alarms: config.alarms,
      });
    }

    const dashboard = new ResponseDashboard(this, 'ResponseDashboard', {
      playbooks: [...responders.keys()],
      deadLetterQueues: [...responders].map(([playbook, responder]) => ({
        playbook,
        queue: responder.deadLetterQueue,
      })),
    });

    new CfnOutput(this, 'DashboardName', {
      value: dashboard.dashboard.dashboardName,
      description: 'The response dashboard (CloudWatch)',
    });
    new CfnOutput(this, 'LedgerTableName', {
      value: this.ledger.table.tableName,
      description: 'The incident ledger: --table for firebreak breaker, ack and report',
    });
    new CfnOutput(this, 'ReleaseFunctionName', {
      value: this.release.function.functionName,
      description: '--function for firebreak release (the CLI signs a caller proof; a bare invocation is refused)',
    });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description:
        "Firebreak's own failures (dead-letter queues, function errors and throttles): subscribe a pager to this topic",
    });
    new CfnOutput(this, 'LedgerMacKeyArn', {
      value: this.ledgerMacKey.keyArn,
      description: 'The KMS HMAC key of ledger record MACs (only the responder and release roles may use it)',
    });
    if (this.chatNotifications) {
      new CfnOutput(this, 'ChatTopicArn', {
        value: this.chatNotifications.topic.topicArn,
        description: 'Subscribe AWS Chatbot (Amazon Q Developer in chat applications) to this topic',
      });
    }
    new CfnOutput(this, 'ReleaseDeadLetterQueue', {
      value: this.release.deadLetterQueue.queueUrl,
      description: 'Releases (Security Hub custom action) that failed or were not delivered',
    });
    for (const [id, responder] of responders) {
      new CfnOutput(this, `DeadLetterQueue-${id}`, {
        value: responder.deadLetterQueue.queueUrl,
        description: `Events the ${id} responder could not finish`,
      });
      if (responder.approvalSweep)
        new CfnOutput(this, `ResponderFunctionName-${id}`, {
          value: responder.function.functionName,
          description: `--function for firebreak approve (playbook ${id})`,
        });
    }

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only in the KMS key policy statement that lets CloudWatch alarms use the alarm topic key: a key policy refers to its own key as "*".',
    });
  }
}
