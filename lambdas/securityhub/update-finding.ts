import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Outcome } from '../model/outcome';
import { findingUpdateFor, type FindingUpdateOptions } from './finding-update';

export type UpdateResult =
  | { readonly kind: 'updated'; readonly id: string }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'failed'; readonly problem: string };

/**
 * Records the outcome on the Security Hub finding. Never throws: the containment and the message stand whatever
 * happens here, and a failure comes back as a problem for the caller to report.
 */
export async function updateSecurityHubFinding(
  outcome: Outcome,
  clients: AwsClients,
  options: FindingUpdateOptions,
): Promise<UpdateResult> {
  const update = findingUpdateFor(outcome, options);
  if (update.kind === 'skip') return { kind: 'skipped', reason: update.reason };
  const id = update.input.FindingIdentifiers![0]!.Id!;
  try {
    const client = clients.securityHub;
    if (!client)
      return { kind: 'failed', problem: `the Security Hub finding ${id} was not updated: no Security Hub client` };
    const response = await awsCall('securityhub:BatchUpdateFindings', id, () =>
      client.send(new BatchUpdateFindingsCommand(update.input)),
    );
    const unprocessed = response.UnprocessedFindings ?? [];
    if (unprocessed.length > 0) {
      const first = unprocessed[0]!;
      return {
        kind: 'failed',
        problem: `the Security Hub finding ${id} was not updated: ${first.ErrorCode ?? 'error'}: ${first.ErrorMessage ?? 'unprocessed'}`,
      };
    }
    return { kind: 'updated', id };
  } catch (error) {
    return { kind: 'failed', problem: `the Security Hub finding ${id} was not updated: ${(error as Error).message}` };
  }
}
