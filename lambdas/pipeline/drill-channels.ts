import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { buildNotification, type Notification } from '../notify/publish-outcome';
import { escapeInvisibleInJson, oneLine, snsSubject } from '../notify/sanitize';
import type { NotifyChannels } from './notify-channels';

/** Which drill a message is about, and who started it (the ARN STS returned). */
export interface DrillMark {
  readonly drillId: string;
  readonly startedBy: string;
  readonly userName: string;
}

/**
 * The channels of a drill: every message says DRILL (subject, first lines, JSON field `drill`, attribute `drill` for
 * subscription filters), so it is never taken for a real finding. A drill sends no chat message (the chat format has
 * no place that says so) and updates no Security Hub finding (Security Hub has none for it).
 */
export function drillChannels(base: NotifyChannels, mark: DrillMark): NotifyChannels {
  return {
    publishOutcome: (outcome) => base.publish(markedAsDrill(buildNotification(outcome), mark)),
    publish: (notification) => base.publish(markedAsDrill(notification, mark)),
    updateSecurityHub: () =>
      Promise.resolve({ kind: 'skipped', reason: 'a drill finding is not in Security Hub: nothing to update' }),
  };
}

/** A message with DRILL in its subject, a banner above its text, and the drill named in its JSON and attributes. */
export function markedAsDrill(notification: Notification, mark: DrillMark): Notification {
  const { subject, text, json, attributes } = notification;
  const banner = [
    `DRILL - NOT A REAL FINDING. Firebreak drill ${oneLine(mark.drillId, 40)}, started by ${oneLine(mark.startedBy, 300)},`,
    `on its canary IAM user ${oneLine(mark.userName, 64)}. The drill releases the containment and deletes the canary`,
    'itself: nothing here is for the on-call to do.',
    '='.repeat(72),
  ];
  const drill = escapeInvisibleInJson(JSON.stringify({ id: mark.drillId, startedBy: mark.startedBy }));
  const drillAttribute: MessageAttributeValue = { DataType: 'String', StringValue: mark.drillId };
  return {
    subject: snsSubject(subject.startsWith('Firebreak ') ? `Firebreak DRILL ${subject.slice(10)}` : `DRILL ${subject}`),
    text: [...banner, text].join('\n'),
    json: json.startsWith('{') && json !== '{}' ? `{"drill":${drill},${json.slice(1)}` : json,
    attributes: { ...attributes, drill: drillAttribute },
  };
}
