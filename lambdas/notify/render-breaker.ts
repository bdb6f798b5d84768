import type { Outcome } from '../model/outcome';
import type { Notification } from './publish-outcome';
import { escapeInvisibleInJson, personText, snsSubject } from './sanitize';

/** Sent once, by the delivery that opens the blast-radius breaker. */
export function renderBreakerOpened(outcome: Outcome, tableCommand: string): Notification {
  const breaker = outcome.breaker!;
  const text = personText(
    [
      'URGENT - BLAST-RADIUS BREAKER OPEN',
      `Firebreak made ${breaker.count} enforced containments for ${breaker.scope} in this UTC clock hour (limit ${breaker.limit}).`,
      `From now on, findings for ${breaker.scope} are only planned and notified (dry run) until the hour ends or a human closes the breaker.`,
      '-'.repeat(72),
      'WHAT A HUMAN STILL HAS TO DO',
      '  1. Find out why so many containments happened: a real widespread compromise, or a noisy finding type or a misconfiguration.',
      '  2. Contain what the dry-run messages list by hand where needed.',
      `  3. Close the breaker when it is safe: ${tableCommand}`,
      '-'.repeat(72),
      `Firebreak · playbook ${outcome.playbook.id} · opened by finding ${outcome.finding.id}`,
    ].join('\n'),
  );
  return {
    subject: snsSubject(`Firebreak URGENT BREAKER OPEN | ${breaker.scope} | ${breaker.count} containments in an hour`),
    text,
    json: escapeInvisibleInJson(
      JSON.stringify({
        schemaVersion: '1',
        kind: 'firebreak.breaker-opened',
        ...breaker,
        playbook: outcome.playbook.id,
        findingId: outcome.finding.id,
      }),
    ),
    attributes: {
      playbook: { DataType: 'String', StringValue: outcome.playbook.id },
      outcome: { DataType: 'String', StringValue: 'breaker-open' },
      urgent: { DataType: 'String', StringValue: 'true' },
    },
  };
}
