import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { APPROVALS_DUE } from '../../lambdas/ledger/approvals';
import { INCIDENTS_BY_DAY } from '../../lambdas/ledger/incidents-received';

type Item = Record<string, AttributeValue>;
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

/**
 * A DynamoDB table in memory, behind aws-sdk-client-mock, with real condition semantics for the expressions the
 * ledger uses: attribute_exists / attribute_not_exists, = <> < > <= >=, AND, OR and parentheses; updates of
 * `SET #a = :v, #a = if_not_exists(#a, :v)`, `ADD #n :v` (numbers) and `REMOVE #b, #c`, each clause once, in any order, no
 * attribute in two (as DynamoDB rejects it), with `ReturnValues` NONE, ALL_OLD or ALL_NEW; key conditions `pk = :v` and `pk = :v AND sk BETWEEN :a AND :b`, on
 * the table or on the ledger's sparse indexes `incidents-by-day` and `approvals-due` (only items carrying both its keys; no consistent
 * reads). Anything else throws, so the ledger cannot drift into expressions the fake would silently misread.
 */
export class FakeDynamoDb {
  readonly client = new DynamoDBClient({ region: 'us-east-1' });
  readonly mock: AwsClientStub<DynamoDBClient>;
  readonly items = new Map<string, Item>();
  private readonly failures = new Map<string, { error: Error; times: number }>();

  constructor(readonly tableName = 'firebreak-ledger') {
    this.mock = mockClient(this.client);
    this.mock.on(PutItemCommand).callsFake((input) => {
      this.maybeFail('PutItem');
      const key = this.keyOf(input.Item!);
      const old = this.items.get(key);
      this.check(
        input.ConditionExpression,
        old,
        input.ExpressionAttributeNames,
        input.ExpressionAttributeValues,
        input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
      );
      this.items.set(key, structuredClone(input.Item!));
      return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: structuredClone(old) } : {};
    });
    this.mock.on(GetItemCommand).callsFake((input) => {
      this.maybeFail('GetItem');
      const item = this.items.get(this.keyOf(input.Key!));
      return item ? { Item: structuredClone(item) } : {};
    });
    this.mock.on(DeleteItemCommand).callsFake((input) => {
      this.maybeFail('DeleteItem');
      const key = this.keyOf(input.Key!);
      this.check(
        input.ConditionExpression,
        this.items.get(key),
        input.ExpressionAttributeNames,
        input.ExpressionAttributeValues,
        false,
      );
      this.items.delete(key);
      return {};
    });
    this.mock.on(UpdateItemCommand).callsFake((input) => {
      this.maybeFail('UpdateItem');
      const key = this.keyOf(input.Key!);
      const old = this.items.get(key);
      this.check(
        input.ConditionExpression,
        old,
        input.ExpressionAttributeNames,
        input.ExpressionAttributeValues,
        input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
      );
      const item: Item = { ...structuredClone(old ?? {}), ...input.Key };
      const clauses = this.updateClauses(input.UpdateExpression ?? '');
      const touched = new Set<string>();
      const touch = (name: string) => {
        if (touched.has(name))
          throw new Error(
            `FakeDynamoDb: ValidationException, two document paths overlap in the update expression (${name}): ${input.UpdateExpression}`,
          );
        touched.add(name);
      };
      for (const assignment of clauses.SET) {
        const plain = /^\s*([#\w]+) = (:\w+)\s*$/.exec(assignment);
        const ifNotExists = /^\s*([#\w]+) = if_not_exists\(([#\w]+), (:\w+)\)\s*$/.exec(assignment);
        if (ifNotExists && ifNotExists[1] !== ifNotExists[2])
          throw new Error(`FakeDynamoDb models if_not_exists only on the attribute it sets: ${assignment}`);
        if (!plain && !ifNotExists) throw new Error(`FakeDynamoDb does not model the assignment ${assignment}`);
        const name = this.name((plain ?? ifNotExists)![1]!, input.ExpressionAttributeNames);
        touch(name);
        const value = this.value(plain ? plain[2]! : ifNotExists![3]!, input.ExpressionAttributeValues);
        if (plain || old?.[name] === undefined) item[name] = value;
      }
      // ADD on a number: adds (a negative value subtracts); on an absent attribute: sets it to the value. Sets are not modelled.
      for (const addition of clauses.ADD) {
        const match = /^\s*([#\w]+) (:\w+)\s*$/.exec(addition);
        if (!match) throw new Error(`FakeDynamoDb does not model the ADD action ${addition}`);
        const name = this.name(match[1]!, input.ExpressionAttributeNames);
        touch(name);
        const value = this.value(match[2]!, input.ExpressionAttributeValues);
        if (value.N === undefined) throw new Error(`FakeDynamoDb models ADD of numbers only: ${addition}`);
        const current = old?.[name];
        if (current !== undefined && current.N === undefined)
          throw new Error(
            `FakeDynamoDb: ValidationException, an operand in the update expression has an incorrect data type (ADD to ${name})`,
          );
        item[name] = { N: String(Number(current?.N ?? '0') + Number(value.N)) };
      }
      for (const removed of clauses.REMOVE) {
        const name = this.name(removed.trim(), input.ExpressionAttributeNames);
        touch(name);
        delete item[name];
      }
      this.items.set(key, item);
      if (input.ReturnValues === 'ALL_NEW') return { Attributes: structuredClone(item) };
      if (input.ReturnValues === 'ALL_OLD') return old ? { Attributes: structuredClone(old) } : {};
      if (input.ReturnValues !== undefined && input.ReturnValues !== 'NONE')
        throw new Error(`FakeDynamoDb does not model ReturnValues ${input.ReturnValues}`);
      return {};
    });
    this.mock.on(QueryCommand).callsFake((input) => {
      this.maybeFail('Query');
      const condition = input.KeyConditionExpression ?? '';
      const values = input.ExpressionAttributeValues ?? {};
      const keys = this.keysOf(input.IndexName);
      if (input.IndexName && input.ConsistentRead)
        throw new Error(`FakeDynamoDb: a global secondary index (${input.IndexName}) has no consistent reads`);
      const simple = new RegExp(`^${keys.pk} = (:\\w+)$`).exec(condition);
      const between = new RegExp(`^${keys.pk} = (:\\w+) AND ${keys.sk} BETWEEN (:\\w+) AND (:\\w+)$`).exec(condition);
      if (!simple && !between)
        throw new Error(
          `FakeDynamoDb does not model KeyConditionExpression ${condition}${input.IndexName ? ` on index ${input.IndexName}` : ''}`,
        );
      const pk = values[(simple ?? between)![1]!]?.S;
      const from = between ? (values[between[2]!]?.S ?? '') : '';
      const to = between ? (values[between[3]!]?.S ?? '') : '\uffff';
      const items = [...this.items.values()]
        .filter(
          (item) =>
            item[keys.sk]?.S !== undefined &&
            item[keys.pk]?.S === pk &&
            item[keys.sk]!.S! >= from &&
            item[keys.sk]!.S! <= to,
        )
        .sort((a, b) => a[keys.sk]!.S!.localeCompare(b[keys.sk]!.S!));
      return input.Select === 'COUNT'
        ? { Count: items.length }
        : { Items: structuredClone(items), Count: items.length };
    });
  }

  failOn(operation: string, error: Error, times = Number.POSITIVE_INFINITY): this {
    this.failures.set(operation, { error, times });
    return this;
  }

  /** Items whose partition key starts with the prefix. */
  itemsUnder(prefix: string): Item[] {
    return [...this.items.values()].filter((item) => item.pk?.S?.startsWith(prefix));
  }

  /** The key attributes of the table or of one of its indexes. */
  private keysOf(indexName: string | undefined): { pk: string; sk: string } {
    if (indexName === undefined) return { pk: 'pk', sk: 'sk' };
    if (indexName === INCIDENTS_BY_DAY.indexName)
      return { pk: INCIDENTS_BY_DAY.partitionKey, sk: INCIDENTS_BY_DAY.sortKey };
    if (indexName === APPROVALS_DUE.indexName) return { pk: APPROVALS_DUE.partitionKey, sk: APPROVALS_DUE.sortKey };
    throw new Error(`FakeDynamoDb: the table has no index ${indexName}`);
  }

  /** The clauses of an UpdateExpression (SET, ADD, REMOVE, each at most once, in any order), split into their actions. */
  private updateClauses(expression: string): Record<'SET' | 'ADD' | 'REMOVE', string[]> {
    const clauses: Record<'SET' | 'ADD' | 'REMOVE', string[]> = { SET: [], ADD: [], REMOVE: [] };
    const parts = expression.trim().split(/(?:^|\s+)(SET|ADD|REMOVE|DELETE)\s+/);
    if (parts[0] !== '' || parts.length < 3)
      throw new Error(`FakeDynamoDb does not model UpdateExpression ${expression}`);
    const seen = new Set<string>();
    for (let index = 1; index < parts.length; index += 2) {
      const keyword = parts[index] as 'SET' | 'ADD' | 'REMOVE' | 'DELETE';
      if (keyword === 'DELETE') throw new Error(`FakeDynamoDb does not model DELETE (of set elements): ${expression}`);
      if (seen.has(keyword))
        throw new Error(
          `FakeDynamoDb: ValidationException, the ${keyword} section can only be used once in an update expression: ${expression}`,
        );
      seen.add(keyword);
      const body = parts[index + 1]!.trim();
      if (body === '') throw new Error(`FakeDynamoDb: ValidationException, empty ${keyword} section: ${expression}`);
      clauses[keyword] = body.split(/,(?![^(]*\))/);
    }
    return clauses;
  }

  private maybeFail(operation: string): void {
    const failure = this.failures.get(operation);
    if (!failure || failure.times <= 0) return;
    failure.times -= 1;
    throw failure.error;
  }

  private keyOf(item: Item): string {
    return `${item.pk?.S}\u0000${item.sk?.S}`;
  }

  private name(token: string, names: Names): string {
    if (token.startsWith('#')) {
      const resolved = names?.[token];
      if (resolved === undefined) throw new Error(`FakeDynamoDb: unknown attribute name ${token}`);
      return resolved;
    }
    return token;
  }

  private value(token: string, values: Values): AttributeValue {
    const resolved = values?.[token];
    if (resolved === undefined) throw new Error(`FakeDynamoDb: unknown attribute value ${token}`);
    return resolved;
  }

  private check(
    expression: string | undefined,
    item: Item | undefined,
    names: Names,
    values: Values,
    returnOld: boolean,
  ): void {
    if (!expression) return;
    if (this.evaluate(expression, item, names, values)) return;
    throw new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400 },
      ...(returnOld && item ? { Item: structuredClone(item) } : {}),
    });
  }

  private evaluate(expression: string, item: Item | undefined, names: Names, values: Values): boolean {
    const tokens = expression.match(/\(|\)|<>|[<>]=?|=|[#:]?\w+/g) ?? [];
    let position = 0;
    const peek = () => tokens[position];
    const next = () => tokens[position++];
    const compare = (
      left: AttributeValue | undefined,
      operator: string,
      right: AttributeValue | undefined,
    ): boolean => {
      if (left === undefined || right === undefined) return operator === '<>' ? left !== right : false;
      const a = left.S ?? (left.N !== undefined ? Number(left.N) : undefined);
      const b = right.S ?? (right.N !== undefined ? Number(right.N) : undefined);
      if (a === undefined || b === undefined) throw new Error('FakeDynamoDb compares only S and N values');
      switch (operator) {
        case '=':
          return a === b;
        case '<>':
          return a !== b;
        case '<':
          return a < b;
        case '>':
          return a > b;
        case '<=':
          return a <= b;
        case '>=':
          return a >= b;
        default:
          throw new Error(`FakeDynamoDb: unknown operator ${operator}`);
      }
    };
    const operand = (token: string): AttributeValue | undefined =>
      token.startsWith(':') ? this.value(token, values) : item?.[this.name(token, names)];
    const factor = (): boolean => {
      const token = next();
      if (token === '(') {
        const result = or();
        if (next() !== ')') throw new Error(`FakeDynamoDb: unbalanced parentheses in ${expression}`);
        return result;
      }
      if (token === 'attribute_not_exists' || token === 'attribute_exists') {
        next(); // (
        const name = this.name(next()!, names);
        next(); // )
        const exists = item !== undefined && item[name] !== undefined;
        return token === 'attribute_exists' ? exists : !exists;
      }
      const operator = next()!;
      return compare(operand(token!), operator, operand(next()!));
    };
    const and = (): boolean => {
      let result = factor();
      while (peek() === 'AND') {
        next();
        result = factor() && result;
      }
      return result;
    };
    const or = (): boolean => {
      let result = and();
      while (peek() === 'OR') {
        next();
        result = and() || result;
      }
      return result;
    };
    const result = or();
    if (position !== tokens.length) throw new Error(`FakeDynamoDb cannot parse condition ${expression}`);
    return result;
  }
}
