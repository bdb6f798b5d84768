import { DescribeInstanceAttributeCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import { readInstanceAttributes, type InstanceAttributes } from './support/instance-attributes';
import { instanceOf } from './support/instance-of';
import { shellQuote } from './support/shell-quote';

interface State {
  readonly instanceId: string;
  readonly spot: boolean;
  /** In simulate: assumed unprotected, and flagged so the plan says the values are read at run time. */
  readonly attributes: InstanceAttributes;
  readonly assumed: boolean;
  readonly volumes: readonly {
    readonly volumeId: string;
    readonly deviceName: string;
    readonly deleteOnTermination: boolean;
  }[];
}

interface Write {
  readonly instanceId: string;
  readonly terminationProtection: boolean;
  readonly stopProtection: boolean;
  readonly shutdownBehaviorStop: boolean;
  /** Device names whose volume must survive termination. */
  readonly keepVolumes: readonly string[];
}

const NO_VOLUMES: Readonly<Record<string, boolean | undefined>> = {};

const SPOT_NOTE =
  'This is a Spot Instance: EC2 cannot protect it from termination or stop, and AWS ' +
  'may reclaim it. Its volumes are kept (DeleteOnTermination=false) and snapshotted.';

/** Termination and stop protection, shutdown behaviour `stop`, DeleteOnTermination=false: the evidence survives. Never stops or terminates. */
export const ec2ProtectEvidence: Action<Record<string, never>, State, Write> = {
  id: 'ec2-protect-evidence',
  title: 'Protect the instance and its volumes as evidence',
  containment: false,
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'ec2:DescribeInstanceAttribute', resource: 'unscoped', write: false },
    { action: 'ec2:ModifyInstanceAttribute', resource: 'ec2', write: true },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    const instance = instanceOf(target, 'ec2-protect-evidence');
    return {
      instanceId: instance.instanceId,
      spot: instance.spot,
      attributes: await readInstanceAttributes(instance.instanceId, clients),
      volumes: instance.volumes,
      assumed: false,
    };
  },

  assume(target) {
    const instance = instanceOf(target, 'ec2-protect-evidence');
    return {
      instanceId: instance.instanceId,
      spot: instance.spot,
      attributes: { terminationProtection: false, stopProtection: false, shutdownBehavior: 'terminate' },
      volumes: instance.volumes,
      assumed: true,
    };
  },

  plan(_target, state) {
    const { attributes, instanceId } = state;
    const write: Write = {
      instanceId,
      terminationProtection: !state.spot && !attributes.terminationProtection,
      stopProtection: !state.spot && !attributes.stopProtection,
      shutdownBehaviorStop: attributes.shutdownBehavior !== 'stop',
      keepVolumes: state.volumes.filter((volume) => volume.deleteOnTermination).map((volume) => volume.deviceName),
    };
    const changes = [
      write.terminationProtection ? 'termination protection on' : '',
      write.stopProtection ? 'stop protection on' : '',
      write.shutdownBehaviorStop ? `shutdown behaviour stop (was ${attributes.shutdownBehavior})` : '',
      write.keepVolumes.length > 0 ? `DeleteOnTermination=false on ${write.keepVolumes.join(', ')}` : '',
    ].filter(Boolean);
    const manualSteps = state.spot ? [SPOT_NOTE] : [];
    if (state.assumed) {
      return {
        kind: 'write',
        summary:
          `Protect ${instanceId}: termination and stop protection on, shutdown behaviour stop, DeleteOnTermination=false ` +
          `on every EBS volume (current values are read from AWS at run time, and only what differs is changed)`,
        write,
        replaced: 'read from AWS at run time',
        release: [],
      };
    }
    const volumesKnown = '';
    if (changes.length === 0) {
      return {
        kind: 'no-op',
        summary: `Instance ${instanceId} is already protected${state.spot ? ' as far as a Spot Instance can be' : ''}${volumesKnown}`,
        manualSteps,
      };
    }
    const q = shellQuote;
    const release = [
      write.terminationProtection
        ? `aws ec2 modify-instance-attribute --instance-id ${instanceId} --no-disable-api-termination`
        : '',
      write.stopProtection ? `aws ec2 modify-instance-attribute --instance-id ${instanceId} --no-disable-api-stop` : '',
      write.shutdownBehaviorStop
        ? `aws ec2 modify-instance-attribute --instance-id ${instanceId} --instance-initiated-shutdown-behavior ${q(attributes.shutdownBehavior)}`
        : '',
      write.keepVolumes.length > 0
        ? `aws ec2 modify-instance-attribute --instance-id ${instanceId} --block-device-mappings ` +
          `${q(JSON.stringify(write.keepVolumes.map((DeviceName) => ({ DeviceName, Ebs: { DeleteOnTermination: true } }))))}`
        : '',
    ].filter(Boolean);
    return {
      kind: 'write',
      summary: `Protect ${instanceId}: ${changes.join(', ')}${volumesKnown}${state.spot ? '; Spot Instance: no termination or stop protection possible' : ''}`,
      write,
      replaced: {
        ...attributes,
        deleteOnTermination: Object.fromEntries(
          state.volumes.map((volume) => [volume.deviceName, volume.deleteOnTermination]),
        ),
      },
      release,
      manualSteps,
    };
  },

  async apply(write, clients) {
    // ModifyInstanceAttribute changes one attribute per call; the calls are independent, so they run together.
    const modify = (
      what: string,
      input: Omit<ConstructorParameters<typeof ModifyInstanceAttributeCommand>[0], 'InstanceId'>,
    ) =>
      awsCall(`ec2:ModifyInstanceAttribute(${what})`, `instance ${write.instanceId}`, () =>
        clients.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: write.instanceId, ...input })),
      );
    await Promise.all([
      write.terminationProtection
        ? modify('disableApiTermination', { DisableApiTermination: { Value: true } })
        : undefined,
      write.stopProtection ? modify('disableApiStop', { DisableApiStop: { Value: true } }) : undefined,
      write.shutdownBehaviorStop
        ? modify('instanceInitiatedShutdownBehavior', { InstanceInitiatedShutdownBehavior: { Value: 'stop' } })
        : undefined,
      write.keepVolumes.length > 0
        ? modify('blockDeviceMapping', {
            BlockDeviceMappings: write.keepVolumes.map((DeviceName) => ({
              DeviceName,
              Ebs: { DeleteOnTermination: false },
            })),
          })
        : undefined,
    ]);
  },

  async verify(write, clients) {
    const [attributes, mapping] = await Promise.all([
      readWrittenAttributes(write, clients),
      write.keepVolumes.length > 0 ? readDeleteOnTermination(write.instanceId, clients) : NO_VOLUMES,
    ]);
    const problems = [
      write.terminationProtection && !attributes.terminationProtection ? 'termination protection is off' : '',
      write.stopProtection && !attributes.stopProtection ? 'stop protection is off' : '',
      write.shutdownBehaviorStop && attributes.shutdownBehavior !== 'stop'
        ? `shutdown behaviour is ${attributes.shutdownBehavior}`
        : '',
      ...write.keepVolumes
        .filter((device) => mapping[device] !== false)
        .map((device) => `${device} is still deleted on termination`),
    ].filter(Boolean);
    return {
      confirmed: problems.length === 0,
      detail: problems.length === 0 ? 'protections in place' : problems.join('; '),
    };
  },

  releasePermissions: [
    { action: 'ec2:DescribeInstanceAttribute', resource: 'unscoped', write: false },
    { action: 'ec2:ModifyInstanceAttribute', resource: 'ec2', write: true },
  ],

  async release(applied, clients) {
    const write = applied.write;
    const before = applied.replaced as InstanceAttributes & { deleteOnTermination?: Record<string, boolean> };
    const [current, mapping] = await Promise.all([
      readInstanceAttributes(write.instanceId, clients),
      readDeleteOnTermination(write.instanceId, clients),
    ]);
    const modify = (
      what: string,
      input: Omit<ConstructorParameters<typeof ModifyInstanceAttributeCommand>[0], 'InstanceId'>,
    ) =>
      awsCall(`ec2:ModifyInstanceAttribute(${what})`, `instance ${write.instanceId}`, () =>
        clients.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: write.instanceId, ...input })),
      );
    const restore = [
      write.terminationProtection && current.terminationProtection && !before.terminationProtection
        ? {
            what: 'termination protection off',
            run: () => modify('disableApiTermination', { DisableApiTermination: { Value: false } }),
          }
        : undefined,
      write.stopProtection && current.stopProtection && !before.stopProtection
        ? { what: 'stop protection off', run: () => modify('disableApiStop', { DisableApiStop: { Value: false } }) }
        : undefined,
      write.shutdownBehaviorStop && current.shutdownBehavior !== before.shutdownBehavior
        ? {
            what: `shutdown behaviour ${before.shutdownBehavior}`,
            run: () =>
              modify('instanceInitiatedShutdownBehavior', {
                InstanceInitiatedShutdownBehavior: { Value: before.shutdownBehavior },
              }),
          }
        : undefined,
      ...write.keepVolumes
        .filter((device) => mapping[device] === false && before.deleteOnTermination?.[device] === true)
        .map((device) => ({
          what: `DeleteOnTermination=true on ${device}`,
          run: () =>
            modify('blockDeviceMapping', {
              BlockDeviceMappings: [{ DeviceName: device, Ebs: { DeleteOnTermination: true } }],
            }),
        })),
    ].filter((change) => change !== undefined);
    if (restore.length === 0)
      return {
        status: 'already-restored',
        summary: `Instance ${write.instanceId} already has its recorded protections`,
      };
    await Promise.all(restore.map((change) => change.run()));
    return {
      status: 'restored',
      summary: `Instance ${write.instanceId}: ${restore.map((change) => change.what).join(', ')}`,
    };
  },
};

/**
 * Read back only what the write changed: DescribeInstanceAttribute answers one attribute per call, and its token
 * bucket is the one a burst of instances drains first.
 */
async function readWrittenAttributes(write: Write, clients: AwsClients): Promise<Partial<InstanceAttributes>> {
  const read = (attribute: 'disableApiTermination' | 'disableApiStop' | 'instanceInitiatedShutdownBehavior') =>
    awsCall(`ec2:DescribeInstanceAttribute(${attribute})`, `instance ${write.instanceId}`, () =>
      clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: write.instanceId, Attribute: attribute })),
    );
  const [termination, stop, shutdown] = await Promise.all([
    write.terminationProtection ? read('disableApiTermination') : undefined,
    write.stopProtection ? read('disableApiStop') : undefined,
    write.shutdownBehaviorStop ? read('instanceInitiatedShutdownBehavior') : undefined,
  ]);
  return {
    ...(termination ? { terminationProtection: termination.DisableApiTermination?.Value ?? false } : {}),
    ...(stop ? { stopProtection: stop.DisableApiStop?.Value ?? false } : {}),
    ...(shutdown ? { shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop' } : {}),
  };
}

async function readDeleteOnTermination(
  instanceId: string,
  clients: AwsClients,
): Promise<Record<string, boolean | undefined>> {
  const response = await awsCall('ec2:DescribeInstanceAttribute(blockDeviceMapping)', `instance ${instanceId}`, () =>
    clients.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'blockDeviceMapping' })),
  );
  return Object.fromEntries(
    (response.BlockDeviceMappings ?? []).map((mapping) => [mapping.DeviceName ?? '', mapping.Ebs?.DeleteOnTermination]),
  );
}
