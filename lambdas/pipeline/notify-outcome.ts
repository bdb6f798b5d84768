import type { Finding } from '../model/finding';
import type { Outcome } from '../model/outcome';
import { renderBreakerOpened } from '../notify/render-breaker';
import type { Log } from './handle-dependencies';
import type { NotifyChannels } from './notify-channels';
import type { ResponderSettings } from './responder-settings';

/** The fixed log keys of one incident. */
export type IncidentKeys = Record<string, unknown>;

/** One message per finding: a re-delivery that changes nothing, or a concurrent duplicate, stays quiet (and logged). */
export function suppressionReason(outcome: Outcome): string | undefined {
  if (outcome.status === 'duplicate') return 'another delivery of this finding is handling it and sends the message';
  // No person was told what an earlier delivery did: this message is the first, never quiet.
  if (outcome.untoldSince) return undefined;
  if (
    outcome.status === 'already-contained' &&
    (outcome.previousStatus === 'contained' || outcome.previousStatus === 'already-contained')
  ) {
    return `the incident was already reported as ${outcome.previousStatus}; this delivery changed nothing`;
  }
  // GuardDuty re-sends a finding every 15 minutes to 6 hours: a dry run or a call for a human, once reported, is
  // not reported again for the same incident (a failure is: it changes what the responder must do).
  if (
    (outcome.status === 'dry-run' || outcome.status === 'manual-action-required') &&
    outcome.previousStatus === outcome.status &&
    !outcome.steps.some((step) => step.status === 'failed')
  ) {
    return `the incident was already reported as ${outcome.status}; this delivery found the same`;
  }
  return undefined;
}

/** The run opened the blast-radius breaker: its own urgent message, before the finding's. */
export async function announceBreaker(
  outcome: Outcome,
  incident: IncidentKeys,
  channels: NotifyChannels,
  log: Log,
): Promise<void> {
  if (!outcome.breaker?.opened) return;
  const scope = outcome.breaker.scope.replace(' ', '=');
  const close = `npm run firebreak -- breaker close --${scope} --table <ledger table>`;
  log.error('Blast-radius breaker opened', { ...incident, breaker: outcome.breaker });
  await channels.publish(renderBreakerOpened(outcome, close));
}

export type Published = { readonly id: string | undefined } | { readonly error: Error };

/** The finding's message; a failure (after its retries) is returned, never thrown: the record says who was told. */
export function publishOutcome(outcome: Outcome, channels: NotifyChannels): Promise<Published> {
  return channels.publishOutcome(outcome).then(
    (id) => ({ id }),
    (error: unknown) => ({ error: error as Error }),
  );
}

/** The message was not sent: the containment stands, and the next delivery sends it. */
export function reportUntold(outcome: Outcome, error: Error, incident: IncidentKeys, log: Log, problems: string[]) {
  log.error('Notification not published: contained, responder not told', {
    ...incident,
    outcome: outcome.status,
    error: error.message,
  });
  const contained = outcome.status === 'contained' || outcome.status === 'partially-contained';
  problems.push(
    `${contained ? 'contained, responder not told' : 'the responder was not told'}: the message was not published: ` +
      `${error.message}; the next delivery of this finding sends it`,
  );
}

/** The e-mail went first: a chat failure never costs the main message, and is reported as a problem. */
export async function publishChat(outcome: Outcome, channels: NotifyChannels, problems: string[]): Promise<void> {
  if (!channels.publishChat) return;
  await channels
    .publishChat(outcome)
    .catch((error: unknown) => problems.push(`the chat message was not published: ${(error as Error).message}`));
}

/** After the message: Security Hub records what was done. A failure there is reported, never undoes the rest. */
export async function updateSecurityHub(
  outcome: Outcome,
  finding: Finding,
  messageId: string | undefined,
  context: { settings: ResponderSettings; channels: NotifyChannels; log: Log; incident: IncidentKeys },
  problems: string[],
): Promise<void> {
  const { securityHub } = context.settings;
  if (!securityHub?.updateFindings || !(messageId || finding.via === 'securityhub')) return;
  const update = await context.channels.updateSecurityHub(outcome, securityHub);
  if (update.kind === 'failed') problems.push(update.problem);
  else
    context.log.info('Security Hub finding', {
      ...context.incident,
      outcome: update.kind,
      ...(update.kind === 'updated' ? { securityHubId: update.id } : { reason: update.reason }),
    });
}
