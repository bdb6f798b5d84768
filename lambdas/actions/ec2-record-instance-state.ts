import * as z from 'zod/mini';
import type { Action } from '../model/action';
import type { Ec2Interface, Ec2Volume } from '../model/resource';
import { readAutoScalingMembership, type AutoScalingMembership } from './support/auto-scaling-membership';
import { readInstanceAttributes, type InstanceAttributes } from './support/instance-attributes';
import { instanceOf } from './support/instance-of';
import { readProfileAssociation, type ProfileAssociation } from './support/instance-profile-association';

export interface InstanceRecord {
  readonly instanceId: string;
  readonly interfaces: readonly Ec2Interface[];
  readonly volumes: readonly Ec2Volume[];
  /** null when unknown (simulate). */
  readonly attributes: InstanceAttributes | null;
  readonly instanceProfile: ProfileAssociation | null | 'unknown';
  readonly autoScaling: AutoScalingMembership | null | 'unknown';
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Records the instance as found, before any change: groups per interface, instance profile, Auto Scaling group,
 * protections, shutdown behaviour, DeleteOnTermination per volume, tags. Reads only; the record goes into the
 * outcome (and the logs) so that release can restore it.
 */
export const ec2RecordInstanceState: Action<Record<string, never>, InstanceRecord, never> = {
  id: 'ec2-record-instance-state',
  title: 'Record the instance state before any change',
  containment: false,
  keptOnRelease: 'it only read: the recorded state is evidence of the incident',
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'ec2:DescribeInstanceAttribute', resource: 'unscoped', write: false },
    { action: 'ec2:DescribeIamInstanceProfileAssociations', resource: 'unscoped', write: false },
    { action: 'autoscaling:DescribeAutoScalingInstances', resource: 'unscoped', write: false },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    const instance = instanceOf(target, 'ec2-record-instance-state');
    const [attributes, instanceProfile, autoScaling] = await Promise.all([
      readInstanceAttributes(instance.instanceId, clients),
      readProfileAssociation(instance.instanceId, clients),
      readAutoScalingMembership(instance.instanceId, clients),
    ]);
    return {
      instanceId: instance.instanceId,
      interfaces: instance.interfaces,
      volumes: instance.volumes,
      attributes,
      instanceProfile,
      autoScaling,
      tags: instance.tags,
    };
  },

  assume(target) {
    const instance = instanceOf(target, 'ec2-record-instance-state');
    return {
      instanceId: instance.instanceId,
      interfaces: instance.interfaces,
      volumes: instance.volumes,
      attributes: null,
      instanceProfile: 'unknown',
      autoScaling: 'unknown',
      tags: instance.tags,
    };
  },

  plan(_target, state) {
    const groups = state.interfaces.map((eni) => `${eni.networkInterfaceId} [${eni.groupIds.join(', ')}]`).join('; ');
    const volumes =
      state.attributes === null ? 'EBS volumes read at run time' : `${state.volumes.length} EBS volume(s)`;
    const profile =
      state.instanceProfile === 'unknown'
        ? 'unknown until read'
        : (state.instanceProfile?.instanceProfileArn ?? 'none');
    const group =
      state.autoScaling === 'unknown'
        ? 'unknown until read'
        : state.autoScaling
          ? `${state.autoScaling.groupName} (${state.autoScaling.lifecycleState})`
          : 'none';
    return {
      kind: 'record',
      summary: `Recorded ${state.instanceId}: interfaces ${groups || 'none'}; instance profile ${profile}; Auto Scaling group ${group}; ${volumes}`,
      recorded: state,
    };
  },

  async apply() {
    throw new Error('ec2-record-instance-state only reads');
  },

  async verify() {
    return { confirmed: true, detail: 'nothing to verify' };
  },
};
