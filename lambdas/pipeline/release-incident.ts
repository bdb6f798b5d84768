import type { ReleaseReport, ReleasedStep } from '../model/release-report';
import { withTargetClients, type AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import type { AppliedStep, Incident, Ledger } from '../ledger/ledger';
import { recordName } from '../ledger/verified-ledger';
import { ACTIONS } from '../actions/registry';
import { releaseSessionPolicy } from './playbook-permissions';

export interface ReleaseOptions {
  readonly ledger: Ledger;
  readonly clients: AwsClients;
  /** Reaches the incident's account and Region (the member role); absent: `clients` act as they are. */
  readonly clientFactory?: ClientFactory;
  /** Who released it (a person's name or ARN), for the ledger and the message. */
  readonly releasedBy: string;
  /** How long the incident is exempt from being contained again by a re-delivered finding. */
  readonly exemptionHours: number;
  readonly now?: () => Date;
}

export type { ReleasedStep, ReleaseReport } from '../model/release-report';

/** A ledger record is not one Firebreak wrote: the release writes nothing. */
export class LedgerRecordRefusedError extends Error {
  override readonly name = 'LedgerRecordRefusedError';
}

export class IncidentNotFoundError extends Error {
  override readonly name = 'IncidentNotFoundError';
}

/**
 * Undoes an incident's containment from the pre-state the ledger recorded, step by step in reverse order. Evidence
 * (snapshots, tags) stays. Idempotent: a step released before is skipped, a state found as it was is reported as
 * such. The incident is then exempt from re-containment for the configured period.
 */
export async function releaseIncident(incidentId: string, options: ReleaseOptions): Promise<ReleaseReport> {
  const now = options.now ?? (() => new Date());
  const incident = await options.ledger.getIncident(incidentId);
  if (!incident)
    throw new IncidentNotFoundError(
      `No incident ${incidentId} in the ledger: check the id in the notification (JSON field incidentId)`,
    );
  // Every record release would act on must be one Firebreak wrote (its MAC verifies) before anything is written: a
  // rewritten record could name any key, policy or group. One bad record stops the whole release.
  const untrusted = incident.steps.filter(
    (step) => !step.releasedAt && !step.unconfirmed && step.integrity !== 'verified',
  );
  if (untrusted.length > 0) return refusedRelease(incident, untrusted);
  const clients = await releaseClients(incident, options);
  const results: ReleasedStep[] = [];
  const released: AppliedStep[] = [];
  for (const step of [...incident.steps].sort((a, b) => b.index - a.index)) {
    const result = await releaseStep(step, clients);
    results.push(result.step);
    if (result.released) released.push(step);
  }
  const exemptUntil = new Date(now().getTime() + options.exemptionHours * 3_600_000);
  await options.ledger.markReleased(incidentId, options.releasedBy, now(), exemptUntil, released);
  return {
    incidentId,
    findingId: incident.findingId,
    accountId: incident.accountId,
    playbook: incident.playbook,
    steps: results,
    exemptUntil: exemptUntil.toISOString(),
    complete: results.every((step) => step.status !== 'failed' && step.status !== 'unconfirmed'),
  };
}

/** In a member account, a session that may make only the release writes of this incident's actions. */
async function releaseClients(incident: Incident, options: ReleaseOptions): Promise<AwsClients> {
  if (!options.clientFactory) return options.clients;
  const actions = incident.steps.filter((step) => !step.releasedAt && !step.unconfirmed).map((step) => step.action);
  return withTargetClients(
    options.clients,
    await options.clientFactory.forTarget(
      incident.accountId,
      incident.region,
      incident.findingId,
      releaseSessionPolicy(actions),
    ),
  );
}

/** One recorded step undone, kept, or reported; `released`: the ledger marks it released. */
async function releaseStep(
  step: AppliedStep,
  clients: AwsClients,
): Promise<{ readonly step: ReleasedStep; readonly released: boolean }> {
  const action = ACTIONS.get(step.action);
  if (step.releasedAt)
    return {
      step: { action: step.action, status: 'already-released', summary: `released at ${step.releasedAt}` },
      released: false,
    };
  if (step.unconfirmed) {
    // The write was recorded before it was made and never confirmed: it may not have taken, and the state may
    // have been changed by a person since. Undoing it blindly could undo their work (reactivate a key).
    const summary = `not confirmed: Firebreak cannot tell whether this write took. Check and undo by hand if it did: ${step.summary}`;
    return { step: { action: step.action, status: 'unconfirmed', summary }, released: false };
  }
  if (!action?.release) {
    const summary = action
      ? `${action.title}: kept (evidence, or nothing to undo)`
      : `unknown action ${step.action}: kept`;
    return { step: { action: step.action, status: 'kept', summary }, released: true };
  }
  try {
    const result = await action.release({ write: step.write, replaced: step.replaced }, clients);
    return { step: { action: step.action, ...result }, released: true };
  } catch (error) {
    const summary = error instanceof Error ? error.message : String(error);
    return { step: { action: step.action, status: 'failed', summary }, released: false };
  }
}

function refusedRelease(incident: Incident, untrusted: readonly AppliedStep[]): ReleaseReport {
  const refused = untrusted.map((step) => recordName(incident.incidentId, step));
  const steps: ReleasedStep[] = untrusted.map((step) => ({
    action: step.action,
    status: 'refused',
    summary:
      step.integrity === 'failed'
        ? `ledger record ${recordName(incident.incidentId, step)} failed its integrity check ` +
          '(its MAC does not verify with the ledger key): it was changed after Firebreak wrote it'
        : `ledger record ${recordName(incident.incidentId, step)} has no MAC` +
          `${step.integrity === undefined ? ' that this release could check' : ''}: ` +
          'Firebreak did not write it, or wrote it before records were signed',
  }));
  return {
    incidentId: incident.incidentId,
    findingId: incident.findingId,
    accountId: incident.accountId,
    playbook: incident.playbook,
    steps,
    exemptUntil: '',
    complete: false,
    refused,
  };
}
