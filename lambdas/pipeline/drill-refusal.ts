import type { Notification } from '../notify/publish-outcome';
import { escapeInvisibleInJson, oneLine, personText, snsSubject } from '../notify/sanitize';

export interface RefusedDrill {
  readonly drillId: string;
  readonly userName: string;
  readonly accessKeyId: string;
  /** Who asked: the ARN STS returned for the caller proof (and the --by note). */
  readonly startedBy: string;
  readonly functionName: string;
  readonly region: string;
  readonly reason: string;
  readonly at: Date;
}

/** A drill was refused after its caller was authenticated: nothing was changed. Sent once, urgent. */
export class DrillRefusedError extends Error {
  override readonly name = 'DrillRefusedError';
}

/**
 * The one urgent message about a refused drill: an authenticated person asked Firebreak to contain a user that is not
 * a drill canary (or the drill could not be checked). It names who asked, what, and why it was refused.
 */
export function renderDrillRefused(refused: RefusedDrill): Notification {
  const user = oneLine(refused.userName, 64);
  const text = personText(
    [
      'URGENT - DRILL REFUSED',
      `${oneLine(refused.startedBy, 300)} asked ${oneLine(refused.functionName, 140)} (Region ${oneLine(refused.region, 30)}) ` +
        `to run drill ${oneLine(refused.drillId, 40)} on IAM user ${user}. Firebreak refused it and changed nothing.`,
      '-'.repeat(72),
      'WHY IT WAS REFUSED',
      `  ${oneLine(refused.reason, 1200)}`,
      '',
      'WHAT WAS ASKED',
      `  IAM user:   ${user}`,
      `  Access key: ${oneLine(refused.accessKeyId, 128)}`,
      `  At:         ${refused.at.toISOString()}`,
      '',
      'WHAT A HUMAN HAS TO DO',
      '  1. If you ran firebreak drill: it creates and tags its own canary; run it again and read its report.',
      '  2. If nobody on the team did: someone with lambda:InvokeFunction on this responder tried to make Firebreak',
      `     contain ${user}, which is not a drill canary. Ask ${oneLine(refused.startedBy, 300)} why.`,
      '-'.repeat(72),
      `Firebreak · drill refused · function ${oneLine(refused.functionName, 140)}`,
    ].join('\n'),
  );
  return {
    subject: snsSubject(`Firebreak URGENT DRILL REFUSED | IAM user ${refused.userName}`),
    text,
    json: escapeInvisibleInJson(
      JSON.stringify({
        schemaVersion: '1',
        kind: 'firebreak.drill-refused',
        drillId: refused.drillId,
        userName: refused.userName,
        accessKeyId: refused.accessKeyId,
        startedBy: refused.startedBy,
        functionName: refused.functionName,
        region: refused.region,
        reason: refused.reason,
        at: refused.at.toISOString(),
      }),
    ),
    attributes: {
      outcome: { DataType: 'String', StringValue: 'drill-refused' },
      urgent: { DataType: 'String', StringValue: 'true' },
      drill: { DataType: 'String', StringValue: refused.drillId },
    },
  };
}
