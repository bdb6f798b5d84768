import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { awsCall } from '../aws/aws-call-error';
import { INCIDENTS_BY_DAY, receivedDay } from './incidents-received';
import type {
  Acknowledgement,
  AppliedStep,
  BreakerScope,
  BreakerSlot,
  BreakerState,
  BreakerTake,
  Incident,
  IncidentRecord,
  IncidentSummary,
  LeaseClaim,
  Ledger,
} from './ledger';

type Item = Record<string, AttributeValue>;

const HOUR_MS = 3_600_000;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const text = (item: Item | undefined, key: string): string | undefined => item?.[key]?.S;
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
/** Kept from the first delivery: a re-delivery of the finding does not move the incident's receipt or first message. */
const FIRST_WINS: ReadonlySet<string> = new Set(['receivedAt', 'notifiedAt', INCIDENTS_BY_DAY.partitionKey]);

function incidentKey(incidentId: string): string {
  return `INCIDENT#${incidentId}`;
}

function stepKey(index: number, action: string): string {
  return `STEP#${String(index).padStart(3, '0')}#${action}`;
}

function scopeKey(scope: BreakerScope): string {
  return scope.kind === 'account' ? `BREAKER#ACCOUNT#${scope.accountId}` : `BREAKER#PLAYBOOK#${scope.playbook}`;
}

/** The breaker counts per UTC clock hour: `2026-11-21T08`. */
function breakerHour(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/** One counter item per scope and hour. */
function breakerKey(scope: BreakerScope, hour: string): Item {
  return { pk: s(scopeKey(scope)), sk: s(`HOUR#${hour}`) };
}

/** A counter is read only during its hour; it expires (TTL) an hour after it ends. */
function breakerExpiry(hour: string): number {
  return epochSeconds(new Date(Date.parse(`${hour}:00:00.000Z`) + 2 * HOUR_MS));
}

const BREAKER_NAMES = { '#count': 'count', '#generation': 'generation', '#expires': 'expiresAt' };

const number = (item: Item | undefined, key: string): number => Number(item?.[key]?.N ?? '0');

function parseJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function appliedStep(item: Item): AppliedStep {
  const releasedAt = text(item, 'releasedAt');
  const unconfirmed = text(item, 'state') === 'applying';
  const tentative = unconfirmed && item.tentative?.BOOL === true;
  return {
    index: Number(item.index?.N ?? '0'),
    action: text(item, 'action') ?? '',
    summary: text(item, 'summary') ?? '',
    write: parseJson(text(item, 'write')),
    replaced: parseJson(text(item, 'replaced')),
    appliedAt: text(item, 'appliedAt') ?? '',
    ...(text(item, 'mac') ? { mac: text(item, 'mac') } : {}),
    ...(releasedAt ? { releasedAt } : {}),
    ...(unconfirmed ? { unconfirmed } : {}),
    ...(tentative ? { tentative } : {}),
  };
}

const SUMMARY_FIELDS: ReadonlySet<string> = new Set<keyof IncidentSummary>([
  'incidentId',
  'findingId',
  'findingType',
  'playbook',
  'accountId',
  'region',
  'subject',
  'resourceArn',
  'status',
  'firstSeen',
  'lastSeen',
  'receivedAt',
  'containedAt',
  'notifiedAt',
  'notifyFailedAt',
  'resolvedAt',
]);

const INTENT_SET =
  'SET #state = :applying, #owner = :owner, #action = :action, #index = :index, #summary = :summary, ' +
  '#write = :write, #replaced = :replaced, #at = :at, #expires = :expires';

/** The intents a lease item carries, as unconfirmed steps. */
function plannedSteps(lease: Item | undefined): AppliedStep[] {
  const planned = parseJson(text(lease, 'planned'));
  if (!Array.isArray(planned)) return [];
  const plannedBy = text(lease, 'owner');
  return (planned as AppliedStep[]).map((step) => ({
    ...step,
    unconfirmed: true,
    tentative: true,
    ...(plannedBy ? { plannedBy } : {}),
  }));
}

function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return (cause as { name?: string }).name === 'ConditionalCheckFailedException';
}

function oldItem(error: unknown): Item | undefined {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return (cause as { Item?: Item }).Item;
}

/**
 * The ledger in one DynamoDB table (partition key `pk`, sort key `sk`, TTL attribute `expiresAt`):
 * `INCIDENT#<id>` holds the incident (`INCIDENT`) and its steps (`STEP#<n>#<action>`); `BREAKER#<scope>` holds one
 * counter per UTC hour (`HOUR#<yyyy-mm-ddThh>`: `count`, `generation`, `pagedAt`, `closedAt`, expiring an hour after it ends).
 */
export class DynamoDbLedger implements Ledger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  /**
   * `planned`: the intents of the writes this holder may make before it can record them one by one (their pre-state
   * as assumed before reading); a crashed holder's are handed to the next one, and shown by getIncident.
   */
  async leaseIncident(
    incidentId: string,
    owner: string,
    leaseMs: number,
    now: Date,
    planned: readonly AppliedStep[] = [],
  ): Promise<LeaseClaim> {
    const claimedUntil = new Date(now.getTime() + leaseMs).toISOString();
    try {
      const response = await this.call('dynamodb:PutItem', `lease ${incidentId}`, () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: {
              pk: s(incidentKey(incidentId)),
              sk: s('LEASE'),
              state: s('claimed'),
              owner: s(owner),
              claimedUntil: s(claimedUntil),
              action: s('incident'),
              index: n(0),
              expiresAt: n(this.expiry(now)),
              ...(planned.length > 0 ? { planned: s(JSON.stringify(planned)) } : {}),
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR #state = :released OR (#state = :claimed AND #until < :now)',
            ExpressionAttributeNames: { '#state': 'state', '#until': 'claimedUntil' },
            ExpressionAttributeValues: {
              ':released': s('released'),
              ':claimed': s('claimed'),
              ':now': s(now.toISOString()),
            },
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const old = response.Attributes;
      const previous = text(old, 'state') === 'claimed' ? plannedSteps(old) : [];
      const endedAt = text(old, 'state') === 'released' ? text(old, 'endedAt') : undefined;
      return {
        kind: 'claimed',
        ...(previous.length > 0 ? { planned: previous } : {}),
        ...(endedAt ? { previousEndedAt: endedAt } : {}),
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { kind: 'busy', claimedUntil: text(oldItem(error), 'claimedUntil') ?? 'unknown' };
    }
  }

  async endLease(incidentId: string, owner: string, now: Date = new Date()): Promise<void> {
    await this.updateLease(
      incidentId,
      owner,
      'SET #state = :released, #ended = :ended REMOVE #planned',
      { '#ended': 'endedAt' },
      { ':released': s('released'), ':ended': s(now.toISOString()) },
    );
  }

  async clearPlanned(incidentId: string, owner: string): Promise<void> {
    await this.updateLease(incidentId, owner, 'REMOVE #planned', {}, {});
  }

  /** Changes the lease only while this owner holds it; a lease taken over since is left alone. */
  private async updateLease(
    incidentId: string,
    owner: string,
    update: string,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
  ): Promise<void> {
    try {
      await this.call('dynamodb:UpdateItem', `lease ${incidentId}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: s(incidentKey(incidentId)), sk: s('LEASE') },
            UpdateExpression: update,
            ConditionExpression: '#owner = :owner AND #state = :claimed',
            ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state', '#planned': 'planned', ...names },
            ExpressionAttributeValues: { ':owner': s(owner), ':claimed': s('claimed'), ...values },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async recordIntent(incidentId: string, step: AppliedStep, owner: string): Promise<void> {
    await this.call('dynamodb:UpdateItem', `intent ${step.action} of ${incidentId}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(incidentKey(incidentId)), sk: s(stepKey(step.index, step.action)) },
          // A tentative intent (only planned, maybe never written) stays marked so: it is never confirmed as Firebreak's.
          // A new intent after a release is a new write: the old release time no longer describes it.
          UpdateExpression: step.tentative
            ? `${INTENT_SET}, #tentative = :tentative REMOVE #released, #mac`
            : `${INTENT_SET}${step.mac ? ', #mac = :mac' : ''} REMOVE #tentative, #released${step.mac ? '' : ', #mac'}`,
          ConditionExpression: 'attribute_not_exists(pk) OR #state <> :applied',
          ExpressionAttributeNames: {
            '#state': 'state',
            '#owner': 'owner',
            '#action': 'action',
            '#index': 'index',
            '#summary': 'summary',
            '#write': 'write',
            '#replaced': 'replaced',
            '#at': 'appliedAt',
            '#expires': 'expiresAt',
            '#tentative': 'tentative',
            '#released': 'releasedAt',
            '#mac': 'mac',
          },
          ExpressionAttributeValues: {
            ...(step.tentative ? { ':tentative': { BOOL: true } } : {}),
            ...(step.mac && !step.tentative ? { ':mac': s(step.mac) } : {}),
            ':applying': s('applying'),
            ':applied': s('applied'),
            ':owner': s(owner),
            ':action': s(step.action),
            ':index': n(step.index),
            ':summary': s(step.summary),
            ':write': s(JSON.stringify(step.write ?? null)),
            ':replaced': s(JSON.stringify(step.replaced ?? null)),
            ':at': s(step.appliedAt),
            ':expires': n(this.expiry(new Date(step.appliedAt))),
          },
        }),
      ),
    );
  }

  async recordApplied(incidentId: string, step: AppliedStep, owner: string): Promise<void> {
    await this.call('dynamodb:PutItem', `record ${step.action} of ${incidentId}`, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: s(incidentKey(incidentId)),
            sk: s(stepKey(step.index, step.action)),
            state: s('applied'),
            owner: s(owner),
            action: s(step.action),
            index: n(step.index),
            summary: s(step.summary),
            write: s(JSON.stringify(step.write ?? null)),
            replaced: s(JSON.stringify(step.replaced ?? null)),
            appliedAt: s(step.appliedAt),
            ...(step.mac ? { mac: s(step.mac) } : {}),
            expiresAt: n(this.expiry(new Date(step.appliedAt))),
          },
        }),
      ),
    );
  }

  async putIncident(summary: IncidentSummary, expiresAt: Date): Promise<void> {
    const fields: Record<string, AttributeValue> = {
      expiresAt: n(epochSeconds(expiresAt)),
      [INCIDENTS_BY_DAY.partitionKey]: s(receivedDay(summary.receivedAt)),
    };
    for (const [key, value] of Object.entries(summary)) {
      // Only the summary: a caller that passes a whole Incident never rewrites its release marker or acknowledgement.
      if (typeof value === 'string' && SUMMARY_FIELDS.has(key)) fields[key] = s(value);
    }
    const names = Object.keys(fields);
    const assign = (name: string, index: number) =>
      FIRST_WINS.has(name) ? `#f${index} = if_not_exists(#f${index}, :f${index})` : `#f${index} = :f${index}`;
    await this.call('dynamodb:UpdateItem', `incident ${summary.incidentId}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(incidentKey(summary.incidentId)), sk: s('INCIDENT') },
          UpdateExpression: `SET ${names.map(assign).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name, index) => [`:f${index}`, fields[name]!])),
        }),
      ),
    );
  }

  async getIncident(incidentId: string): Promise<Incident | undefined> {
    return (await this.readIncident(incidentId)).incident;
  }

  async readIncident(incidentId: string): Promise<IncidentRecord> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.call('dynamodb:Query', `incident ${incidentId}`, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': s(incidentKey(incidentId)) },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    const recorded = items
      .filter((item) => text(item, 'sk')?.startsWith('STEP#') && text(item, 'state') !== 'claimed')
      .map(appliedStep);
    // A live or crashed holder's planned intents that it has not recorded step by step: they may have taken.
    const lease = items.find((item) => text(item, 'sk') === 'LEASE' && text(item, 'state') === 'claimed');
    const planned = plannedSteps(lease).filter(
      (entry) => !recorded.some((step) => step.index === entry.index && step.action === entry.action),
    );
    const steps = [...recorded, ...planned].sort((a, b) => a.index - b.index);
    const head = items.find((item) => text(item, 'sk') === 'INCIDENT');
    if (!head) return { incident: undefined, steps };
    const field = (key: string) => text(head, key);
    const optional = (key: string) => (field(key) !== undefined ? { [key]: field(key) } : {});
    const incident: Incident = {
      incidentId,
      findingId: field('findingId') ?? '',
      findingType: field('findingType') ?? '',
      playbook: field('playbook') ?? '',
      accountId: field('accountId') ?? '',
      region: field('region') ?? '',
      subject: field('subject') ?? '',
      status: (field('status') ?? 'skipped') as Incident['status'],
      receivedAt: field('receivedAt') ?? '',
      ...optional('resourceArn'),
      ...optional('firstSeen'),
      ...optional('lastSeen'),
      ...optional('containedAt'),
      ...optional('notifiedAt'),
      ...optional('notifyFailedAt'),
      ...optional('resolvedAt'),
      ...optional('releasedAt'),
      ...optional('releasedBy'),
      ...optional('exemptUntil'),
      ...optional('releaseMac'),
      ...optional('acknowledgedAt'),
      ...optional('acknowledgedBy'),
      steps,
    };
    return { incident, steps };
  }

  async markReleased(
    incidentId: string,
    releasedBy: string,
    releasedAt: Date,
    exemptUntil: Date,
    released: readonly AppliedStep[],
    releaseMac?: string,
  ): Promise<void> {
    const at = releasedAt.toISOString();
    await Promise.all(
      released.map((step) =>
        this.call('dynamodb:UpdateItem', `release ${step.action} of ${incidentId}`, () =>
          this.client.send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: { pk: s(incidentKey(incidentId)), sk: s(stepKey(step.index, step.action)) },
              // A ledger that signs records re-signs the step as released: the release cannot be cleared unnoticed.
              UpdateExpression: `SET #state = :released, #at = :at${step.mac ? ', #mac = :mac' : ''}`,
              ExpressionAttributeNames: {
                '#state': 'state',
                '#at': 'releasedAt',
                ...(step.mac ? { '#mac': 'mac' } : {}),
              },
              ExpressionAttributeValues: {
                ':released': s('released'),
                ':at': s(at),
                ...(step.mac ? { ':mac': s(step.mac) } : {}),
              },
            }),
          ),
        ),
      ),
    );
    await this.call('dynamodb:UpdateItem', `incident ${incidentId}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: s(incidentKey(incidentId)), sk: s('INCIDENT') },
          UpdateExpression: `SET #at = :at, #by = :by, #until = :until${releaseMac ? ', #mac = :mac' : ' REMOVE #mac'}`,
          ExpressionAttributeNames: {
            '#at': 'releasedAt',
            '#by': 'releasedBy',
            '#until': 'exemptUntil',
            '#mac': 'releaseMac',
          },
          ExpressionAttributeValues: {
            ':at': s(at),
            ':by': s(releasedBy),
            ':until': s(exemptUntil.toISOString()),
            ...(releaseMac ? { ':mac': s(releaseMac) } : {}),
          },
        }),
      ),
    );
  }

  /**
   * One UpdateItem: the count goes up by one only while it is below the limit (DynamoDB applies the condition and the
   * ADD atomically, so concurrent runs never take more slots than the limit). A full counter returns its old image.
   */
  async takeBreakerSlot(scope: BreakerScope, limit: number, now: Date): Promise<BreakerTake> {
    const hour = breakerHour(now);
    try {
      const response = await this.call('dynamodb:UpdateItem', `breaker slot ${scopeKey(scope)} ${hour}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: breakerKey(scope, hour),
            UpdateExpression:
              'SET #generation = if_not_exists(#generation, :zero), #expires = if_not_exists(#expires, :expires) ADD #count :one',
            ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
            ExpressionAttributeNames: BREAKER_NAMES,
            ExpressionAttributeValues: {
              ':zero': n(0),
              ':one': n(1),
              ':limit': n(limit),
              ':expires': n(breakerExpiry(hour)),
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const item = response.Attributes;
      return {
        kind: 'taken',
        slot: { scope, hour, generation: number(item, 'generation') },
        count: number(item, 'count'),
        limit,
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = oldItem(error);
      return {
        kind: 'full',
        scope,
        hour,
        generation: number(old, 'generation'),
        count: number(old, 'count'),
        limit,
        paged: text(old, 'pagedAt') !== undefined,
      };
    }
  }

  /** The count goes down by one, only in the counter the slot came from (same hour, no close since) and never below zero. */
  async giveBackBreakerSlot(slot: BreakerSlot): Promise<void> {
    try {
      await this.call('dynamodb:UpdateItem', `breaker give back ${scopeKey(slot.scope)} ${slot.hour}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: breakerKey(slot.scope, slot.hour),
            UpdateExpression: 'ADD #count :minusOne',
            ConditionExpression: '#generation = :generation AND #count > :zero',
            ExpressionAttributeNames: { '#count': 'count', '#generation': 'generation' },
            ExpressionAttributeValues: { ':minusOne': n(-1), ':zero': n(0), ':generation': n(slot.generation) },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Sets the hour's `pagedAt` once; a close since the counter was found full (another generation) pages afresh. */
  async pageBreaker(full: Extract<BreakerTake, { kind: 'full' }>, now: Date): Promise<boolean> {
    try {
      await this.call('dynamodb:UpdateItem', `breaker page ${scopeKey(full.scope)} ${full.hour}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: breakerKey(full.scope, full.hour),
            UpdateExpression: 'SET #paged = :now',
            ConditionExpression: 'attribute_not_exists(#paged) AND #generation = :generation',
            ExpressionAttributeNames: { '#paged': 'pagedAt', '#generation': 'generation' },
            ExpressionAttributeValues: { ':now': s(now.toISOString()), ':generation': n(full.generation) },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async breakerState(scope: BreakerScope, limit: number, now: Date): Promise<BreakerState> {
    const hour = breakerHour(now);
    const response = await this.call('dynamodb:GetItem', `breaker ${scopeKey(scope)} ${hour}`, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: breakerKey(scope, hour), ConsistentRead: true }),
      ),
    );
    const count = number(response.Item, 'count');
    const pagedAt = text(response.Item, 'pagedAt');
    const closedAt = text(response.Item, 'closedAt');
    return {
      scope,
      open: count >= limit,
      count,
      limit,
      ...(pagedAt ? { pagedAt } : {}),
      ...(closedAt ? { closedAt } : {}),
    };
  }

  /**
   * Resets this hour's counter and its page and starts a new generation (slots taken before are not given back into
   * it): enforcement resumes for the rest of the hour, up to the limit again; the next hour has its own counter anyway.
   */
  async closeBreaker(scope: BreakerScope, now: Date): Promise<void> {
    const hour = breakerHour(now);
    await this.call('dynamodb:UpdateItem', `close breaker ${scopeKey(scope)} ${hour}`, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: breakerKey(scope, hour),
          UpdateExpression:
            'SET #count = :zero, #closed = :now, #expires = if_not_exists(#expires, :expires) ADD #generation :one REMOVE #paged',
          ExpressionAttributeNames: { ...BREAKER_NAMES, '#closed': 'closedAt', '#paged': 'pagedAt' },
          ExpressionAttributeValues: {
            ':zero': n(0),
            ':one': n(1),
            ':now': s(now.toISOString()),
            ':expires': n(breakerExpiry(hour)),
          },
        }),
      ),
    );
  }

  async markResourceIncident(
    resourceArn: string,
    incidentId: string,
    at: Date,
    expiresAt: Date,
  ): Promise<{ incidentId: string; at: string } | undefined> {
    const response = await this.call('dynamodb:PutItem', `resource ${resourceArn}`, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: s(`RESOURCE#${resourceArn}`),
            sk: s('LATEST'),
            incidentId: s(incidentId),
            at: s(at.toISOString()),
            expiresAt: n(epochSeconds(expiresAt)),
          },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    const previousId = text(response.Attributes, 'incidentId');
    const previousAt = text(response.Attributes, 'at');
    return previousId && previousAt ? { incidentId: previousId, at: previousAt } : undefined;
  }

  async linkConfigIncident(evaluationKey: string, incidentId: string, expiresAt: Date): Promise<void> {
    await this.call('dynamodb:PutItem', `config ${evaluationKey}`, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: s(`CONFIG#${evaluationKey}`),
            sk: s('LATEST'),
            incidentId: s(incidentId),
            expiresAt: n(epochSeconds(expiresAt)),
          },
        }),
      ),
    );
  }

  async latestConfigIncident(evaluationKey: string): Promise<string | undefined> {
    const response = await this.call('dynamodb:GetItem', `config ${evaluationKey}`, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: s(`CONFIG#${evaluationKey}`), sk: s('LATEST') },
          ConsistentRead: true,
        }),
      ),
    );
    return text(response.Item, 'incidentId');
  }

  async acknowledgeIncident(incidentId: string, by: string, at: Date): Promise<Acknowledgement> {
    try {
      await this.call('dynamodb:UpdateItem', `acknowledge ${incidentId}`, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { pk: s(incidentKey(incidentId)), sk: s('INCIDENT') },
            UpdateExpression: 'SET #at = :at, #by = :by',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#at)',
            ExpressionAttributeNames: { '#at': 'acknowledgedAt', '#by': 'acknowledgedBy' },
            ExpressionAttributeValues: { ':at': s(at.toISOString()), ':by': s(by) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { kind: 'acknowledged', at: at.toISOString(), by };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = oldItem(error);
      const first = text(old, 'acknowledgedAt');
      return old && first
        ? { kind: 'already-acknowledged', at: first, by: text(old, 'acknowledgedBy') ?? 'unknown' }
        : { kind: 'not-found' };
    }
  }

  private expiry(from: Date): number {
    return epochSeconds(new Date(from.getTime() + this.retentionDays * 24 * HOUR_MS));
  }

  private call<T>(operation: string, resource: string, run: () => Promise<T>): Promise<T> {
    return awsCall(operation, `${this.tableName}: ${resource}`, run);
  }
}
