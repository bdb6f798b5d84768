import { showValue } from '../common/describe-issues';
import type { Subject } from '../model/finding';

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;

/** An `Instance` finding names the instance in `resource.instanceDetails.instanceId`; anything else is unsupported. */
export function instanceSubject(instanceDetails: unknown, resourceRole: string | undefined): Subject {
  const instanceId =
    instanceDetails !== null && typeof instanceDetails === 'object'
      ? (instanceDetails as { instanceId?: unknown }).instanceId
      : undefined;
  if (instanceDetails === undefined || instanceDetails === null) {
    return {
      kind: 'unsupported',
      description: 'EC2 instance',
      reason: 'resource.instanceDetails is missing, so the instance is unknown',
    };
  }
  if (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId)) {
    return {
      kind: 'unsupported',
      description: 'EC2 instance',
      reason: `resource.instanceDetails.instanceId ${showValue(instanceId)} is not an EC2 instance id`,
    };
  }
  return { kind: 'ec2-instance', instanceId, ...(resourceRole ? { resourceRole } : {}) };
}
