import type { AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import type { FindingSources } from '../findings/confirm-finding';
import { FindingRejectedError } from '../findings/finding-rejected-error';
import { parseEvent } from '../findings/parse-event';
import { buildNotification, publishChatMessage, publishNotification } from '../notify/publish-outcome';
import { renderBreakerOpened } from '../notify/render-breaker';
import { renderRejection } from '../notify/render-rejection';
import { describeSubject, type Finding } from '../model/finding';
import { renderResolved } from '../notify/render-resolved';
import { configRuleMatches } from '../model/playbook';
import { configEvaluationKey } from '../ledger/incident-id';
import type { IncidentSummary, Ledger } from '../ledger/ledger';
import type { Outcome } from '../model/outcome';
import type { ResponderSettings } from './responder-settings';
import { runPlaybook } from './run-playbook';
import { isSecurityHubEvent } from '../findings/parse-securityhub-event';
import { updateSecurityHubFinding } from '../securityhub/update-finding';
import { handleSecurityHubEvent, type SecurityHubResult } from './handle-securityhub-event';
import type { Approval, Approvals } from '../ledger/approvals';
import { incidentIdOf } from '../ledger/incident-id';
import {
  approvalChanges,
  existingReason,
  recordApprovalRequest,
  type ApprovalCommandTargets,
} from './approval-request';
import { handleInternalEvent, isInternalEvent, type ApprovalResult } from './handle-approval';

/** The part of a structured logger the core uses; Powertools Logger fits it, tests pass a recorder. */
export interface Log {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface HandlerDependencies {
  readonly settings: ResponderSettings;
  readonly clients: AwsClients;
  readonly topicArn: string;
  /** The chat topic (AWS Chatbot); absent: no chat message. */
  readonly chatTopicArn?: string;
  readonly log: Log;
  /** The incident ledger; without one there are no claims, release exemptions or breaker. */
  readonly ledger?: Ledger;
  /** Clients for the finding's account and Region; absent: `clients` act as they are (tests, single account). */
  readonly clientFactory?: ClientFactory;
  /** Where an enforcing run re-reads the finding before writing (the deployed responder always passes them). */
  readonly findingSources?: FindingSources;
  /** Owner of the ledger claims (the Lambda request id). */
  readonly invocationId?: string;
  readonly now?: () => Date;
  /** Approval mode: pending plans, decisions and the sweep; and where the message's approve and deny commands point. */
  readonly approvals?: Approvals;
  readonly approvalTargets?: ApprovalCommandTargets;
}

/** What handleFinding knows beyond the finding. */
export interface FindingOptions {
  /** The event the finding came from: an approval request stores it, to re-run the playbook on approval. */
  readonly event?: unknown;
  /** Set when an approval (or its timeout) runs the playbook: who approved which plan. */
  readonly approved?: Approval;
}

export type HandleResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | {
      readonly kind: 'handled';
      readonly outcome: Outcome;
      readonly messageId?: string;
      readonly notifiedAt?: string;
      readonly suppressed?: string;
    }
  | { readonly kind: 'resolved'; readonly incidentId: string; readonly messageId?: string }
  | SecurityHubResult
  | ApprovalResult;

/** Thrown after notifying, so the event lands in the dead-letter queue (kept and alarmed) when a step failed. */
export class ContainmentIncompleteError extends Error {
  override readonly name = 'ContainmentIncompleteError';
  constructor(
    message: string,
    /** What was done and when it was notified, for the response metrics. */
    readonly outcome?: Outcome,
    readonly notifiedAt?: string,
    /** An event of several findings (Security Hub): each handled finding's outcome, failed or not. */
    readonly findingOutcomes?: readonly { readonly outcome: Outcome; readonly notifiedAt?: string }[],
  ) {
    super(message);
  }
}

/**
 * One EventBridge event in, at most one notification out. Ends in exactly one of: ignored (not a finding, logged),
 * handled (notified), or thrown after notifying (rejected input or a failed step) so the event is kept in the DLQ.
 */
export async function handleEvent(event: unknown, deps: HandlerDependencies): Promise<HandleResult> {
  if (isSecurityHubEvent(event)) return handleSecurityHubEvent(event, deps);
  if (isInternalEvent(event)) return handleInternalEvent(event, deps);
  const now = deps.now ?? (() => new Date());
  const receivedAt = now();
  const { settings, log } = deps;
  const playbook = settings.playbook.id;
  const eventId = eventIdOf(event);

  const parsed = await parseOrReject(() => parseEvent(event), eventId, deps);
  if (parsed.kind === 'ignored') {
    log.info('Event ignored', {
      playbook,
      eventId,
      outcome: 'ignored',
      reason: parsed.reason,
      detailType: parsed.detailType,
    });
    return { kind: 'ignored', reason: parsed.reason };
  }

  return handleFinding(parsed.finding, deps, receivedAt, { event });
}

/** One finding, from a native event or one of a Security Hub event's findings: run, notify, record, update. */
export async function handleFinding(
  finding: Finding,
  deps: HandlerDependencies,
  receivedAt: Date,
  options: FindingOptions = {},
): Promise<HandleResult> {
  const now = deps.now ?? (() => new Date());
  const { settings, log } = deps;
  const playbook = settings.playbook.id;
  const eventId = finding.eventId;
  if (finding.config) {
    const { trigger } = settings.playbook;
    const elsewhere =
      trigger.source === 'config' && trigger.configRules.includes('*')
        ? (settings.excludeConfigRules ?? []).find((rule) => configRuleMatches(finding.config!.ruleName, rule))
        : undefined;
    if (elsewhere) {
      const reason = `Config rule ${finding.config.ruleName} is handled by the playbook for ${elsewhere}`;
      log.info('Event ignored', { playbook, eventId, findingId: finding.id, outcome: 'ignored', reason });
      return { kind: 'ignored', reason };
    }
    if (finding.config.compliance !== 'NON_COMPLIANT') return handleComplianceRestored(finding, deps, now);
  }
  const keys = {
    findingId: finding.id,
    playbook,
    accountId: finding.accountId,
    region: finding.region,
    mode: settings.playbook.mode,
  };
  log.info('Finding received', {
    ...keys,
    findingType: finding.type,
    severity: finding.severity,
    sample: finding.sample,
    subject: finding.subject.kind,
  });

  // Approval mode: a plan pending or decided for this incident is not planned or asked again (the request's
  // conditional write below settles a race; this read spares the AWS reads). A failed read falls through to it.
  const approving = settings.playbook.mode === 'approve' && deps.approvals !== undefined;
  const earlier = approving
    ? await deps.approvals!.getApproval(incidentIdOf(finding)).catch(() => undefined)
    : undefined;
  if (earlier && earlier.status !== 'approved') {
    const reason = existingReason(earlier);
    log.info('Finding ignored: approval pending or decided', {
      ...keys,
      incidentId: earlier.incidentId,
      outcome: 'ignored',
      reason,
    });
    return { kind: 'ignored', reason };
  }

  let outcome = await runPlaybook(finding, {
    settings,
    clients: deps.clients,
    ...(deps.ledger ? { ledger: deps.ledger } : {}),
    ...(deps.clientFactory ? { clientFactory: deps.clientFactory } : {}),
    ...(deps.findingSources ? { findingSources: deps.findingSources } : {}),
    holdLease: true,
    ...(deps.invocationId ? { invocationId: deps.invocationId } : {}),
    receivedAt,
    now,
  });
  const problems = [...(outcome.problems ?? [])];
  let approvalQuiet: string | undefined;
  if (options.approved) {
    const changes =
      outcome.steps.length === 0
        ? [`nothing was applied: ${outcome.reason ?? outcome.status}`]
        : approvalChanges(options.approved.plan, outcome.steps);
    outcome = {
      ...outcome,
      approval: {
        kind: 'approved',
        by: options.approved.decidedBy ?? 'a human',
        at: options.approved.decidedAt ?? now().toISOString(),
        requestedAt: options.approved.requestedAt,
        changes,
      },
    };
  }
  if (approving && outcome.status === 'awaiting-approval' && outcome.incidentId && settings.playbook.approval) {
    const request = await recordApprovalRequest(
      outcome,
      options.event,
      settings.playbook.approval,
      deps.approvals!,
      deps.approvalTargets,
      now(),
    );
    outcome = request.outcome;
    if (request.kind === 'exists') approvalQuiet = request.reason;
    if (request.kind === 'failed') problems.push(request.problem);
  }
  const incident = { ...keys, incidentId: outcome.incidentId, resource: outcome.resourceArn };
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

  if (outcome.breaker?.opened) {
    const scope = outcome.breaker.scope.replace(' ', '=');
    const close = `npm run firebreak -- breaker close --${scope} --table <ledger table>`;
    log.error('Blast-radius breaker opened', { ...incident, breaker: outcome.breaker });
    await publishNotification(renderBreakerOpened(outcome, close), deps.topicArn, deps.clients);
  }

  const suppressed = approvalQuiet ?? suppressionReason(outcome);
  // Recurrence (same resource, another incident within 30 days), checked once per incident beside the message.
  const recurrence =
    deps.ledger && isFirstDelivery(outcome)
      ? recurrenceOf(outcome, deps.ledger, now(), settings.ledgerRetentionDays).catch((error: unknown) => {
          log.warn('Recurrence not checked', { ...incident, error: (error as Error).message });
          return undefined;
        })
      : undefined;
  // A payload its source does not confirm never writes the incident's record: it may name a real incident.
  const refusedAtSource = outcome.steps.some((step) => step.action === 'confirm-finding');
  const record =
    deps.ledger &&
    outcome.incidentId &&
    outcome.status !== 'skipped' &&
    outcome.status !== 'duplicate' &&
    !refusedAtSource;
  const expiresAt = new Date(now().getTime() + settings.ledgerRetentionDays * 86_400_000);
  // What the ledger records is the finding as its source returned it, when it was re-read.
  const source = outcome.finding;
  const summary = (fields: { notifiedAt?: string; notifyFailedAt?: string }): IncidentSummary => ({
    incidentId: outcome.incidentId!,
    findingId: source.id,
    findingType: source.type,
    playbook,
    accountId: source.accountId,
    region: source.region,
    subject: describeSubject(source.subject),
    status: outcome.status,
    receivedAt: outcome.timings.receivedAt,
    ...(outcome.resourceArn ? { resourceArn: outcome.resourceArn } : {}),
    ...(source.firstSeen ? { firstSeen: source.firstSeen } : {}),
    ...(source.lastSeen ? { lastSeen: source.lastSeen } : {}),
    ...(outcome.timings.containedAt ? { containedAt: outcome.timings.containedAt } : {}),
    ...fields,
  });
  const recordIncident = (fields: { notifiedAt?: string; notifyFailedAt?: string }) =>
    deps
      .ledger!.putIncident(summary(fields), expiresAt)
      .catch((error: unknown) =>
        problems.push(`the incident was not recorded in the ledger: ${(error as Error).message}`),
      );

  // Containment, record and message are separate outcomes: the incident is recorded while the message goes out, so
  // a message that cannot be sent (after its retries) leaves "contained, responder not told" in the ledger, and the
  // next delivery sends the message with the whole story instead of a quiet "already contained".
  let messageId: string | undefined;
  let notifyError: Error | undefined;
  if (suppressed) log.info('Notification suppressed', { ...incident, outcome: outcome.status, reason: suppressed });
  const [published] = await Promise.all([
    suppressed
      ? undefined
      : publishNotification(buildNotification(outcome), deps.topicArn, deps.clients).then(
          (id) => ({ id }),
          (error: unknown) => ({ error: error as Error }),
        ),
    record ? recordIncident({}) : undefined,
  ]);
  if (published && 'id' in published) messageId = published.id;
  if (published && 'error' in published) notifyError = published.error;
  const notifiedAt = messageId ? now().toISOString() : undefined;
  const checked = await recurrence;
  if (checked) outcome = { ...outcome, ...checked };
  if (notifyError) {
    log.error('Notification not published: contained, responder not told', {
      ...incident,
      outcome: outcome.status,
      error: notifyError.message,
    });
    problems.push(
      `${outcome.status === 'contained' || outcome.status === 'partially-contained' ? 'contained, responder not told' : 'the responder was not told'}: the message was not published: ${notifyError.message}; the next delivery of this finding sends it`,
    );
  }

  // The e-mail went first: a chat failure never costs the main message, and is reported as a problem.
  await Promise.all([
    deps.chatTopicArn && !suppressed && !notifyError
      ? publishChatMessage(outcome, deps.chatTopicArn, deps.clients).catch((error: unknown) =>
          problems.push(`the chat message was not published: ${(error as Error).message}`),
        )
      : undefined,
    record && (notifiedAt || notifyError)
      ? recordIncident(notifiedAt ? { notifiedAt } : { notifyFailedAt: now().toISOString() })
      : undefined,
    deps.ledger && finding.config && record
      ? deps.ledger
          .linkConfigIncident(configEvaluationKey(finding), outcome.incidentId!, expiresAt)
          .catch((error: unknown) =>
            problems.push(`the Config evaluation was not linked to its incident: ${(error as Error).message}`),
          )
      : undefined,
  ]);

  // Only now may a concurrent delivery take the incident: it will find this delivery's status and stay quiet.
  if (deps.ledger && outcome.incidentId && outcome.leaseOwner)
    await deps.ledger.endLease(outcome.incidentId, outcome.leaseOwner, now()).catch(() => undefined);

  // After the message: Security Hub records what was done. A failure there is reported, never undoes the rest.
  if (settings.securityHub?.updateFindings && (messageId || finding.via === 'securityhub')) {
    const update = await updateSecurityHubFinding(outcome, deps.clients, settings.securityHub);
    if (update.kind === 'failed') problems.push(update.problem);
    else
      log.info('Security Hub finding', {
        ...incident,
        outcome: update.kind,
        ...(update.kind === 'updated' ? { securityHubId: update.id } : { reason: update.reason }),
      });
  }

  const failed = outcome.steps
    .filter((step) => step.status === 'failed')
    .map((step) => `${step.action}: ${step.error?.message ?? 'failed'}`);
  if (failed.length > 0 || problems.length > 0) {
    log.error('Finding not fully handled', { ...incident, failed, problems });
    throw new ContainmentIncompleteError(
      `Finding ${finding.id} is ${outcome.status}; notified; failed: ${[...failed, ...problems].join('; ')}`,
      outcome,
      notifiedAt,
    );
  }
  return {
    kind: 'handled',
    outcome,
    ...(messageId ? { messageId, notifiedAt } : {}),
    ...(suppressed ? { suppressed } : {}),
  };
}

/**
 * A Config rule finds a resource compliant (or not applicable) again: recorded, and reported as resolved when the
 * ledger holds an open incident for that rule and resource. Nothing is written to the resource.
 */
async function handleComplianceRestored(
  finding: Finding,
  deps: HandlerDependencies,
  now: () => Date,
): Promise<HandleResult> {
  const { log, settings } = deps;
  const config = finding.config!;
  const keys = {
    findingId: finding.id,
    playbook: settings.playbook.id,
    accountId: finding.accountId,
    region: finding.region,
    rule: config.ruleName,
    resource: `${config.resourceType} ${config.resourceId}`,
  };
  const incidentId = deps.ledger ? await deps.ledger.latestConfigIncident(configEvaluationKey(finding)) : undefined;
  const incident = incidentId ? await deps.ledger!.getIncident(incidentId) : undefined;
  if (!incident || incident.resolvedAt || config.compliance !== 'COMPLIANT') {
    const reason = `Config finds it ${config.compliance}${incident?.resolvedAt ? '; its incident was already reported resolved' : incident ? '' : '; no open incident'}: nothing to do`;
    log.info('Compliance change recorded', {
      ...keys,
      outcome: 'recorded',
      compliance: config.compliance,
      previous: config.previousCompliance,
      reason,
    });
    return { kind: 'ignored', reason };
  }
  const messageId = await publishNotification(renderResolved(finding, incident), deps.topicArn, deps.clients);
  const {
    steps: _steps,
    releasedAt: _releasedAt,
    releasedBy: _releasedBy,
    exemptUntil: _exemptUntil,
    ...summary
  } = incident;
  await deps.ledger!.putIncident(
    { ...summary, resolvedAt: now().toISOString() },
    new Date(now().getTime() + settings.ledgerRetentionDays * 86_400_000),
  );
  log.info('Incident resolved', { ...keys, incidentId: incident.incidentId, outcome: 'resolved' });
  return { kind: 'resolved', incidentId: incident.incidentId, ...(messageId ? { messageId } : {}) };
}

/** One message per finding: a re-delivery that changes nothing, or a concurrent duplicate, stays quiet (and logged). */
function suppressionReason(outcome: Outcome): string | undefined {
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

/** Parses an event; a malformed one is logged, notified once (nothing was changed) and thrown for the DLQ. */
export async function parseOrReject<T>(
  parse: () => T,
  eventId: string,
  deps: Pick<HandlerDependencies, 'settings' | 'log' | 'topicArn' | 'clients'>,
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
    await publishNotification(renderRejection(error.problems, playbook, eventId), deps.topicArn, deps.clients);
    throw error;
  }
}

export function eventIdOf(event: unknown): string {
  const id = event !== null && typeof event === 'object' ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : '(none)';
}

const RECURRENCE_WINDOW_MS = 30 * 86_400_000;

function isFirstDelivery(outcome: Outcome): boolean {
  return (
    outcome.incidentId !== undefined &&
    outcome.resourceArn !== undefined &&
    outcome.previousStatus === undefined &&
    outcome.status !== 'skipped' &&
    outcome.status !== 'duplicate'
  );
}

/** Marks the resource's latest incident; a different incident of the same resource within 30 days is a recurrence. */
async function recurrenceOf(
  outcome: Outcome,
  ledger: Ledger,
  now: Date,
  retentionDays: number,
): Promise<Pick<Outcome, 'recurrence' | 'recurrenceChecked'>> {
  const previous = await ledger.markResourceIncident(
    outcome.resourceArn!,
    outcome.incidentId!,
    now,
    new Date(now.getTime() + retentionDays * 86_400_000),
  );
  const recent =
    previous &&
    previous.incidentId !== outcome.incidentId &&
    now.getTime() - Date.parse(previous.at) <= RECURRENCE_WINDOW_MS;
  return {
    recurrenceChecked: true,
    ...(recent ? { recurrence: { previousIncidentId: previous.incidentId, previousAt: previous.at } } : {}),
  };
}
