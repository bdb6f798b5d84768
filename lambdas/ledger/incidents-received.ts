import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsCall } from '../aws/aws-call-error';
import type { IncidentSummary } from './ledger';

type Item = Record<string, AttributeValue>;

/**
 * The ledger's sparse index of incidents by the UTC day of their first receipt: only incident items carry
 * `receivedDay`, written by `putIncident` together with `receivedAt` (the sort key), both kept from the first delivery.
 */
export const INCIDENTS_BY_DAY = {
  indexName: 'incidents-by-day',
  partitionKey: 'receivedDay',
  sortKey: 'receivedAt',
} as const;

/** An incident as the report reads it: its summary and when a human acknowledged or released it. */
export interface IncidentRecord extends IncidentSummary {
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: string;
  readonly releasedAt?: string;
}

const DAY_MS = 86_400_000;

/** `2026-11-21T08:00:00.000Z` -> `2026-11-21` (UTC). */
export function receivedDay(receivedAt: string): string {
  return receivedAt.slice(0, 10);
}

/** The UTC days from `from` to `to` (both included). */
export function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (
    let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    day <= to.getTime();
    day += DAY_MS
  ) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

const TEXT_FIELDS = [
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
  'resolvedAt',
  'acknowledgedAt',
  'acknowledgedBy',
  'releasedAt',
] as const;

function recordOf(item: Item): IncidentRecord {
  const fields = Object.fromEntries(
    TEXT_FIELDS.flatMap((key) => (item[key]?.S !== undefined ? [[key, item[key].S]] : [])),
  );
  return {
    incidentId: '',
    findingId: '',
    findingType: '',
    playbook: '',
    accountId: '',
    region: '',
    subject: '',
    status: 'skipped',
    receivedAt: '',
    ...fields,
  } as IncidentRecord;
}

/**
 * Every incident first received in [from, to), one Query per UTC day on the index (eventually consistent: an
 * incident recorded in the last second may be missing). Sorted by receipt.
 */
export async function listIncidentsReceived(
  client: DynamoDBClient,
  tableName: string,
  from: Date,
  to: Date,
): Promise<IncidentRecord[]> {
  if (!(from.getTime() < to.getTime()))
    throw new RangeError(`the time range is empty: from ${from.toISOString()} to ${to.toISOString()}`);
  const days = daysBetween(from, new Date(to.getTime() - 1));
  const records: IncidentRecord[] = [];
  // A few days at a time: parallel enough for a year's report, gentle on the table's read capacity.
  for (let start = 0; start < days.length; start += 8) {
    const pages = await Promise.all(
      days.slice(start, start + 8).map((day) => queryDay(client, tableName, day, from.toISOString(), to.toISOString())),
    );
    records.push(...pages.flat());
  }
  return records
    .filter((record) => record.receivedAt < to.toISOString())
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
}

async function queryDay(
  client: DynamoDBClient,
  tableName: string,
  day: string,
  from: string,
  to: string,
): Promise<IncidentRecord[]> {
  const records: IncidentRecord[] = [];
  let start: Item | undefined;
  do {
    const page = await awsCall(
      'dynamodb:Query',
      `${tableName}/index/${INCIDENTS_BY_DAY.indexName}: incidents received on ${day}`,
      () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INCIDENTS_BY_DAY.indexName,
            KeyConditionExpression: `${INCIDENTS_BY_DAY.partitionKey} = :day AND ${INCIDENTS_BY_DAY.sortKey} BETWEEN :from AND :to`,
            ExpressionAttributeValues: { ':day': { S: day }, ':from': { S: from }, ':to': { S: to } },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
    );
    records.push(...(page.Items ?? []).map(recordOf));
    start = page.LastEvaluatedKey;
  } while (start);
  return records;
}
