import * as z from 'zod/mini';
import { describeIssues } from '../common/describe-issues';
import type { Finding } from '../model/finding';
import { parseEvent } from '../findings/parse-event';
import { isSecurityHubEvent, parseSecurityHubEvent } from '../findings/parse-securityhub-event';
import type { Approval } from '../ledger/approvals';
import { incidentIdOf } from '../ledger/incident-id';
import { renderApprovalDecision } from '../notify/render-approval-decision';
import { authenticateRequest, type CallerIdentitySettings } from '../identity/authenticate-request';
import { existingReason } from './approval-request';
import { clockOf, type HandlerDependencies } from './handle-dependencies';
import { handleFinding } from './handle-finding';
import type { ApprovalResult, HandleResult } from './handle-result';
import { channelsOf } from './notify-channels';
import type { ResponderSettings } from './responder-settings';

export type { ApprovalResult };

/**
 * Events Firebreak sends itself: an approval (CLI, authenticated by its caller proof: authenticateRequest reads the
 * rest of it) and the scheduled sweep of expired approvals.
 */
const internalEventSchema = z.discriminatedUnion(
  'firebreak',
  [
    z.looseObject({ firebreak: z.literal('approve') }),
    z.looseObject({ firebreak: z.literal('deny') }),
    z.strictObject({ firebreak: z.literal('sweep') }),
  ],
  { message: 'expected "approve", "deny" or "sweep"' },
);

/**
 * What a responder needs beyond HandlerDependencies to authenticate an approval. Optional: in Lambda the defaults
 * are the function's own Region and name (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME) and Node's fetch; only identities of
 * settings.homeAccountId are accepted. handleEvent passes its dependencies through as they are, so tests set it there.
 */
export interface ApprovalDependencies extends HandlerDependencies {
  readonly callerIdentity?: Omit<CallerIdentitySettings, 'homeAccountId'>;
}

/** An EventBridge event never has a top-level `firebreak` field; only a direct invocation can carry one. */
export function isInternalEvent(event: unknown): boolean {
  return event !== null && typeof event === 'object' && 'firebreak' in event;
}

export async function handleInternalEvent(event: unknown, deps: ApprovalDependencies): Promise<HandleResult> {
  const parsed = internalEventSchema.safeParse(event);
  if (!parsed.success) throw new Error(`Invalid Firebreak request: ${describeIssues(parsed.error, event).join('; ')}`);
  if (parsed.data.firebreak === 'sweep') {
    if (!deps.approvals) throw new Error('This responder has no approvals store: redeploy the stack');
    return sweepApprovals(deps);
  }
  // Before anything else: who approves or denies is who STS says signed the proof, never a name in the payload.
  const operation = parsed.data.firebreak;
  const identity = {
    homeAccountId: deps.settings.homeAccountId,
    ...(deps.now ? { now: deps.now } : {}),
    ...deps.callerIdentity,
  };
  const { topicArn, clients } = deps;
  if (!topicArn || !clients)
    throw new Error(`A ${operation} needs the responder's AWS clients: it cannot be simulated`);
  const request = await authenticateRequest(operation, event, { identity, topicArn, clients, log: deps.log });
  if (!deps.approvals) throw new Error('This responder has no approvals store: redeploy the stack');
  deps.log.info(operation === 'approve' ? 'Approval authenticated' : 'Denial authenticated', {
    incidentId: request.incidentId,
    playbook: deps.settings.playbook.id,
    callerArn: request.caller.arn,
    callerUserId: request.caller.userId,
  });
  return decideIncident(operation, request.incidentId, request.recordedAs, deps);
}

/**
 * A human decides a plan of this playbook: exactly one decision (approve, deny, or the timeout) wins. An approval
 * that wins re-runs the playbook in enforce mode; a denial is never applied, and the sweep sends its DENIED message.
 */
async function decideIncident(
  kind: 'approve' | 'deny',
  incidentId: string,
  by: string,
  deps: HandlerDependencies,
): Promise<HandleResult> {
  const approvals = deps.approvals!;
  const now = clockOf(deps);
  const playbook = deps.settings.playbook.id;
  const existing = await approvals.getApproval(incidentId);
  if (!existing)
    return {
      kind: 'approval',
      incidentId,
      result: 'not-found',
      reason: `no approval request for incident ${incidentId}: copy the id from the APPROVE? message`,
    };
  if (existing.playbook !== playbook) {
    return {
      kind: 'approval',
      incidentId,
      result: 'other-playbook',
      reason: `incident ${incidentId} belongs to playbook ${existing.playbook}, not ${playbook}: invoke that playbook's responder`,
    };
  }
  const decision = await approvals.decide(incidentId, { kind, by }, now());
  if (decision.kind === 'not-found')
    return {
      kind: 'approval',
      incidentId,
      result: 'not-found',
      reason: `no approval request for incident ${incidentId}`,
    };
  if (decision.kind === 'already-decided') {
    deps.log.info(`${kind === 'approve' ? 'Approval' : 'Denial'} refused: already decided`, {
      incidentId,
      playbook,
      by,
      status: decision.approval.status,
    });
    return { kind: 'approval', incidentId, result: 'already-decided', reason: existingReason(decision.approval) };
  }
  if (kind === 'deny') {
    deps.log.info('Approval denied', { incidentId, playbook, by });
    return {
      kind: 'approval',
      incidentId,
      result: 'denied',
      reason: `plan denied by ${by} at ${decision.approval.decidedAt}: it is never applied; the on-call gets a DENIED message within a minute`,
    };
  }
  deps.log.info('Approval granted', { incidentId, playbook, by, requestedAt: existing.requestedAt });
  return applyApproved(decision.approval, deps);
}

/** The normal enforce path on the stored event: re-read, re-plan, every gate, the ledger's exactly-once writes. */
async function applyApproved(approval: Approval, deps: HandlerDependencies): Promise<HandleResult> {
  const now = clockOf(deps);
  const finding = storedFinding(approval);
  const { approval: _settings, ...playbook } = deps.settings.playbook;
  const settings: ResponderSettings = { ...deps.settings, playbook: { ...playbook, mode: 'enforce' } };
  const result = await handleFinding(finding, { ...deps, settings }, now(), { approved: approval });
  if (result.kind === 'handled' && result.outcome.status === 'duplicate') {
    // Another delivery of the finding holds the incident and only plans: this approval was not applied. It must not
    // be lost: put it back to awaiting (the sweep still expires it) and fail loudly, so the approver runs it again.
    const reopened = await deps.approvals!.reopen(approval);
    deps.log.error('Approval not applied: another delivery holds the incident', {
      incidentId: approval.incidentId,
      playbook: approval.playbook,
      by: approval.decidedBy,
      reopened,
    });
    throw new ApprovalNotAppliedError(
      `Incident ${approval.incidentId}: another delivery of the finding holds it, so the approval by ` +
        `${approval.decidedBy} was not applied and nothing was changed. ` +
        (reopened
          ? 'The approval is awaiting again: run the approve command again in a minute.'
          : 'It was decided otherwise meanwhile: check the incident.'),
    );
  }
  return result;
}

/** An approval met a concurrent delivery and was not applied; it is put back to awaiting. */
export class ApprovalNotAppliedError extends Error {
  override readonly name = 'ApprovalNotAppliedError';
}

/** The finding of the incident, parsed again from the event stored with the request. */
function storedFinding(approval: Approval): Finding {
  const { event, incidentId } = approval;
  const findings: Finding[] = [];
  if (isSecurityHubEvent(event)) {
    const parsed = parseSecurityHubEvent(event);
    if (parsed.kind !== 'ignored')
      for (const entry of parsed.findings) if (entry.result.kind === 'finding') findings.push(entry.result.finding);
  } else {
    const parsed = parseEvent(event);
    if (parsed.kind === 'finding') findings.push(parsed.finding);
  }
  const finding = findings.find((candidate) => incidentIdOf(candidate) === incidentId);
  if (!finding)
    throw new Error(
      `the event stored for incident ${incidentId} no longer yields its finding: nothing was applied; contain by hand`,
    );
  return finding;
}

/**
 * The scheduled sweep of this playbook's approvals: an expired one gets its default exactly once (contain: the
 * approval path; drop: one EXPIRED message), a denial gets its one DENIED message. Approvals decided meanwhile are
 * left alone by the conditional writes. One failure does not stop the others; it is thrown at the end.
 */
async function sweepApprovals(deps: HandlerDependencies): Promise<HandleResult> {
  const approvals = deps.approvals!;
  const now = clockOf(deps);
  const playbook = deps.settings.playbook.id;
  const due = await approvals.dueApprovals(playbook, now());
  const results: { incidentId: string; result: string }[] = [];
  const failed: string[] = [];
  for (const incidentId of due) {
    try {
      results.push({ incidentId, result: await sweepOne(incidentId, deps) });
    } catch (error) {
      failed.push(`${incidentId}: ${(error as Error).message}`);
      results.push({ incidentId, result: 'failed' });
    }
  }
  if (results.length > 0) deps.log.info('Approvals swept', { playbook, results });
  if (failed.length > 0)
    throw new Error(
      `Approval sweep of ${playbook}: ${failed.length} of ${due.length} not handled: ${failed.join('; ')}`,
    );
  return { kind: 'sweep', due: due.length, results };
}

async function sweepOne(incidentId: string, deps: HandlerDependencies): Promise<string> {
  const approvals = deps.approvals!;
  const now = clockOf(deps);
  const approval = await approvals.getApproval(incidentId);
  if (!approval) return 'gone';
  if (approval.status === 'denied') {
    if (approval.notifiedAt || !(await approvals.claimDenialMessage(incidentId, now())))
      return 'denial already notified';
    await notifyDecision(approval, deps);
    return 'denied: notified';
  }
  if (approval.status !== 'awaiting' || approval.approvalExpiresAt > now().toISOString())
    return `not due (${approval.status})`;
  const decision = await approvals.decide(incidentId, { kind: 'timeout', onTimeout: approval.onTimeout }, now());
  if (decision.kind !== 'decided') return 'decided meanwhile';
  deps.log.info('Approval expired', { incidentId, playbook: approval.playbook, onTimeout: approval.onTimeout });
  if (decision.approval.status === 'expired') {
    await notifyDecision(decision.approval, deps);
    return 'expired: dropped';
  }
  const handled = await applyApproved(decision.approval, deps);
  return `expired: contained (${handled.kind === 'handled' ? handled.outcome.status : handled.kind})`;
}

/** One short message for a plan that will never be applied; the incident is recorded as no action. */
async function notifyDecision(approval: Approval, deps: HandlerDependencies): Promise<void> {
  await channelsOf(deps).publish(renderApprovalDecision(approval));
  const now = clockOf(deps);
  const incident = deps.ledger ? await deps.ledger.getIncident(approval.incidentId) : undefined;
  if (!incident || !deps.ledger) return;
  const {
    steps: _steps,
    releasedAt: _at,
    releasedBy: _by,
    exemptUntil: _until,
    acknowledgedAt: _ack,
    acknowledgedBy: _ackBy,
    ...summary
  } = incident;
  await deps.ledger.putIncident(
    { ...summary, status: 'skipped' },
    new Date(now().getTime() + deps.settings.ledgerRetentionDays * 86_400_000),
  );
}
