import type { DrillReport, PhaseStatus } from './drill-report';

const WORD: Readonly<Record<PhaseStatus, string>> = { ok: 'ok', failed: 'FAILED', skipped: 'skipped' };
const CLEANED: Readonly<Record<DrillReport['cleanedUp'][number]['status'], string>> = {
  deleted: 'deleted',
  absent: 'absent',
  refused: 'REFUSED',
  failed: 'FAILED',
};

function ms(value: number | undefined): string {
  return value === undefined ? 'not measured' : `${value} ms`;
}

/** The drill report as a person reads it: verdict, the two times, each phase, what was verified and cleaned up. */
export function renderDrillReport(report: DrillReport): string {
  const { canary } = report;
  const lines = [
    `FIREBREAK DRILL ${report.drillId}: ${report.ok ? 'PASSED' : 'FAILED'}`,
    `Responder ${report.responderFunction}, release function ${report.releaseFunction}, started ${report.startedAt}`,
    `Canary: IAM user ${canary.userName}${canary.accessKeyId ? `, access key ${canary.accessKeyId}` : ''}` +
      (canary.networkInterfaceId ? `, network interface ${canary.networkInterfaceId}` : ''),
    ...(report.incidentId ? [`Incident: ${report.incidentId}`] : []),
    '',
    `Time to contain:  ${ms(report.timeToContainMs)} (drill request -> key Inactive and sessions denied, read from IAM)`,
    `Time to message:  ${ms(report.timeToMessageMs)} (drill request -> the message recorded as sent)`,
    '',
    'PHASES (the durations of containment effective and message are times from the drill request)',
    ...report.phases.map(
      (phase) =>
        `  ${WORD[phase.status].padEnd(8)}${phase.name.padEnd(23)}${`${phase.durationMs} ms`.padStart(9)}  ${phase.detail}`,
    ),
    '',
    'VERIFIED',
    ...(report.verified.length === 0
      ? ['  nothing (the drill stopped before)']
      : report.verified.map((check) => `  ${(check.ok ? 'ok' : 'FAILED').padEnd(8)}${check.what}: ${check.detail}`)),
    '',
    'CLEANED UP',
    ...(report.cleanedUp.length === 0
      ? ['  nothing']
      : report.cleanedUp.map((item) => `  ${CLEANED[item.status].padEnd(8)}${item.resource}: ${item.detail}`)),
  ];
  return lines.join('\n');
}
