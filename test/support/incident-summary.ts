import type { IncidentSummary } from '../../lambdas/ledger/ledger';

/** A contained IAM-key incident as the ledger stores it, with `overrides`. */
export function incidentSummary(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    incidentId: 'f-1/user/u/AKIA',
    findingId: 'f-1',
    findingType: 'UnauthorizedAccess:IAMUser/TorIPCaller',
    playbook: 'compromised-iam-credentials',
    accountId: '111122223333',
    region: 'us-east-1',
    subject: 'IAM user u',
    status: 'contained',
    receivedAt: '2026-11-21T08:00:00.000Z',
    ...overrides,
  };
}
