import type { Target } from '../../model/action';
import type { Ec2InstanceResource } from '../../model/resource';

/** The instance a step works on; a playbook wiring error (an EC2 action on another subject) fails loudly. */
export function instanceOf(target: Target, actionId: string): Ec2InstanceResource {
  if (target.resource.kind !== 'ec2-instance')
    throw new Error(`${actionId} needs an EC2 instance, got ${target.resource.kind}`);
  return target.resource;
}
