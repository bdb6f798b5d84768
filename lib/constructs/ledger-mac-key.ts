import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * What the account (IAM, through the key policy's root statement) may do with the key: administer it, and what
 * CloudFormation's AWS::KMS::Key handlers call. Not kms:GenerateMac or kms:VerifyMac, and not kms:CreateGrant (a
 * grant would hand out MAC use without a change to the key policy), so that no IAM policy, however broad, can MAC or
 * verify a ledger record. A key administrator can still rewrite the key policy (kms:PutKeyPolicy): that is a
 * logged, visible change, not a silent use.
 */
export const LEDGER_MAC_KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
] as const;

/** The only uses of the key: a MAC over a ledger record's content, and its verification before release writes. */
export const LEDGER_MAC_KEY_USE_ACTIONS = ['kms:GenerateMac', 'kms:VerifyMac'] as const;

/**
 * The KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC) that makes ledger records tamper-evident. Its key policy is the
 * only grant of its use: to the roles given to `allowUse` (the responders and release), by their role ARNs, so no
 * IAM policy of the account can add a user. Retained with the stack, like the ledger whose MACs it verifies.
 *
 * No circular dependency: the key policy refers to the roles (the key is created after them); the functions refer to
 * the key (FIREBREAK_LEDGER_MAC_KEY, created after it); the roles' own policies never refer to the key.
 */
export class LedgerMacKey extends Construct {
  readonly key: kms.Key;
  private use?: iam.PolicyStatement;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description:
        'Firebreak: MACs of incident ledger records (tamper evidence); used only by the responder and release roles',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      // A given policy replaces CDK's default (account root: kms:*).
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'KeyAdministrationOnly',
            principals: [new iam.AccountRootPrincipal()],
            actions: [...LEDGER_MAC_KEY_ADMIN_ACTIONS],
            resources: ['*'],
          }),
        ],
      }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason:
        'AWS KMS does not support automatic rotation of HMAC keys (only of symmetric encryption keys); CloudFormation rejects ' +
        'EnableKeyRotation on this key. Rotate by hand: a new key, re-MAC the records, retire this one (README, "Ledger record MACs").',
    });
  }

  get keyArn(): string {
    return this.key.keyArn;
  }

  /** Lets this role (by its ARN, in the key policy) generate and verify MACs with the key. */
  allowUse(role: iam.IRole): void {
    if (!this.use) {
      this.use = new iam.PolicyStatement({
        sid: 'LedgerRecordMacs',
        principals: [],
        actions: [...LEDGER_MAC_KEY_USE_ACTIONS],
        resources: ['*'],
      });
      this.key.addToResourcePolicy(this.use);
    }
    this.use.addPrincipals(new iam.ArnPrincipal(role.roleArn));
  }
}
