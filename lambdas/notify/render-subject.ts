import type { Outcome } from '../model/outcome';
import { describeSubject } from '../kinds/describe-subject';
import { snsSubject } from './sanitize';
import { outcomeWord } from './status-words';

/** At most 100 characters, the most important first: what happened, how bad, to whom, then the finding type. */
export function renderSubject(outcome: Outcome): string {
  const { finding } = outcome;
  const status = `${outcome.urgent ? 'URGENT ' : ''}${outcomeWord(outcome)}`;
  const parts = [
    // A plan waiting for a human leads with the question itself.
    outcome.status === 'awaiting-approval' && !outcome.simulated ? 'APPROVE? Firebreak' : `Firebreak ${status}`,
    `${finding.severityLabel} ${finding.severity}`,
    describeSubject(finding.subject),
    finding.sample ? `[SAMPLE] ${finding.type}` : finding.type,
  ];
  return snsSubject(parts.join(' | '));
}
