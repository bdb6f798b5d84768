import {
  authenticateDrillRequest,
  type AuthenticatedDrill,
  type CallerIdentitySettings,
} from '../identity/authenticate-request';
import { confirmDrillFinding, type DrillContext } from '../findings/drill-finding';
import { triggerMismatch } from '../findings/trigger-match';
import type { Finding } from '../model/finding';
import { drillChannels } from './drill-channels';
import { DrillRefusedError, renderDrillRefused } from './drill-refusal';
import { clockOf, type HandlerDependencies } from './handle-dependencies';
import { handleFinding } from './handle-finding';
import type { HandleResult } from './handle-result';
import { channelsOf } from './notify-channels';

/** As for approve: tests set how STS is reached; in Lambda the defaults are the function's own Region and name. */
export interface DrillDependencies extends HandlerDependencies {
  readonly callerIdentity?: Omit<CallerIdentitySettings, 'homeAccountId'>;
}

/** `{"firebreak":"drill", ...}`: only a direct invocation (`firebreak drill`) carries it. */
export function isDrillRequest(event: unknown): boolean {
  return event !== null && typeof event === 'object' && (event as { firebreak?: unknown }).firebreak === 'drill';
}

/**
 * A game day on a canary: authenticated like approve (who asks is who STS says signed the proof), then the named user
 * must be the drill's canary as IAM has it (name, tag `firebreak:drill=<drill id>`, the key): that check replaces the
 * GuardDuty re-read, which has no drill finding. The drill finding then runs through the same pipeline as a real one
 * (gates, ledger, breaker, steps, one message), with DRILL in every message. A refused drill changes nothing, sends
 * one urgent message and throws DrillRefusedError.
 */
export async function handleDrillRequest(event: unknown, deps: DrillDependencies): Promise<HandleResult> {
  const receivedAt = clockOf(deps)();
  const { topicArn, clients, settings, log } = deps;
  if (!topicArn || !clients) throw new Error("A drill needs the responder's AWS clients: it cannot be simulated");
  const identity = {
    homeAccountId: settings.homeAccountId,
    ...(deps.now ? { now: deps.now } : {}),
    ...deps.callerIdentity,
  };
  const request = await authenticateDrillRequest(event, { identity, topicArn, clients, log });
  const place = {
    functionName: identity.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? '(unknown function)',
    region: identity.region ?? process.env.AWS_REGION ?? '',
  };
  const keys = { playbook: settings.playbook.id, drillId: request.drillId, userName: request.userName };
  log.info('Drill authenticated', { ...keys, callerArn: request.caller.arn, callerUserId: request.caller.userId });

  const context = { accountId: settings.homeAccountId, region: place.region, startedBy: request.recordedAs };
  const checked = await checkDrill(request, { ...context, at: receivedAt }, deps);
  if ('refused' in checked) return refuse(request, checked.refused, { ...place, at: receivedAt }, deps);
  const mark = { drillId: request.drillId, startedBy: request.recordedAs, userName: request.userName };
  // The re-read is replaced by the IAM check above: no finding source is passed on, since GuardDuty has no drill finding.
  const { findingSources: _replaced, ...pipeline } = deps;
  return handleFinding(checked.finding, { ...pipeline, channels: drillChannels(channelsOf(deps), mark) }, receivedAt);
}

/** The drill finding, built from IAM's answer, or why this responder does not run the drill. */
async function checkDrill(
  request: AuthenticatedDrill,
  context: DrillContext,
  deps: DrillDependencies,
): Promise<{ readonly finding: Finding } | { readonly refused: string }> {
  const { playbook } = deps.settings;
  if (playbook.mode !== 'enforce')
    return {
      refused:
        `playbook ${playbook.id} is in mode ${playbook.mode}: a drill proves an enforced containment, ` +
        'so it runs only against an enforcing responder',
    };
  const confirmation = await confirmDrillFinding(request, context, deps.clients!.iam);
  if (confirmation.kind !== 'confirmed')
    return {
      refused: 'readFrom' in confirmation ? `${confirmation.reason} (${confirmation.readFrom})` : confirmation.reason,
    };
  const mismatch = triggerMismatch(playbook, confirmation.finding);
  if (mismatch)
    return {
      refused:
        `playbook ${playbook.id} does not take the drill's IAM credential finding (${mismatch}): ` +
        'point --function at the responder of compromised-iam-credentials',
    };
  return { finding: confirmation.finding };
}

/** Nothing was changed: one urgent message (or the reason it was not sent), then DrillRefusedError. */
async function refuse(
  request: AuthenticatedDrill,
  reason: string,
  where: { readonly functionName: string; readonly region: string; readonly at: Date },
  deps: DrillDependencies,
): Promise<never> {
  const { drillId, userName, accessKeyId, recordedAs: startedBy } = request;
  deps.log.error('Drill refused; nothing was changed', {
    playbook: deps.settings.playbook.id,
    drillId,
    userName,
    callerArn: request.caller.arn,
    outcome: 'refused',
    reason,
  });
  let notified = '';
  try {
    await channelsOf(deps).publish(renderDrillRefused({ drillId, userName, accessKeyId, startedBy, ...where, reason }));
  } catch (error) {
    notified = ` The urgent message about it was not sent: ${(error as Error).message}`;
  }
  throw new DrillRefusedError(`Drill refused, nothing was changed: ${reason}.${notified}`);
}
