import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../ledger/ledger-table';
import { signCallerProof } from '../../../lib/cli/caller-proof';
import type { DeployedFunction } from './deployed-functions';
import type { MotoClients } from './moto-clients';
import { MOTO_CREDENTIALS, MOTO_REGION } from './moto-server';

/** An incident's items in the ledger table: its summary and its step records. */
export async function ledgerItems(
  clients: MotoClients,
  tableName: string,
  incidentId: string,
): Promise<{ incident?: Item; steps: Item[]; all: Item[] }> {
  const answer = await clients.dynamodb.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `INCIDENT#${incidentId}` } },
      ConsistentRead: true,
    }),
  );
  const all = answer.Items ?? [];
  const incident = all.find((item) => item.sk?.S === 'INCIDENT');
  return { ...(incident ? { incident } : {}), steps: all.filter((item) => item.sk?.S?.startsWith('STEP#')), all };
}

/** The payload `firebreak release <incident>` sends the release function: the incident and a signed caller proof. */
export async function releaseRequest(
  clients: MotoClients,
  release: DeployedFunction,
  incidentId: string,
): Promise<Record<string, unknown>> {
  const request = { incidentId };
  const callerProof = await signCallerProof('release', `Firebreak-${release.logicalId}`, request, {
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
    sha256: clients.sts.config.sha256,
  });
  return { ...request, callerProof };
}
