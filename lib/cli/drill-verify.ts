import { ListUserTagsCommand, type IAMClient } from '@aws-sdk/client-iam';
import { SESSIONS_ISSUED_BEFORE_POLICY } from '../../lambdas/actions/support/iam-policy-documents';
import { drillFindingId } from '../../lambdas/findings/drill-finding';
import type { Ledger } from '../../lambdas/ledger/ledger';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Canary } from './drill-canaries';
import { readContainment } from './drill-measure';
import type { Check } from './drill-report';

/** What is read back after the containment: IAM's state of the canary, the responder's outcome, the ledger's record. */
export async function verifyContainment(
  drillId: string,
  canary: Canary,
  context: {
    readonly iam: IAMClient;
    readonly ledger?: Ledger;
    readonly incidentId: string;
    readonly outcome?: Outcome;
  },
): Promise<Check[]> {
  const { iam, ledger, incidentId, outcome } = context;
  const state = await readContainment(iam, canary);
  const tags = (await iam.send(new ListUserTagsCommand({ UserName: canary.userName }))).Tags ?? [];
  const findingTag = tags.find((tag) => tag.Key === 'firebreak:finding-id')?.Value;
  const checks: Check[] = [
    {
      what: `access key ${canary.accessKeyId} is Inactive`,
      ok: state.keyStatus === 'Inactive',
      detail: `iam:ListAccessKeys says ${state.keyStatus ?? 'no such key'}`,
    },
    {
      what: `sessions issued before the containment are denied (${SESSIONS_ISSUED_BEFORE_POLICY})`,
      ok: state.sessionsDenied,
      detail: state.sessionsDenied
        ? 'iam:GetUserPolicy: in place, every statement denies'
        : 'iam:GetUserPolicy: not in place',
    },
    {
      what: `the user is tagged with the incident (firebreak:finding-id=${drillFindingId(drillId)})`,
      ok: findingTag === drillFindingId(drillId),
      detail: `iam:ListUserTags says firebreak:finding-id=${findingTag ?? '(none)'}`,
    },
  ];
  if (outcome) {
    const failed = outcome.steps.filter((step) => step.status === 'failed');
    checks.push({
      what: 'the responder reports the drill finding CONTAINED, no step failed',
      ok: outcome.status === 'contained' && failed.length === 0,
      detail: outcome.steps.map((step) => `${step.action}: ${step.status}`).join(', '),
    });
  }
  if (ledger) {
    const incident = await ledger.getIncident(incidentId);
    checks.push({
      what: `the ledger records incident ${incidentId} as contained and notified`,
      ok: incident?.status === 'contained' && incident.notifiedAt !== undefined,
      detail: incident
        ? `status ${incident.status}, notified at ${incident.notifiedAt ?? 'never'}, ${incident.steps.length} step records`
        : 'no such incident in the ledger',
    });
  }
  return checks;
}

/** What is read back after the release: the key works again and Firebreak's policy is gone (tags stay as evidence). */
export async function verifyReleased(canary: Canary, iam: IAMClient): Promise<Check[]> {
  const state = await readContainment(iam, canary);
  return [
    {
      what: `access key ${canary.accessKeyId} is Active again`,
      ok: state.keyStatus === 'Active',
      detail: `iam:ListAccessKeys says ${state.keyStatus ?? 'no such key'}`,
    },
    {
      what: `${SESSIONS_ISSUED_BEFORE_POLICY} is removed`,
      ok: !state.sessionsDenied,
      detail: state.sessionsDenied ? 'iam:GetUserPolicy: still in place' : 'iam:GetUserPolicy: not there',
    },
  ];
}
