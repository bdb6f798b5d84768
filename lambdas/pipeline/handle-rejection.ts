import { FindingRejectedError } from '../findings/finding-rejected-error';
import { renderRejection } from '../notify/render-rejection';
import type { HandlerDependencies } from './handle-dependencies';
import { channelsOf } from './notify-channels';

/** Parses an event; a malformed one is logged, notified once (nothing was changed) and thrown for the DLQ. */
export async function parseOrReject<T>(
  parse: () => T,
  eventId: string,
  deps: Pick<HandlerDependencies, 'settings' | 'log' | 'topicArn' | 'clients' | 'channels'>,
): Promise<T> {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof FindingRejectedError)) throw error;
    const playbook = deps.settings.playbook.id;
    deps.log.error('Event rejected; nothing was changed', {
      playbook,
      eventId,
      outcome: 'rejected',
      problems: error.problems,
    });
    await channelsOf(deps).publish(renderRejection(error.problems, playbook, eventId));
    throw error;
  }
}

export function eventIdOf(event: unknown): string {
  const id = event !== null && typeof event === 'object' ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : '(none)';
}
