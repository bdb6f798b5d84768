import { DescribeSnapshotsCommand, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';

interface State {
  readonly accountId: string;
  readonly publicSnapshots: readonly string[];
  readonly assumed: boolean;
}

interface Write {
  readonly snapshotIds: readonly string[];
}

async function publicSnapshots(clients: AwsClients): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await awsCall('ec2:DescribeSnapshots', 'public snapshots of the account', () =>
      clients.ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          RestorableByUserIds: ['all'],
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    ids.push(...(page.Snapshots ?? []).map((snapshot) => snapshot.SnapshotId ?? '').filter(Boolean));
    token = page.NextToken;
  } while (token);
  return ids;
}

function setPublic(snapshotId: string, operation: 'add' | 'remove', clients: AwsClients) {
  return awsCall('ec2:ModifySnapshotAttribute', `snapshot ${snapshotId}`, () =>
    clients.ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snapshotId,
        Attribute: 'createVolumePermission',
        OperationType: operation,
        GroupNames: ['all'],
      }),
    ),
  );
}

/** Removes the public `createVolumePermission` (group all) from the account's public snapshots; other shares stay. */
export const ec2MakeSnapshotsPrivate: Action<Record<string, never>, State, Write> = {
  id: 'ec2-make-snapshots-private',
  title: 'Make public EBS snapshots private',
  containment: true,
  appliesTo: (subject) => subject.kind === 'account',
  permissions: [
    { action: 'ec2:DescribeSnapshots', resource: 'unscoped', write: false },
    { action: 'ec2:ModifySnapshotAttribute', resource: 'ec2', write: true },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    return { accountId: target.finding.accountId, publicSnapshots: await publicSnapshots(clients), assumed: false };
  },

  assume(target) {
    return { accountId: target.finding.accountId, publicSnapshots: [], assumed: true };
  },

  plan(_target, state) {
    if (state.assumed) {
      return {
        kind: 'write',
        summary: `Remove public access from every public EBS snapshot of account ${state.accountId} in this Region (the list is read from AWS at run time)`,
        write: { snapshotIds: [] },
        replaced: 'read from AWS at run time',
        release: [],
      };
    }
    if (state.publicSnapshots.length === 0)
      return { kind: 'no-op', summary: `Account ${state.accountId} has no public EBS snapshot in this Region` };
    return {
      kind: 'write',
      summary:
        `Remove public access from ${state.publicSnapshots.length} EBS snapshot(s): ` +
        `${state.publicSnapshots.join(', ')}; shares with named accounts stay`,
      write: { snapshotIds: state.publicSnapshots },
      replaced: { public: state.publicSnapshots },
      release: state.publicSnapshots.map(
        (id) =>
          `aws ec2 modify-snapshot-attribute --snapshot-id ${id} --attribute createVolumePermission --operation-type add --group-names all`,
      ),
    };
  },

  async apply(write, clients) {
    await Promise.all(write.snapshotIds.map((id) => setPublic(id, 'remove', clients)));
  },

  async verify(write, clients) {
    const still = (await publicSnapshots(clients)).filter((id) => write.snapshotIds.includes(id));
    return {
      confirmed: still.length === 0,
      detail:
        still.length === 0
          ? `snapshots ${write.snapshotIds.join(', ')} are private`
          : `still public: ${still.join(', ')}`,
    };
  },

  releasePermissions: [
    { action: 'ec2:DescribeSnapshots', resource: 'unscoped', write: false },
    { action: 'ec2:ModifySnapshotAttribute', resource: 'ec2', write: true },
  ],

  async release(applied, clients) {
    const current = await publicSnapshots(clients);
    const missing = applied.write.snapshotIds.filter((id) => !current.includes(id));
    if (missing.length === 0) return { status: 'already-restored', summary: 'The snapshots are public again' };
    await Promise.all(missing.map((id) => setPublic(id, 'add', clients)));
    return { status: 'restored', summary: `Snapshots ${missing.join(', ')} are public again` };
  },
};
