import type * as DynamoSdk from '@aws-sdk/client-dynamodb';
import type * as GuardDutySdk from '@aws-sdk/client-guardduty';
import type { Finding as SdkFinding } from '@aws-sdk/client-guardduty';
import type * as KmsSdk from '@aws-sdk/client-kms';
import type * as ClientMock from 'aws-sdk-client-mock';
import { SECURITY_DETECTOR_ID } from './fake-guardduty';

/**
 * For a responder entry point loaded in a fresh module registry (`load` is that registry's require): an empty
 * ledger table (every claim succeeds, every read finds nothing), a ledger key that signs every record, and a
 * GuardDuty that holds exactly the findings `genuine` returns for the ids asked. Returns the ids GuardDuty was asked for.
 */
export function mockLedgerAndFindingSources(
  load: (id: string) => unknown,
  genuine: (ids: readonly string[]) => Promise<SdkFinding[]>,
): { rereads: () => (string[] | undefined)[] } {
  const { mockClient } = load('aws-sdk-client-mock') as typeof ClientMock;
  const dynamodb = load('@aws-sdk/client-dynamodb') as typeof DynamoSdk;
  const table = mockClient(dynamodb.DynamoDBClient);
  table.on(dynamodb.QueryCommand).resolves({ Items: [], Count: 0 });
  table.on(dynamodb.GetItemCommand).resolves({});
  table.on(dynamodb.PutItemCommand).resolves({});
  table.on(dynamodb.UpdateItemCommand).resolves({});
  table.on(dynamodb.DeleteItemCommand).resolves({});
  const kms = load('@aws-sdk/client-kms') as typeof KmsSdk;
  mockClient(kms.KMSClient)
    .on(kms.GenerateMacCommand)
    .resolves({ Mac: new Uint8Array(32).fill(7), MacAlgorithm: 'HMAC_SHA_256' });
  const guardDutySdk = load('@aws-sdk/client-guardduty') as typeof GuardDutySdk;
  const guardDuty = mockClient(guardDutySdk.GuardDutyClient);
  guardDuty.on(guardDutySdk.ListDetectorsCommand).resolves({ DetectorIds: [SECURITY_DETECTOR_ID] });
  guardDuty
    .on(guardDutySdk.GetFindingsCommand)
    .callsFake(async (input: { FindingIds?: string[] }) => ({ Findings: await genuine(input.FindingIds ?? []) }));
  return {
    rereads: () => guardDuty.commandCalls(guardDutySdk.GetFindingsCommand).map((call) => call.args[0].input.FindingIds),
  };
}
