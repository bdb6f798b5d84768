import type { Notification } from './publish-outcome';
import { escapeInvisibleInJson, oneLine, personText, snsSubject } from './sanitize';

/** The message for an event Firebreak could not trust or read: nothing was changed, and the event is in the dead-letter queue. */
export function renderRejection(problems: readonly string[], playbookId: string, eventId: string): Notification {
  const text = personText(
    [
      'URGENT - NOT READ',
      'Firebreak received an event it could not read, so it changed nothing. A real finding may be waiting.',
      '-'.repeat(72),
      'WHAT WAS WRONG',
      ...problems.map((problem, index) => `  ${index + 1}. ${oneLine(problem, 600)}`),
      '',
      'WHAT A HUMAN STILL HAS TO DO',
      "  1. Open the event in this playbook's dead-letter queue (see the README, 'Dead-letter queues').",
      '  2. If it is a real finding, contain the resource by hand, then fix the cause and re-drive the queue.',
      '-'.repeat(72),
      `Firebreak · playbook ${playbookId} · event ${oneLine(eventId, 80)}`,
    ].join('\n'),
  );
  const json = escapeInvisibleInJson(
    JSON.stringify({ schemaVersion: '1', kind: 'firebreak.rejected', playbook: playbookId, eventId, problems }),
  );
  return {
    subject: snsSubject(`Firebreak URGENT NOT READ | ${playbookId} | an event could not be read`),
    text,
    json,
    attributes: {
      playbook: { DataType: 'String', StringValue: playbookId },
      outcome: { DataType: 'String', StringValue: 'rejected' },
      urgent: { DataType: 'String', StringValue: 'true' },
    },
  };
}
