import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { awsCall } from '../aws/aws-call-error';
import {
  APPROVALS_DUE,
  ApprovalTooLargeError,
  MAX_STORED_EVENT_BYTES,
  type Approval,
  type ApprovalRequest,
  type ApprovalRequestResult,
  type ApprovalStatus,
  type Approvals,
  type Decision,
  type DecisionResult,
} from './approvals';

type Item = Record<string, AttributeValue>;

const s = (value: string): AttributeValue => ({ S: value });
const text = (item: Item | undefined, key: string): string | undefined => item?.[key]?.S;
const APPROVAL = 'APPROVAL';
/** Below any ISO time: the lower bound of the due query (a key condition cannot compare with an empty string). */
const BEFORE_ANY_TIME = '0000';

function key(incidentId: string): Item {
  return { pk: s(`INCIDENT#${incidentId}`), sk: s(APPROVAL) };
}

function conditionFailed(error: unknown): Item | false {
  const cause = ((error as { cause?: unknown }).cause ?? error) as { name?: string; Item?: Item };
  return cause.name === 'ConditionalCheckFailedException' ? (cause.Item ?? {}) : false;
}

function parseJson(value: string | undefined): unknown {
  try {
    return value === undefined ? undefined : (JSON.parse(value) as unknown);
  } catch {
    return undefined;
  }
}

function approvalOf(item: Item): Approval {
  const optional = (name: 'decidedBy' | 'decidedAt' | 'notifiedAt') =>
    text(item, name) !== undefined ? { [name]: text(item, name)! } : {};
  const plan = parseJson(text(item, 'plan'));
  return {
    incidentId: (text(item, 'pk') ?? '').replace(/^INCIDENT#/, ''),
    playbook: text(item, 'playbook') ?? '',
    status: (text(item, 'status') ?? 'awaiting') as ApprovalStatus,
    requestedAt: text(item, 'requestedAt') ?? '',
    approvalExpiresAt: text(item, 'approvalExpiresAt') ?? '',
    onTimeout: text(item, 'onTimeout') === 'contain' ? 'contain' : 'drop',
    event: parseJson(text(item, 'event')),
    plan: Array.isArray(plan) ? (plan as Approval['plan']) : [],
    ...optional('decidedBy'),
    ...optional('decidedAt'),
    ...optional('notifiedAt'),
  };
}

/**
 * Approvals in the ledger table: one item per incident (`INCIDENT#<id>` / `APPROVAL`), next to its steps. Every
 * transition is a conditional write on `status`, so approve, deny and the timeout cannot both win.
 */
export class DynamoDbApprovals implements Approvals {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async requestApproval(request: ApprovalRequest, now: Date): Promise<ApprovalRequestResult> {
    const event = JSON.stringify(request.event ?? null);
    const bytes = Buffer.byteLength(event, 'utf8');
    if (bytes > MAX_STORED_EVENT_BYTES) {
      throw new ApprovalTooLargeError(
        `the event of incident ${request.incidentId} is ${bytes} bytes, more than the ${MAX_STORED_EVENT_BYTES} an approval stores: contain it by hand`,
      );
    }
    try {
      await this.call('dynamodb:PutItem', `request approval of ${request.incidentId}`, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              ...key(request.incidentId),
              status: s('awaiting'),
              playbook: s(request.playbook),
              requestedAt: s(request.requestedAt),
              approvalExpiresAt: s(request.approvalExpiresAt),
              onTimeout: s(request.onTimeout),
              event: s(event),
              plan: s(JSON.stringify(request.plan.map((step) => ({ ...step, summary: step.summary.slice(0, 1000) })))),
              [APPROVALS_DUE.partitionKey]: s(request.playbook),
              [APPROVALS_DUE.sortKey]: s(request.approvalExpiresAt),
              expiresAt: { N: String(Math.floor(now.getTime() / 1000) + this.retentionDays * 86_400) },
            },
            // A pending or refused plan is never replaced; an approved one is, when a re-delivery finds work again.
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :approved',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':approved': s('approved') },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { kind: 'requested' };
    } catch (error) {
      const old = conditionFailed(error);
      if (old === false) throw error;
      return { kind: 'exists', approval: approvalOf(old) };
    }
  }

  async getApproval(incidentId: string): Promise<Approval | undefined> {
    const response = await this.call('dynamodb:GetItem', `approval of ${incidentId}`, () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(incidentId), ConsistentRead: true })),
    );
    return response.Item ? approvalOf(response.Item) : undefined;
  }

  async decide(incidentId: string, decision: Decision, now: Date): Promise<DecisionResult> {
    const at = now.toISOString();
    const by = decision.kind === 'timeout' ? `timeout (onTimeout: ${decision.onTimeout})` : decision.by;
    const status: ApprovalStatus =
      decision.kind === 'approve' || (decision.kind === 'timeout' && decision.onTimeout === 'contain')
        ? 'approved'
        : decision.kind === 'deny'
          ? 'denied'
          : 'expired';
    const values: Item = { ':awaiting': s('awaiting'), ':status': s(status), ':by': s(by), ':at': s(at) };
    const names: Record<string, string> = {
      '#status': 'status',
      '#by': 'decidedBy',
      '#at': 'decidedAt',
      '#sweep': APPROVALS_DUE.partitionKey,
      '#due': APPROVALS_DUE.sortKey,
    };
    let condition = 'attribute_exists(pk) AND #status = :awaiting';
    if (decision.kind === 'timeout') {
      condition += ' AND #expires <= :at';
      names['#expires'] = 'approvalExpiresAt';
    }
    // A denial stays on the index, due now, until its message is claimed; an expiry's message is claimed with it.
    const update =
      status === 'denied'
        ? 'SET #status = :status, #by = :by, #at = :at, #due = :at'
        : status === 'expired'
          ? 'SET #status = :status, #by = :by, #at = :at, #notified = :at REMOVE #sweep, #due'
          : 'SET #status = :status, #by = :by, #at = :at REMOVE #sweep, #due';
    if (status === 'expired') names['#notified'] = 'notifiedAt';
    if (status === 'denied') delete names['#sweep'];
    try {
      const response = await this.call('dynamodb:UpdateItem', `${decision.kind} approval of ${incidentId}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(incidentId),
            UpdateExpression: update,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const approval = response.Attributes ? approvalOf(response.Attributes) : await this.getApproval(incidentId);
      return approval ? { kind: 'decided', approval } : { kind: 'not-found' };
    } catch (error) {
      const old = conditionFailed(error);
      if (old === false) throw error;
      return old.pk ? { kind: 'already-decided', approval: approvalOf(old) } : { kind: 'not-found' };
    }
  }

  async reopen(approval: Approval): Promise<boolean> {
    try {
      await this.call('dynamodb:UpdateItem', `reopen approval of ${approval.incidentId}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(approval.incidentId),
            UpdateExpression: 'SET #status = :awaiting, #sweep = :playbook, #due = :expires REMOVE #by, #at',
            ConditionExpression: '#status = :approved AND #by = :by AND #at = :at',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#by': 'decidedBy',
              '#at': 'decidedAt',
              '#sweep': APPROVALS_DUE.partitionKey,
              '#due': APPROVALS_DUE.sortKey,
            },
            ExpressionAttributeValues: {
              ':awaiting': s('awaiting'),
              ':approved': s('approved'),
              ':playbook': s(approval.playbook),
              ':expires': s(approval.approvalExpiresAt),
              ':by': s(approval.decidedBy ?? ''),
              ':at': s(approval.decidedAt ?? ''),
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error) === false) throw error;
      return false;
    }
  }

  async dueApprovals(playbook: string, now: Date): Promise<string[]> {
    const ids: string[] = [];
    let start: Item | undefined;
    do {
      const page = await this.call(
        'dynamodb:Query',
        `index ${APPROVALS_DUE.indexName}: approvals of ${playbook} due`,
        () =>
          this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: APPROVALS_DUE.indexName,
              KeyConditionExpression: `${APPROVALS_DUE.partitionKey} = :playbook AND ${APPROVALS_DUE.sortKey} BETWEEN :from AND :now`,
              ExpressionAttributeValues: {
                ':playbook': s(playbook),
                ':from': s(BEFORE_ANY_TIME),
                ':now': s(now.toISOString()),
              },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
      );
      ids.push(...(page.Items ?? []).map((item) => (text(item, 'pk') ?? '').replace(/^INCIDENT#/, '')).filter(Boolean));
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  async claimDenialMessage(incidentId: string, now: Date): Promise<boolean> {
    try {
      await this.call('dynamodb:UpdateItem', `claim the denial message of ${incidentId}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(incidentId),
            UpdateExpression: 'SET #notified = :now REMOVE #sweep, #due',
            ConditionExpression: '#status = :denied AND attribute_not_exists(#notified)',
            ExpressionAttributeNames: {
              '#notified': 'notifiedAt',
              '#sweep': APPROVALS_DUE.partitionKey,
              '#due': APPROVALS_DUE.sortKey,
              '#status': 'status',
            },
            ExpressionAttributeValues: { ':now': s(now.toISOString()), ':denied': s('denied') },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error) === false) throw error;
      return false;
    }
  }

  private call<T>(operation: string, resource: string, run: () => Promise<T>): Promise<T> {
    return awsCall(operation, `${this.tableName}: ${resource}`, run);
  }
}
