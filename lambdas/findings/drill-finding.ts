import { GetUserCommand, ListAccessKeysCommand, type IAMClient } from '@aws-sdk/client-iam';
import { awsCall, isNoSuchEntity } from '../aws/aws-call-error';
import { showValue } from '../common/describe-issues';
import type { Finding } from '../model/finding';
import type { Confirmation } from './confirmation';
import { FindingRejectedError } from './finding-rejected-error';
import { parseEvent } from './parse-event';

/** The tag every drill canary carries, with the drill's id as value: a drill acts on nothing without it. */
export const DRILL_TAG_KEY = 'firebreak:drill';
/** A drill id: lower-case letters, digits and dashes (it is part of the canary's IAM user name). */
export const DRILL_ID = /^[a-z0-9][a-z0-9-]{2,38}[a-z0-9]$/;
const DRILL_PREFIX = 'firebreak-drill-';
/** A GuardDuty type the IAM playbook takes (the finding goes through the same pipeline as a real one). */
export const DRILL_FINDING_TYPE = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
const DRILL_SEVERITY = 8;

/** The canary IAM user of a drill, and the id of its finding: `firebreak-drill-<drill id>`. */
export function drillUserName(drillId: string): string {
  return `${DRILL_PREFIX}${drillId}`;
}

export const drillFindingId = drillUserName;

/** A finding Firebreak made for a drill (never one GuardDuty holds). */
export function isDrillFinding(finding: Pick<Finding, 'id'>): boolean {
  return finding.id.startsWith(DRILL_PREFIX);
}

/** What a drill request names: checked against IAM, never taken as it is. */
export interface DrillTarget {
  readonly drillId: string;
  readonly userName: string;
  readonly accessKeyId: string;
}

/** Where the drill runs and who started it (the ARN STS returned for the caller proof). */
export interface DrillContext {
  readonly accountId: string;
  readonly region: string;
  readonly startedBy: string;
  readonly at: Date;
}

/** The canary as IAM has it. */
interface Canary {
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly accessKeyId: string;
}

/**
 * The drill's confirmation source, in place of the GuardDuty re-read (GuardDuty has no drill finding): the finding is
 * confirmed only when IAM says that the named user is the drill's canary (its name), carries the tag
 * `firebreak:drill=<drill id>`, and holds the named access key. The finding is then built from IAM's answer, never
 * from the request. Never throws for an AWS error: that is `unreadable`, with the cause.
 */
export async function confirmDrillFinding(
  target: DrillTarget,
  context: DrillContext,
  iam: IAMClient,
): Promise<Confirmation> {
  const readFrom = `iam:GetUser and iam:ListAccessKeys in account ${context.accountId}`;
  const refuse = (reason: string): Confirmation => ({ kind: 'not-found', readFrom, reason });
  if (!DRILL_ID.test(target.drillId)) return refuse(`drill id ${showValue(target.drillId)} is not a drill id`);
  if (target.userName !== drillUserName(target.drillId))
    return refuse(
      `a drill acts only on its own canary user ${drillUserName(target.drillId)}, not ${showValue(target.userName)}`,
    );
  try {
    const canary = await readCanary(target, iam);
    if (typeof canary === 'string') return refuse(canary);
    return { kind: 'confirmed', finding: buildDrillFinding(canary, target.drillId, context), readFrom, updated: [] };
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    return { kind: 'unreadable', error: cause, readFrom, reason: cause.message };
  }
}

/** The canary, or why the named user is not one. */
async function readCanary(target: DrillTarget, iam: IAMClient): Promise<Canary | string> {
  const { userName, drillId, accessKeyId } = target;
  let user;
  try {
    user = (
      await awsCall('iam:GetUser', `user ${userName}`, () => iam.send(new GetUserCommand({ UserName: userName })))
    ).User;
  } catch (error) {
    if (isNoSuchEntity(error)) return `IAM user ${userName} does not exist`;
    throw error;
  }
  if (!user?.UserId || !user.Arn) return `IAM returned no id for user ${userName}`;
  const tag = user.Tags?.find((candidate) => candidate.Key === DRILL_TAG_KEY);
  if (!tag) return `IAM user ${userName} does not carry the tag ${DRILL_TAG_KEY}: it is not a drill canary`;
  if (tag.Value !== drillId)
    return `IAM user ${userName} carries ${DRILL_TAG_KEY}=${showValue(tag.Value)}, not this drill's id ${drillId}`;
  const keys = await awsCall('iam:ListAccessKeys', `user ${userName}`, () =>
    iam.send(new ListAccessKeysCommand({ UserName: userName })),
  );
  if (!(keys.AccessKeyMetadata ?? []).some((key) => key.AccessKeyId === accessKeyId))
    return `IAM user ${userName} has no access key ${showValue(accessKeyId)}`;
  return { userName, userId: user.UserId, arn: user.Arn, accessKeyId };
}

/**
 * A GuardDuty-shaped IAM credential finding about the canary, parsed by Firebreak's own GuardDuty parser, so it is
 * the Finding a real one would be. Its id (`firebreak-drill-<id>`), title and description say DRILL.
 */
export function buildDrillFinding(canary: Canary, drillId: string, context: DrillContext): Finding {
  const at = context.at.toISOString();
  const partition = /^arn:(aws[a-z-]*):/.exec(canary.arn)?.[1] ?? 'aws';
  const id = drillFindingId(drillId);
  const detail = {
    schemaVersion: '2.0',
    accountId: context.accountId,
    region: context.region,
    partition,
    id,
    type: DRILL_FINDING_TYPE,
    title: `DRILL ${drillId}: a Firebreak drill (game day), not a real finding`,
    description: `DRILL started by ${context.startedBy}: canary IAM user ${canary.userName}, key ${canary.accessKeyId}.`,
    severity: DRILL_SEVERITY,
    createdAt: at,
    updatedAt: at,
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: canary.accessKeyId,
        principalId: canary.userId,
        userName: canary.userName,
        userType: 'IAMUser',
      },
    },
    service: {
      serviceName: 'guardduty',
      resourceRole: 'TARGET',
      additionalInfo: { value: JSON.stringify({ firebreakDrill: drillId }), type: 'default' },
      eventFirstSeen: at,
      eventLastSeen: at,
      count: 1,
      action: { actionType: 'AWS_API_CALL', awsApiCallAction: { api: 'FirebreakDrill', serviceName: 'firebreak' } },
    },
  };
  const event = {
    version: '0',
    id: `${id}-event`,
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: context.accountId,
    time: at,
    region: context.region,
    resources: [],
    detail,
  };
  const parsed = parseEvent(event);
  if (parsed.kind !== 'finding') throw new FindingRejectedError([parsed.reason]);
  return parsed.finding;
}
