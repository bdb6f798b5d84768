import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { Playbook } from '../../lambdas/model/playbook';
import { securityHubPatternFor } from './securityhub-pattern';

export interface ResponderSecurityHub {
  /** A rule for `Security Hub Findings - Imported` events of the playbook's findings. */
  readonly trigger: boolean;
  /** BatchUpdateFindings after the message (workflow NOTIFIED and a note). */
  readonly updateFindings: boolean;
  readonly updateNativeFindings: boolean;
  /** The "Firebreak: contain" custom action: a rule for its events of the playbook's findings. */
  readonly containActionArn?: string;
}

/** The fields Firebreak never changes: its role cannot change them either (a responder cannot re-type or re-grade a finding to start another). */
const NEVER_UPDATED = [
  'Severity.Label',
  'Severity.Normalized',
  'Severity.Product',
  'Types',
  'Confidence',
  'Criticality',
  'RelatedFindings',
  'UserDefinedFields',
  'VerificationState',
];

/** The Security Hub rules of one responder (same target settings and dead-letter queue as its main rule) and its permission. */
export function wireSecurityHub(
  scope: Construct,
  playbook: Playbook,
  fn: lambda.IFunction,
  deadLetterQueue: sqs.IQueue,
  role: iam.Role,
  options: ResponderSecurityHub,
): events.Rule[] {
  const rules: events.Rule[] = [];
  const target = () =>
    new targets.LambdaFunction(fn, { retryAttempts: 20, maxEventAge: Duration.hours(24), deadLetterQueue });
  const imported = options.trigger ? securityHubPatternFor(playbook) : undefined;
  if (imported) {
    rules.push(
      new events.Rule(scope, 'SecurityHubRule', {
        description: `Firebreak ${playbook.id}: its findings imported into Security Hub by GuardDuty or Config`,
        eventPattern: imported,
        targets: [target()],
      }),
    );
  }
  const contain = options.containActionArn ? securityHubPatternFor(playbook, options.containActionArn) : undefined;
  if (contain) {
    rules.push(
      new events.Rule(scope, 'ContainActionRule', {
        description: `Firebreak ${playbook.id}: the Security Hub custom action "Firebreak: contain" on its findings`,
        eventPattern: contain,
        targets: [target()],
      }),
    );
  }
  if (options.updateFindings) allowUpdateFindings(role);
  return rules;
}

/**
 * BatchUpdateFindings on this account's hub, only to set the workflow to NOTIFIED (with a note); explicit denies
 * on every other field a customer may update.
 */
export function allowUpdateFindings(role: iam.Role): void {
  const stack = Stack.of(role);
  const hub = `arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:hub/default`;
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['securityhub:BatchUpdateFindings'],
      resources: [hub],
      conditions: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'NOTIFIED' } },
    }),
  );
  for (const field of NEVER_UPDATED) {
    role.addToPolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['securityhub:BatchUpdateFindings'],
        resources: [hub],
        conditions: { Null: { [`securityhub:ASFFSyntaxPath/${field}`]: 'false' } },
      }),
    );
  }
}
