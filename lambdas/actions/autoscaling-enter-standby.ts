import { EnterStandbyCommand, ExitStandbyCommand } from '@aws-sdk/client-auto-scaling';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import { readAutoScalingMembership, type AutoScalingMembership } from './support/auto-scaling-membership';
import { instanceOf } from './support/instance-of';
import { shellQuote } from './support/shell-quote';

const AUTO_SCALING_GROUP_TAG = 'aws:autoscaling:groupName';

const params = z.strictObject({
  /**
   * false (default): the group keeps its desired capacity and launches a replacement, so the service stays up.
   * true: the desired capacity drops by one (fails if that would go below the group's minimum).
   */
  decrementDesiredCapacity: z._default(z.boolean(), false),
});

type Params = z.infer<typeof params>;

interface State {
  readonly instanceId: string;
  /** 'unknown' in simulate. */
  readonly membership: AutoScalingMembership | null | 'unknown';
}

interface Write {
  readonly instanceId: string;
  readonly groupName: string;
  readonly decrementDesiredCapacity: boolean;
}

/**
 * Moves the instance to Standby before isolation: isolation fails load balancer health checks, and the group would
 * then terminate and replace it (termination protection does not stop Auto Scaling). Standby keeps it in the group,
 * out of load balancer traffic, never terminated for health or scale-in, and reversible with ExitStandby; a detach
 * would lose the membership that release restores.
 */
export const autoscalingEnterStandby: Action<Params, State, Write> = {
  id: 'autoscaling-enter-standby',
  title: 'Take the instance out of its Auto Scaling group (Standby)',
  containment: false,
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'autoscaling:DescribeAutoScalingInstances', resource: 'unscoped', write: false },
    { action: 'autoscaling:EnterStandby', resource: 'autoscaling-group', write: true },
  ],
  params,

  async describe(target, _params, clients) {
    const { instanceId } = instanceOf(target, 'autoscaling-enter-standby');
    return { instanceId, membership: await readAutoScalingMembership(instanceId, clients) };
  },

  assume(target) {
    const instance = instanceOf(target, 'autoscaling-enter-standby');
    // EC2 Auto Scaling tags its instances with their group; GuardDuty's copy of the instance carries the tags.
    const groupName = instance.tags[AUTO_SCALING_GROUP_TAG];
    return {
      instanceId: instance.instanceId,
      membership: groupName ? { groupName, lifecycleState: 'InService' } : 'unknown',
    };
  },

  plan(_target, state, stepParams) {
    const { instanceId, membership } = state;
    if (membership === 'unknown') {
      // Simulate only: nothing is applied, so the group name can stay unknown.
      return {
        kind: 'write',
        summary: `If ${instanceId} is InService in an Auto Scaling group (read from AWS at run time), move it to Standby before isolation`,
        write: { instanceId, groupName: '', decrementDesiredCapacity: stepParams.decrementDesiredCapacity },
        replaced: 'read from AWS at run time',
        release: [],
      };
    }
    if (membership === null)
      return { kind: 'no-op', summary: `Instance ${instanceId} is not in an Auto Scaling group` };
    const { groupName, lifecycleState } = membership;
    if (lifecycleState === 'Standby' || lifecycleState === 'EnteringStandby') {
      return {
        kind: 'no-op',
        summary: `Instance ${instanceId} is already ${lifecycleState} in Auto Scaling group ${groupName}`,
      };
    }
    if (lifecycleState !== 'InService') {
      return {
        kind: 'skip',
        summary: `Instance ${instanceId} is ${lifecycleState} in Auto Scaling group ${groupName}: only InService instances can enter Standby`,
        manualSteps: [
          `Auto Scaling group ${groupName} may terminate ${instanceId}: suspend its ReplaceUnhealthy and Terminate processes (aws autoscaling ` +
            `suspend-processes --auto-scaling-group-name ${shellQuote(groupName)} --scaling-processes ReplaceUnhealthy Terminate) until the evidence is safe.`,
        ],
      };
    }
    return {
      kind: 'write',
      summary:
        `Move ${instanceId} to Standby in Auto Scaling group ${groupName} ` +
        `(${stepParams.decrementDesiredCapacity ? 'desired capacity decremented' : 'the group launches a replacement'})`,
      write: { instanceId, groupName, decrementDesiredCapacity: stepParams.decrementDesiredCapacity },
      replaced: { groupName, lifecycleState },
      release: [
        `aws autoscaling exit-standby --auto-scaling-group-name ${shellQuote(groupName)} --instance-ids ${instanceId}`,
      ],
    };
  },

  async apply(write, clients) {
    await awsCall('autoscaling:EnterStandby', `instance ${write.instanceId} in group ${write.groupName}`, () =>
      clients.autoScaling.send(
        new EnterStandbyCommand({
          AutoScalingGroupName: write.groupName,
          InstanceIds: [write.instanceId],
          ShouldDecrementDesiredCapacity: write.decrementDesiredCapacity,
        }),
      ),
    );
  },

  async verify(write, clients) {
    const membership = await readAutoScalingMembership(write.instanceId, clients);
    const state = membership?.lifecycleState ?? 'not in a group';
    return { confirmed: state === 'Standby' || state === 'EnteringStandby', detail: `instance is ${state}` };
  },

  releasePermissions: [
    { action: 'autoscaling:DescribeAutoScalingInstances', resource: 'unscoped', write: false },
    { action: 'autoscaling:ExitStandby', resource: 'autoscaling-group', write: true },
  ],

  async release(applied, clients) {
    const { instanceId, groupName } = applied.write;
    const membership = await readAutoScalingMembership(instanceId, clients);
    if (!membership)
      return { status: 'kept', summary: `Instance ${instanceId} is no longer in Auto Scaling group ${groupName}` };
    if (membership.lifecycleState !== 'Standby')
      return {
        status: 'already-restored',
        summary: `Instance ${instanceId} is ${membership.lifecycleState} in ${groupName}`,
      };
    await awsCall('autoscaling:ExitStandby', `instance ${instanceId} in group ${groupName}`, () =>
      clients.autoScaling.send(new ExitStandbyCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId] })),
    );
    return {
      status: 'restored',
      summary: `Instance ${instanceId} is back in service in Auto Scaling group ${groupName}`,
    };
  },
};
