import type { Subject } from '../model/finding';

const GROUP_ID = /^sg-[0-9a-f]{8}([0-9a-f]{9})?$/;
const USER_ID = /^AIDA[A-Z0-9]{12,124}$/;

/** What a Config evaluation is about, by the Config resource type; anything else is reported, never written to. */
export function configSubject(resourceType: string, resourceId: string, accountId: string): Subject {
  if (resourceType === 'AWS::EC2::SecurityGroup' && GROUP_ID.test(resourceId))
    return { kind: 'security-group', groupId: resourceId };
  if (resourceType === 'AWS::IAM::User' && USER_ID.test(resourceId)) return { kind: 'iam-user-id', userId: resourceId };
  if (resourceType === 'AWS::::Account' && resourceId === accountId) return { kind: 'account', accountId };
  return {
    kind: 'unsupported',
    description: `${resourceType} ${resourceId}`,
    reason: `Firebreak has no automatic fix for ${resourceType} ${resourceId}`,
  };
}
