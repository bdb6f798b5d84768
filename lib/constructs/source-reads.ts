import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Playbook } from '../../lambdas/model/playbook';

/** A GuardDuty-triggered responder re-reads its finding from GuardDuty (GetFindings) before an enforcing write. */
export function readsGuardDutyFindings(playbook: Playbook): boolean {
  return playbook.trigger.source === 'guardduty';
}

export interface SourceReads {
  /** guardduty:ListDetectors and guardduty:GetFindings on this account's detectors. */
  readonly guardDuty: boolean;
  /** securityhub:GetFindings on this account's hub. */
  readonly securityHub: boolean;
  /** Every Region a finding can name (lib/configured-regions.ts). */
  readonly regions: readonly string[];
}

/**
 * Lets the role re-read a finding from its source in each configured Region, so that a finding that did not arrive
 * through the EventBridge rule is acted on only as AWS returns it. Reads only, on the security account's own
 * detectors and hubs: GuardDuty's and Security Hub's delegated administrator holds the members' findings.
 */
export function allowSourceReads(role: iam.Role, reads: SourceReads): void {
  const stack = Stack.of(role);
  if (reads.guardDuty) {
    // ListDetectors supports no resource-level permission: it finds the detector id GetFindings needs.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['guardduty:ListDetectors'], resources: ['*'] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['guardduty:GetFindings'],
        resources: reads.regions.map(
          (region) => `arn:${stack.partition}:guardduty:${region}:${stack.account}:detector/*`,
        ),
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'guardduty:ListDetectors supports no resource-level permission (it is the read ' +
        'that finds the detector id); it is a list of detector ids, nothing more.',
    });
    for (const region of reads.regions) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:guardduty:${nagRegion(region)}:${nagAccount(stack)}:detector/*]`,
        reason:
          'The detector id is found at run time (ListDetectors); there is one detector per Region, and only GetFindings (a read) is allowed on it.',
      });
    }
  }
  if (reads.securityHub) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['securityhub:GetFindings'],
        resources: reads.regions.map(
          (region) => `arn:${stack.partition}:securityhub:${region}:${stack.account}:hub/default`,
        ),
      }),
    );
  }
}

/** cdk-nag names an unresolved Region or account as <AWS::Region> / <AWS::AccountId>. */
function nagRegion(region: string): string {
  return Token.isUnresolved(region) ? '<AWS::Region>' : region;
}

function nagAccount(stack: Stack): string {
  return Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
}
