import { withTargetClients, type AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import { followUpSteps } from '../kinds/manual-steps';
import type { Finding } from '../model/finding';
import { failedRead, type Verdict } from './assemble-outcome';

/**
 * The clients for the finding's account and Region (assuming the member role); without a factory the clients act as
 * they are, and without clients (simulate) nothing is reached. A role that cannot be assumed: not contained.
 */
export async function reachAccount(
  finding: Finding,
  clients: AwsClients | undefined,
  clientFactory: ClientFactory | undefined,
): Promise<Verdict<AwsClients | undefined>> {
  if (!clients || !clientFactory) return { go: clients };
  try {
    return {
      go: withTargetClients(clients, await clientFactory.forTarget(finding.accountId, finding.region, finding.id)),
    };
  } catch (error) {
    const failure = failedRead('assume-member-role', `Reach account ${finding.accountId} in ${finding.region}`, error);
    return {
      stop: {
        status: 'not-contained',
        steps: [failure],
        manualSteps: [failure.error!.message, ...followUpSteps(finding)],
      },
    };
  }
}
