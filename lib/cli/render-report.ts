import type { Distribution, IncidentReport } from './incident-report';

/** 850 ms, 42 s, 3 min 5 s, 2 h 10 min, 3 d 4 h. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`;
}

const percent = (rate: number | undefined) => (rate === undefined ? 'n/a' : `${(rate * 100).toFixed(1)} %`);

function times(label: string, figures: Distribution): string {
  if (figures.count === 0 || figures.median === undefined) return `  ${label}: no data`;
  return (
    `  ${label}: median ${formatDuration(figures.median)}, p90 ${formatDuration(figures.p90!)}, ` +
    `mean ${formatDuration(figures.mean!)} (${figures.count} incidents)`
  );
}

function counts(values: Readonly<Record<string, number | undefined>>): string[] {
  const entries = Object.entries(values).filter((entry): entry is [string, number] => entry[1] !== undefined);
  if (entries.length === 0) return ['  (none)'];
  return entries
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, value]) => `  ${key.padEnd(40)} ${value}`);
}

/** The report as text for a terminal. */
export function renderReport(report: IncidentReport): string {
  const success = report.automatedSuccess;
  return [
    `Firebreak incidents first received from ${report.since} to ${report.until} (end excluded): ${report.incidents}`,
    '',
    'By status',
    ...counts(report.byStatus),
    '',
    'By playbook',
    ...counts(report.byPlaybook),
    '',
    'Times',
    times('MTTA, received -> acknowledged', report.timeToAcknowledge),
    `  not acknowledged: ${report.unacknowledged}`,
    times('MTTR, first seen -> contained', report.timeToContainFromFirstSeen),
    times('MTTR, received -> contained', report.timeToContainFromReceipt),
    '',
    `Automated success rate: ${percent(success.rate)} (contained ${success.contained}, ` +
      `partially contained ${success.partiallyContained}, not contained ${success.notContained})`,
    `Recurrence (same resource again within ${report.recurrence.windowDays} days): ${report.recurrence.incidents} (${percent(report.recurrence.rate)})`,
    '',
    'Incidents per day (UTC)',
    ...report.perDay.map(({ day, incidents }) => `  ${day}  ${String(incidents).padStart(4)}`),
  ].join('\n');
}
