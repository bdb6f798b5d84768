import type { AwsClients } from '../../lambdas/aws/aws-clients';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import type { Outcome } from '../../lambdas/model/outcome';
import type { Playbook } from '../../lambdas/model/playbook';
import type { Notification } from '../../lambdas/notify/publish-outcome';
import { ContainmentIncompleteError, handleEvent, type HandleResult } from '../../lambdas/pipeline/handle-event';
import { RecordingChannels, type Sent } from '../../lambdas/pipeline/notify-recorder';
import { routeEvent, type RouteOptions, type RoutedTarget } from './route-event';

export interface SimulateOptions extends RouteOptions {
  readonly now?: () => Date;
}

/** One message about a finding's outcome, as its playbook's responder would send it. */
export interface SimulatedRun {
  readonly playbook: Playbook;
  readonly outcome: Outcome;
  readonly notification: Notification;
}

/** What one playbook's responder would do with the event: handleEvent, with what it sends recorded. */
export interface ResponderRun {
  readonly playbook: Playbook;
  /** Everything it would send or update, in order. */
  readonly sent: readonly Sent[];
  /** Why it sends nothing about the event, or about some of its findings. */
  readonly quiet: readonly string[];
  /** The error the deployed function would end with after sending (its event is then kept in the dead-letter queue). */
  readonly error?: string;
}

export type Simulation =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unrouted'; readonly reasons: readonly { readonly playbook: string; readonly reason: string }[] }
  | {
      readonly kind: 'routed';
      readonly responders: readonly ResponderRun[];
      /** Every finding message the responders would send, with its outcome. */
      readonly runs: readonly SimulatedRun[];
    };

/**
 * The deployed path on one event, with no AWS clients: route as the rules would, then each receiving responder's
 * handleEvent with its deployed settings. State is assumed, nothing is read or written; what would be sent is
 * recorded. Throws FindingRejectedError for input the responder would reject.
 */
export async function simulateEvent(event: unknown, options: SimulateOptions): Promise<Simulation> {
  const routing = routeEvent(event, options);
  if (routing.kind !== 'routed') return routing;
  const responders: ResponderRun[] = [];
  for (const target of routing.targets)
    responders.push(await runResponder(event, target, { chat: options.config.chat.enabled, now: options.now }));
  return { kind: 'routed', responders, runs: runsOf(responders) };
}

export interface ResponderDependencies {
  /** Absent: state is assumed (simulate). `plan --live`: read-only clients. */
  readonly clients?: AwsClients;
  /** The stack has a chat topic: the responder sends the chat form too. */
  readonly chat: boolean;
  readonly now?: (() => Date) | undefined;
}

/** One responder's handleEvent, without a ledger, with its messages and updates recorded instead of sent. */
export async function runResponder(
  event: unknown,
  target: RoutedTarget,
  deps: ResponderDependencies,
): Promise<ResponderRun> {
  const channels = new RecordingChannels({ chat: deps.chat });
  const run = { playbook: target.playbook, sent: channels.sent };
  try {
    const result = await handleEvent(event, {
      settings: target.settings,
      ...(deps.clients ? { clients: deps.clients } : {}),
      channels,
      log: SILENT,
      ...(deps.now ? { now: deps.now } : {}),
    });
    return { ...run, quiet: quietReasons(result) };
  } catch (error) {
    if (!(error instanceof ContainmentIncompleteError || error instanceof FindingRejectedError)) throw error;
    return { ...run, quiet: [], error: error.message };
  }
}

const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** handleEvent's own reasons for the messages it does not send. */
function quietReasons(result: HandleResult): string[] {
  if (result.kind === 'ignored') return [result.reason];
  if (result.kind === 'handled') return result.suppressed ? [result.suppressed] : [];
  if (result.kind !== 'securityhub') return [];
  return result.findings.flatMap(({ index, result: one }) => {
    const reason = one.kind === 'ignored' ? one.reason : one.kind === 'handled' ? one.suppressed : undefined;
    return reason ? [`finding ${index}: ${reason}`] : [];
  });
}

export function runsOf(responders: readonly ResponderRun[]): SimulatedRun[] {
  return responders.flatMap(({ playbook, sent }) =>
    sent.flatMap((entry) =>
      entry.kind === 'outcome' ? [{ playbook, outcome: entry.outcome, notification: entry.notification }] : [],
    ),
  );
}

const ASSUMED =
  'AWS state is ASSUMED in a simulation: the principal exists as named, untagged, and nothing is contained yet.';

/** What `firebreak simulate` prints: per receiving playbook, each message as it would be sent, or why none is. */
export function renderSimulation(simulation: Simulation, options: { readonly json?: boolean } = {}): string {
  if (simulation.kind === 'ignored') return `Ignored: ${simulation.reason}. No playbook runs and nothing is sent.`;
  if (simulation.kind === 'unrouted')
    return [
      'No playbook would receive this finding, so nothing would run and nothing would be sent:',
      ...reasonLines(simulation.reasons),
    ].join('\n');
  if (options.json) return simulation.runs.map((run) => run.notification.json).join('\n');
  return simulation.responders.map(renderResponderRun).join('\n\n');
}

function renderResponderRun({ playbook, sent, quiet, error }: ResponderRun): string {
  const receives = `Playbook ${playbook.id} (mode ${playbook.mode}) would receive this finding`;
  if (sent.length === 0 && !error) return `${receives} and send nothing: ${quiet.join('; ')}.`;
  const lines = [`${receives}.`, `${ASSUMED}\n`];
  for (const entry of sent) lines.push(...sentLines(entry));
  for (const reason of quiet) lines.push(`Not sent: ${reason}.`);
  if (error) lines.push(`The responder would end with an error (the event kept in its dead-letter queue): ${error}`);
  return lines.join('\n');
}

/** A message as the topic would carry it; a chat message or a Security Hub update in one line. */
export function sentLines(entry: Sent): string[] {
  if (entry.kind === 'chat') return ['Chat: the same outcome goes to the chat topic (AWS Chatbot) in its chat form.'];
  if (entry.kind === 'securityhub')
    return [`Security Hub: finding ${entry.id} would be set to NOTIFIED, with a note of what was done.`];
  const { notification } = entry;
  const attributes = Object.entries(notification.attributes).map(([key, value]) => `${key}=${value.StringValue}`);
  return [`Subject: ${notification.subject}`, `Attributes: ${attributes.join(' ')}\n`, notification.text];
}

/** Why each playbook declines the event, one line each; one line for all when the reason is the event's own. */
export function reasonLines(reasons: readonly { readonly playbook: string; readonly reason: string }[]): string[] {
  const [first] = reasons;
  if (first && reasons.length > 1 && reasons.every(({ reason }) => reason === first.reason))
    return [`  every playbook: ${first.reason}`];
  return reasons.map(({ playbook, reason }) => `  ${playbook}: ${reason}`);
}
