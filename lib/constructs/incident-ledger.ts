import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { APPROVALS_DUE } from '../../lambdas/ledger/approvals';
import { INCIDENTS_BY_DAY } from '../../lambdas/ledger/incidents-received';

export interface IncidentLedgerProps {
  /** Adds the sparse `approvals-due` index the approval sweep queries. Default false: no playbook is in approve mode. */
  readonly approvalIndex?: boolean;
}

/**
 * The incident ledger table: encrypted with its own rotating customer-managed key, point-in-time recovery on,
 * items expire through the `expiresAt` TTL attribute. Retained when the stack is deleted: it is the audit trail.
 */
export class IncidentLedger extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: IncidentLedgerProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Firebreak: encrypts the incident ledger',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Sparse (only incidents carry the day): `firebreak report` lists a time range without a Scan.
    this.table.addGlobalSecondaryIndex({
      indexName: INCIDENTS_BY_DAY.indexName,
      partitionKey: { name: INCIDENTS_BY_DAY.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: INCIDENTS_BY_DAY.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    // Sparse (only approvals waiting for a decision, or denied and not yet notified, carry its keys): each approval-mode
    // responder's sweep queries its own playbook's due approvals without a Scan. Keys only: the sweep reads the item.
    if (props.approvalIndex) {
      this.table.addGlobalSecondaryIndex({
        indexName: APPROVALS_DUE.indexName,
        partitionKey: { name: APPROVALS_DUE.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: APPROVALS_DUE.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
    // With an index, every grant on the table also covers `<table>/index/*`, for every role of the stack.
    const stack = Stack.of(this);
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.table.node.defaultChild as dynamodb.CfnTable)}.Arn>/index/*]`,
      reason:
        `The ledger's indexes (${INCIDENTS_BY_DAY.indexName}${props.approvalIndex ? `, ${APPROVALS_DUE.indexName}` : ''}) hold ` +
        `copies of items of the same table, which a role granted on the table reads anyway; writes are never made to an index.`,
    });
  }
}
