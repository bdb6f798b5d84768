import { incidentIdOf } from '../ledger/incident-id';
import type { Finding } from '../model/finding';
import type { Outcome } from '../model/outcome';
import { configRuleMatches } from '../model/playbook';
import { existingReason, recordApprovalRequest, withApprovedNote } from './approval-request';
import { handleComplianceRestored } from './handle-compliance-restored';
import { clockOf, type FindingOptions, type HandlerDependencies } from './handle-dependencies';
import { findingKeys, logFindingHandled, logFindingReceived } from './handle-finding-log';
import { ContainmentIncompleteError, type HandleResult } from './handle-result';
import { channelsOf, type NotifyChannels } from './notify-channels';
import {
  announceBreaker,
  publishChat,
  publishOutcome,
  reportUntold,
  suppressionReason,
  updateSecurityHub,
  type IncidentKeys,
} from './notify-outcome';
import { checkRecurrence, endIncidentLease, incidentRecord } from './record-incident';
import { runPlaybook } from './run-playbook';

/** One finding, from a native event or one of a Security Hub event's findings: run, record, notify, update. */
export async function handleFinding(
  finding: Finding,
  deps: HandlerDependencies,
  receivedAt: Date,
  options: FindingOptions = {},
): Promise<HandleResult> {
  const leftToAnother = configRuleElsewhere(finding, deps);
  if (leftToAnother) return leftToAnother;
  if (finding.config && finding.config.compliance !== 'NON_COMPLIANT') return handleComplianceRestored(finding, deps);
  const keys = findingKeys(finding, deps.settings);
  logFindingReceived(finding, keys, deps.log);
  const decided = await approvalDecided(finding, deps, keys);
  if (decided) return decided;
  const channels = channelsOf(deps);

  const run = await runForFinding(finding, deps, receivedAt, options);
  const incident = { ...keys, incidentId: run.outcome.incidentId, resource: run.outcome.resourceArn };
  logFindingHandled(run.outcome, incident, deps.log);
  await announceBreaker(run.outcome, incident, channels, deps.log);
  const suppressed = run.quiet ?? suppressionReason(run.outcome);
  const told = await recordAndNotify(finding, run.outcome, suppressed, {
    deps,
    channels,
    incident,
    problems: run.problems,
  });
  await endIncidentLease(told.outcome, deps.ledger, clockOf(deps));
  const hub = { settings: deps.settings, channels, log: deps.log, incident };
  await updateSecurityHub(told.outcome, finding, told.messageId, hub, run.problems);
  return finishFinding(finding, told, suppressed, incident, run.problems, deps);
}

/** A catch-all Config playbook leaves the rules another enabled playbook handles to that one. */
function configRuleElsewhere(finding: Finding, deps: HandlerDependencies): HandleResult | undefined {
  const { settings, log } = deps;
  const { trigger } = settings.playbook;
  if (!finding.config || trigger.source !== 'config' || !trigger.configRules.includes('*')) return undefined;
  const ruleName = finding.config.ruleName;
  const elsewhere = (settings.excludeConfigRules ?? []).find((rule) => configRuleMatches(ruleName, rule));
  if (!elsewhere) return undefined;
  const reason = `Config rule ${ruleName} is handled by the playbook for ${elsewhere}`;
  const playbook = settings.playbook.id;
  log.info('Event ignored', { playbook, eventId: finding.eventId, findingId: finding.id, outcome: 'ignored', reason });
  return { kind: 'ignored', reason };
}

function asksApproval(deps: HandlerDependencies): boolean {
  return deps.settings.playbook.mode === 'approve' && deps.approvals !== undefined;
}

/**
 * Approval mode: a plan pending or decided for this incident is not planned or asked again (the request's
 * conditional write settles a race; this read spares the AWS reads). A failed read falls through to it.
 */
async function approvalDecided(
  finding: Finding,
  deps: HandlerDependencies,
  keys: IncidentKeys,
): Promise<HandleResult | undefined> {
  if (!asksApproval(deps)) return undefined;
  const earlier = await deps.approvals!.getApproval(incidentIdOf(finding)).catch(() => undefined);
  if (!earlier || earlier.status === 'approved') return undefined;
  const reason = existingReason(earlier);
  deps.log.info('Finding ignored: approval pending or decided', {
    ...keys,
    incidentId: earlier.incidentId,
    outcome: 'ignored',
    reason,
  });
  return { kind: 'ignored', reason };
}

interface FindingRun {
  readonly outcome: Outcome;
  /** What went wrong beside the steps; each is reported, and the event kept in the dead-letter queue. */
  readonly problems: string[];
  /** Why this delivery sends no message (an approval request already exists). */
  readonly quiet?: string;
}

/** The playbook on the finding; in approval mode, its plan recorded as awaiting approval. */
async function runForFinding(
  finding: Finding,
  deps: HandlerDependencies,
  receivedAt: Date,
  options: FindingOptions,
): Promise<FindingRun> {
  const now = clockOf(deps);
  const { settings } = deps;
  let outcome = await runPlaybook(finding, {
    settings,
    ...(deps.clients ? { clients: deps.clients } : {}),
    ...(deps.ledger ? { ledger: deps.ledger } : {}),
    ...(deps.clientFactory ? { clientFactory: deps.clientFactory } : {}),
    ...(deps.findingSources ? { findingSources: deps.findingSources } : {}),
    holdLease: true,
    ...(deps.invocationId ? { invocationId: deps.invocationId } : {}),
    receivedAt,
    now,
  });
  const problems = [...(outcome.problems ?? [])];
  if (options.approved) outcome = withApprovedNote(outcome, options.approved, now);
  const approval = settings.playbook.approval;
  if (!asksApproval(deps) || outcome.status !== 'awaiting-approval' || !outcome.incidentId || !approval)
    return { outcome, problems };
  const request = await recordApprovalRequest(
    outcome,
    options.event,
    approval,
    deps.approvals!,
    deps.approvalTargets,
    now(),
  );
  if (request.kind === 'failed') problems.push(request.problem);
  return { outcome: request.outcome, problems, ...(request.kind === 'exists' ? { quiet: request.reason } : {}) };
}

interface Telling {
  readonly deps: HandlerDependencies;
  readonly channels: NotifyChannels;
  readonly incident: IncidentKeys;
  readonly problems: string[];
}

interface Told {
  readonly outcome: Outcome;
  readonly messageId?: string;
  readonly notifiedAt?: string;
}

/**
 * Containment, record and message are separate outcomes: the incident is recorded while the message goes out, so a
 * message that cannot be sent (after its retries) leaves "contained, responder not told" in the ledger, and the next
 * delivery sends the message with the whole story instead of a quiet "already contained".
 */
async function recordAndNotify(
  finding: Finding,
  outcome: Outcome,
  suppressed: string | undefined,
  { deps, channels, incident, problems }: Telling,
): Promise<Told> {
  const now = clockOf(deps);
  const { settings, log } = deps;
  const context = {
    ledger: deps.ledger,
    playbook: settings.playbook.id,
    retentionDays: settings.ledgerRetentionDays,
    now,
    problems,
  };
  const recurrence = checkRecurrence(outcome, context, (error) =>
    log.warn('Recurrence not checked', { ...incident, error: error.message }),
  );
  const record = incidentRecord(outcome, context);
  if (suppressed) log.info('Notification suppressed', { ...incident, outcome: outcome.status, reason: suppressed });
  const [published] = await Promise.all([
    suppressed ? undefined : publishOutcome(outcome, channels),
    record?.written(),
  ]);
  const messageId = published && 'id' in published ? published.id : undefined;
  const notifyError = published && 'error' in published ? published.error : undefined;
  const notifiedAt = messageId ? now().toISOString() : undefined;
  const checked = await recurrence;
  const told = checked ? { ...outcome, ...checked } : outcome;
  if (notifyError) reportUntold(told, notifyError, incident, log, problems);
  await Promise.all([
    suppressed || notifyError ? undefined : publishChat(told, channels, problems),
    notifiedAt || notifyError
      ? record?.told(notifiedAt ? { notifiedAt } : { notifyFailedAt: now().toISOString() })
      : undefined,
    finding.config ? record?.linkConfig(finding) : undefined,
  ]);
  return { outcome: told, ...(messageId ? { messageId, notifiedAt } : {}) };
}

/** Handled, or thrown after notifying when a step failed or anything beside the steps went wrong. */
function finishFinding(
  finding: Finding,
  { outcome, messageId, notifiedAt }: Told,
  suppressed: string | undefined,
  incident: IncidentKeys,
  problems: readonly string[],
  deps: HandlerDependencies,
): HandleResult {
  const failed = outcome.steps
    .filter((step) => step.status === 'failed')
    .map((step) => `${step.action}: ${step.error?.message ?? 'failed'}`);
  if (failed.length > 0 || problems.length > 0) {
    deps.log.error('Finding not fully handled', { ...incident, failed, problems });
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
