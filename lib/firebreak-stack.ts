import { Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Playbook } from '../lambdas/engine/playbook';
import type { FirebreakConfig } from './config';
import { IncidentLedger } from './incident-ledger';
import { NotificationTopic } from './notification-topic';
import { enabledPlaybooks } from './playbooks';
import { Responder } from './responder';

export interface FirebreakStackProps extends StackProps {
  readonly config: FirebreakConfig;
  /** Validated playbooks from `playbooks/`; overrides from `config` are applied here. */
  readonly playbooks: readonly Playbook[];
}

const MAX_ROLE_NAME = 64;

/** The security-account stack: one notification topic and one responder per enabled playbook. */
export class FirebreakStack extends Stack {
  readonly notifications: NotificationTopic;
  readonly ledger: IncidentLedger;
  readonly responders: ReadonlyMap<string, Responder>;

  constructor(scope: Construct, id: string, props: FirebreakStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    this.ledger = new IncidentLedger(this, 'Ledger');

    // Firebreak never contains its own responders, whatever a finding says.
    const ownRoles = `arn:${this.partition}:iam::${this.account}:role/${this.stackName}-*`;
    const protectedPrincipals = [...config.protectedPrincipals, ownRoles];

    const responders = new Map<string, Responder>();
    for (const playbook of enabledPlaybooks(props.playbooks, config)) {
      const roleName = `${this.stackName}-${playbook.id}`;
      if (roleName.length > MAX_ROLE_NAME) {
        throw new Error(`Role name ${roleName} is longer than ${MAX_ROLE_NAME} characters: use a shorter stack name or playbook id`);
      }
      responders.set(
        playbook.id,
        new Responder(this, `Responder-${playbook.id}`, {
          playbook,
          notifications: this.notifications,
          roleName,
          protectedPrincipals,
          exemptionTagKey: config.exemptionTagKey,
          reservedConcurrency: config.reservedConcurrency,
          logRetentionDays: config.logRetentionDays,
          ledger: this.ledger,
          breaker: config.breaker,
          ledgerRetentionDays: config.ledgerRetentionDays,
        }),
      );
    }
    this.responders = responders;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only in the KMS key policy statement that lets CloudWatch alarms use the topic key: a key policy refers to its own key as "*".',
    });
  }
}
