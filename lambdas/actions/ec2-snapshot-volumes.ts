import { CreateSnapshotsCommand, CreateTagsCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import type { Ec2Volume } from '../model/resource';
import { iamTimestamp } from './support/iam-policy-documents';
import { instanceOf } from './support/instance-of';
import { tagValue } from './support/tag-value';

const FINDING_TAG = 'firebreak:finding-id';
const INSTANCE_TAG = 'firebreak:instance-id';
const VOLUME_TAG = 'firebreak:volume-id';

interface State {
  readonly instanceId: string;
  readonly rootDeviceName?: string;
  readonly volumes: readonly Ec2Volume[];
  /** Snapshot ids already taken for this finding and instance, by volume. */
  readonly existing: Readonly<Record<string, string>>;
  /** False in simulate: the volumes are read from AWS at run time. */
  readonly volumesKnown: boolean;
}

interface Write {
  readonly instanceId: string;
  readonly excludeBootVolume: boolean;
  readonly excludeDataVolumeIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** Filled by apply: snapshot id by volume id. */
  readonly created?: Readonly<Record<string, string>>;
}

async function snapshotsOf(
  findingId: string,
  instanceId: string,
  clients: AwsClients,
): Promise<Record<string, string>> {
  const response = await awsCall('ec2:DescribeSnapshots', `snapshots of ${instanceId} for finding ${findingId}`, () =>
    clients.ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [
          { Name: `tag:${FINDING_TAG}`, Values: [findingId] },
          { Name: `tag:${INSTANCE_TAG}`, Values: [instanceId] },
        ],
      }),
    ),
  );
  return Object.fromEntries(
    (response.Snapshots ?? [])
      .filter((snapshot) => snapshot.VolumeId && snapshot.SnapshotId)
      .map((snapshot) => [snapshot.VolumeId!, snapshot.SnapshotId!]),
  );
}

/**
 * One crash-consistent set of snapshots of every attached EBS volume (CreateSnapshots), tagged with the finding,
 * instance, volume and time. A re-delivery finds the finding's snapshots by tag and takes none twice; a volume
 * attached since gets its own. Snapshots are evidence: release keeps them. Instance-store volumes are not captured.
 */
export const ec2SnapshotVolumes: Action<Record<string, never>, State, Write> = {
  id: 'ec2-snapshot-volumes',
  title: 'Snapshot every attached EBS volume',
  containment: false,
  keptOnRelease: 'the snapshots are forensic evidence; release never deletes them',
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'ec2:DescribeSnapshots', resource: 'unscoped', write: false },
    { action: 'ec2:CreateSnapshots', resource: 'ec2', write: true },
    { action: 'ec2:CreateTags', resource: 'ec2', write: true },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    const instance = instanceOf(target, 'ec2-snapshot-volumes');
    return {
      instanceId: instance.instanceId,
      ...(instance.rootDeviceName ? { rootDeviceName: instance.rootDeviceName } : {}),
      volumes: instance.volumes,
      existing: await snapshotsOf(target.finding.id, instance.instanceId, clients),
      volumesKnown: true,
    };
  },

  assume(target) {
    const instance = instanceOf(target, 'ec2-snapshot-volumes');
    return { instanceId: instance.instanceId, volumes: instance.volumes, existing: {}, volumesKnown: false };
  },

  plan(target, state, _params, now) {
    const { instanceId, volumes, existing } = state;
    const tags = {
      [FINDING_TAG]: tagValue(target.finding.id),
      [INSTANCE_TAG]: instanceId,
      'firebreak:taken-at': iamTimestamp(now),
      'firebreak:finding-type': tagValue(target.finding.type),
      Name: tagValue(`firebreak evidence ${instanceId}`),
    };
    if (!state.volumesKnown) {
      return {
        kind: 'write',
        summary: `Snapshot every attached EBS volume of ${instanceId} in one crash-consistent set (the volumes are read from AWS at run time)`,
        write: { instanceId, excludeBootVolume: false, excludeDataVolumeIds: [], tags },
        replaced: null,
        release: [],
      };
    }
    const missing = volumes.filter((volume) => existing[volume.volumeId] === undefined);
    if (volumes.length === 0) return { kind: 'no-op', summary: `Instance ${instanceId} has no attached EBS volume` };
    if (missing.length === 0) {
      return {
        kind: 'no-op',
        summary:
          `Volumes of ${instanceId} were already snapshotted for this finding: ` +
          `${volumes.map((volume) => `${volume.volumeId} -> ${existing[volume.volumeId]}`).join(', ')}`,
      };
    }
    const isBoot = (volume: Ec2Volume) => volume.deviceName === state.rootDeviceName;
    const bootMissing = missing.some(isBoot);
    const excludeDataVolumeIds = volumes
      .filter((volume) => !isBoot(volume) && existing[volume.volumeId] !== undefined)
      .map((volume) => volume.volumeId);
    return {
      kind: 'write',
      summary:
        `Snapshot ${missing.map((volume) => `${volume.volumeId} (${volume.deviceName})`).join(', ')} ` +
        `of ${instanceId} in one crash-consistent set, tagged with the finding`,
      write: { instanceId, excludeBootVolume: !bootMissing, excludeDataVolumeIds, tags },
      replaced: null,
      release: [],
    };
  },

  async apply(write, clients) {
    const response = await awsCall('ec2:CreateSnapshots', `instance ${write.instanceId}`, () =>
      clients.ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: {
            InstanceId: write.instanceId,
            ExcludeBootVolume: write.excludeBootVolume,
            ...(write.excludeDataVolumeIds.length > 0 ? { ExcludeDataVolumeIds: [...write.excludeDataVolumeIds] } : {}),
          },
          Description: `Firebreak evidence of ${write.instanceId}, finding ${write.tags[FINDING_TAG]}`,
          CopyTagsFromSource: 'volume',
          TagSpecifications: [
            { ResourceType: 'snapshot', Tags: Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
      ),
    );
    const created = Object.fromEntries(
      (response.Snapshots ?? [])
        .filter((snapshot) => snapshot.VolumeId && snapshot.SnapshotId)
        .map((snapshot) => [snapshot.VolumeId!, snapshot.SnapshotId!]),
    );
    // Each snapshot also names its own volume, so evidence stays attributable after the volume is gone.
    await Promise.all(
      Object.entries(created).map(([volumeId, snapshotId]) =>
        awsCall('ec2:CreateTags', `snapshot ${snapshotId}`, () =>
          clients.ec2.send(
            new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: VOLUME_TAG, Value: volumeId }] }),
          ),
        ),
      ),
    );
    return { ...write, created };
  },

  async verify(write, clients) {
    const created = write.created ?? {};
    const found = await snapshotsOf(write.tags[FINDING_TAG] ?? '', write.instanceId, clients);
    const missing = Object.entries(created).filter(([volumeId, snapshotId]) => found[volumeId] !== snapshotId);
    const list = Object.entries(created)
      .map(([volumeId, snapshotId]) => `${snapshotId} of ${volumeId}`)
      .join(', ');
    return {
      confirmed: missing.length === 0 && list !== '',
      detail: list
        ? `snapshots ${list}${missing.length ? `; not yet visible: ${missing.map(([, id]) => id).join(', ')}` : ''}`
        : 'no snapshot was created',
    };
  },
};
