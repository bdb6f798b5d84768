import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RecordMac } from '../../lambdas/ledger/record-mac';
import { FakeDynamoDb } from '../support/fake-dynamodb';
import { FakeKms } from '../support/fake-kms';

export type Item = Record<string, AttributeValue>;

/**
 * A ledger table the shared ledger cases (test/ledger/cases/) run on: the hand-written fake here, moto's DynamoDB in
 * test/contract/ledger-on-moto.test.ts. A case that behaves differently on the two is a bug in the fake or the code.
 */
export interface LedgerTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Every item of the table, sorted by pk, then sk. */
  items(): Promise<Item[]>;
  /** Writes an item as it is, past the ledger: what someone allowed dynamodb:PutItem on the table can do. */
  putItem(item: Item): Promise<void>;
}

/** A fresh, empty table for each case. */
export type LedgerTableFactory = () => Promise<LedgerTable>;

/** Record MACs on a KMS HMAC key, and a second key whose MACs the first does not verify. */
export interface MacKeys {
  readonly recordMac: RecordMac;
  readonly otherKey: RecordMac;
  /** The KMS operations called so far, where the backend records them (the fake). */
  readonly calls?: () => readonly string[];
}

export type MacKeysFactory = () => Promise<MacKeys>;

/** The items whose partition key starts with `prefix`, sorted by pk, then sk. */
export async function itemsUnder(table: LedgerTable, prefix: string): Promise<Item[]> {
  return (await table.items()).filter((item) => item.pk?.S?.startsWith(prefix));
}

export function byKey(a: Item, b: Item): number {
  return (a.pk?.S ?? '').localeCompare(b.pk?.S ?? '') || (a.sk?.S ?? '').localeCompare(b.sk?.S ?? '');
}

/** The hand-written fake behind aws-sdk-client-mock (test/support/fake-dynamodb.ts), as a LedgerTable. */
export function fakeLedgerTable(fake = new FakeDynamoDb()): LedgerTable & { readonly fake: FakeDynamoDb } {
  return {
    fake,
    client: fake.client,
    tableName: fake.tableName,
    items: async () => [...fake.items.values()].map((item) => structuredClone(item)).sort(byKey),
    putItem: async (item) => {
      fake.items.set(`${item.pk?.S}\u0000${item.sk?.S}`, structuredClone(item));
    },
  };
}

export const fakeLedgerTables: LedgerTableFactory = async () => fakeLedgerTable();

/** Two fake KMS keys under the same ARN: a MAC made with the other one does not verify. */
export const fakeMacKeys: MacKeysFactory = async () => {
  const kms = new FakeKms();
  return { recordMac: kms.recordMac(), otherKey: new FakeKms().recordMac(), calls: () => kms.calls };
};
