import { fakeLedgerTables } from './ledger-table';
import { dynamoDbLedgerCases } from './cases/dynamodb-ledger.cases';

// The same cases run on moto's DynamoDB in test/contract/ledger-on-moto.test.ts.
dynamoDbLedgerCases(fakeLedgerTables);
