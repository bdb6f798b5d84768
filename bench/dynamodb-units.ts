import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { APPROVALS_DUE } from '../lambdas/ledger/approvals';
import { INCIDENTS_BY_DAY } from '../lambdas/ledger/incidents-received';
import type { FakeDynamoDb } from '../test/support/fake-dynamodb';
import type { Answering } from './simulated-aws';

type Item = Record<string, AttributeValue>;

/**
 * The size DynamoDB bills an item at ("Item sizes and formats",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html): each attribute's
 * name in UTF-8 bytes plus its value: a string's UTF-8 bytes, a binary's bytes, a number about one byte per two
 * significant digits plus one, a boolean or null one byte, a list or map 3 bytes plus one per element plus the
 * elements (a map's with their names), a set the sum of its elements.
 */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((total, [name, value]) => total + bytes(name) + valueSize(value), 0);
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return bytes(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((total, entry) => total + bytes(entry), 0);
  if (value.NS !== undefined) return value.NS.reduce((total, entry) => total + numberSize(entry), 0);
  if (value.BS !== undefined) return value.BS.reduce((total, entry) => total + entry.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((total, entry) => total + 1 + valueSize(entry), 0);
  if (value.M !== undefined)
    return 3 + Object.entries(value.M).reduce((total, [name, entry]) => total + 1 + bytes(name) + valueSize(entry), 0);
  return 0;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** A write request unit per KB (rounded up, at least one), of the larger of the item before and after the write. */
export const writeUnits = (before: Item | undefined, after: Item | undefined) =>
  Math.max(1, Math.ceil(Math.max(itemSize(before), itemSize(after)) / 1024));

/** A read request unit per 4 KB of what was read (at least one); an eventually consistent read is half. */
export const readUnits = (size: number, consistent: boolean) =>
  (Math.max(1, Math.ceil(size / 4096)) * (consistent ? 2 : 1)) / 2;

/** The ledger's global secondary indexes (lib/constructs/incident-ledger.ts): their keys and projection. */
const INDEXES = [
  { keys: [INCIDENTS_BY_DAY.partitionKey, INCIDENTS_BY_DAY.sortKey], projection: 'ALL' as const },
  { keys: [APPROVALS_DUE.partitionKey, APPROVALS_DUE.sortKey], projection: 'KEYS_ONLY' as const },
];

/**
 * Write units an index takes for a table write ("Provisioned throughput considerations for global secondary indexes"):
 * an item that enters or leaves the index is one index write, one whose index key changes is two (delete, put), one
 * that stays is one when a projected attribute changed; each at the size of the index entry.
 */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of INDEXES) {
    const entry = (item: Item | undefined): Item | undefined => {
      if (!item || !index.keys.every((key) => item[key] !== undefined)) return undefined;
      if (index.projection === 'ALL') return item;
      return Object.fromEntries(['pk', 'sk', ...index.keys].map((key) => [key, item[key]!]));
    };
    const old = entry(before);
    const now = entry(after);
    const size = (item: Item) => Math.max(1, Math.ceil(itemSize(item) / 1024));
    if (old && now) {
      const keyChanged = index.keys.some((key) => JSON.stringify(old[key]) !== JSON.stringify(now[key]));
      if (keyChanged) units += size(old) + size(now);
      else if (JSON.stringify(old) !== JSON.stringify(now)) units += size(now);
    } else if (old) units += size(old);
    else if (now) units += size(now);
  }
  return units;
}

export interface DynamoDbUsage {
  readonly requests: Record<string, number>;
  writeRequestUnits: number;
  readRequestUnits: number;
}

/**
 * The fake table, counting the request units each call is billed (on-demand): writes at the larger item size, with
 * the index writes they cause; a write whose condition fails is billed too; reads by the size read and consistency.
 */
export function meteredTable(table: FakeDynamoDb): { answering: Answering; usage: DynamoDbUsage } {
  const usage: DynamoDbUsage = { requests: {}, writeRequestUnits: 0, readRequestUnits: 0 };
  const keyOf = (key: Item | undefined) => `${key?.pk?.S}\u0000${key?.sk?.S}`;
  const answering: Answering = {
    send: async (command: unknown) => {
      const operation = (command as object).constructor.name.replace(/Command$/, '');
      const input = (command as { input: Record<string, unknown> }).input;
      usage.requests[operation] = (usage.requests[operation] ?? 0) + 1;
      const key = (input.Key ?? input.Item) as Item | undefined;
      const before = key ? structuredClone(table.items.get(keyOf(key))) : undefined;
      let output: unknown;
      let failure: unknown;
      try {
        output = await table.client.send(command as Parameters<typeof table.client.send>[0]);
      } catch (error) {
        failure = error;
      }
      const after = key ? table.items.get(keyOf(key)) : undefined;
      const consistent = input.ConsistentRead === true;
      if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') {
        // A failed condition leaves the item as it was; it is billed at the size the write would have had.
        const wouldBe = failure !== undefined && operation === 'PutItem' ? (input.Item as Item) : after;
        usage.writeRequestUnits += writeUnits(before, wouldBe) + (failure ? 0 : indexWriteUnits(before, after));
      } else if (operation === 'GetItem') {
        usage.readRequestUnits += readUnits(itemSize((output as { Item?: Item } | undefined)?.Item), consistent);
      } else if (operation === 'Query') {
        const items = (output as { Items?: Item[] } | undefined)?.Items ?? [];
        usage.readRequestUnits += readUnits(
          items.reduce((total, item) => total + itemSize(item), 0),
          consistent,
        );
      }
      if (failure !== undefined) throw failure;
      return output;
    },
  };
  return { answering, usage };
}
