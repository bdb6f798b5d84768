import type { Finding } from '../model/finding';
import type { Outcome } from '../model/outcome';
import type { Log } from './handle-dependencies';
import type { IncidentKeys } from './notify-outcome';
import type { ResponderSettings } from './responder-settings';

/** The fixed log keys of a finding: every entry about it carries them. */
export function findingKeys(finding: Finding, settings: ResponderSettings): IncidentKeys {
  return {
    findingId: finding.id,
    playbook: settings.playbook.id,
    accountId: finding.accountId,
    region: finding.region,
    mode: settings.playbook.mode,
  };
}

export function logFindingReceived(finding: Finding, keys: IncidentKeys, log: Log): void {
  log.info('Finding received', {
    ...keys,
    findingType: finding.type,
    severity: finding.severity,
    sample: finding.sample,
    subject: finding.subject.kind,
  });
}

/** Every step (a failed one as an error, with what it replaced), then the finding's outcome and timings. */
export function logFindingHandled(outcome: Outcome, incident: IncidentKeys, log: Log): void {
  for (const step of outcome.steps) {
    const entry = {
      ...incident,
      action: step.action,
      outcome: step.status,
      summary: step.summary,
      durationMs: step.durationMs,
    };
    if (step.status === 'failed') log.error('Step failed', { ...entry, error: step.error, replaced: step.replaced });
    else
      log.info('Step', {
        ...entry,
        ...(step.replaced !== undefined ? { replaced: step.replaced } : {}),
        verification: step.verification,
      });
  }
  log.info('Finding handled', {
    ...incident,
    outcome: outcome.status,
    reason: outcome.reason,
    timings: outcome.timings,
    previousStatus: outcome.previousStatus,
  });
}
