import { canonicalJson } from '../../lambdas/ledger/record-mac';
import { verifiedLedgerCases } from './cases/verified-ledger.cases';
import { fakeLedgerTables, fakeMacKeys } from './ledger-table';

// The same cases run on moto's DynamoDB and KMS in test/contract/ledger-on-moto.test.ts.
verifiedLedgerCases(fakeLedgerTables, fakeMacKeys);

describe('canonical JSON', () => {
  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
  });
});
