/* eslint-disable @typescript-eslint/no-require-imports -- each action loads on first use, so a responder loads only
   the AWS clients its own playbook needs (the EC2 client alone is about 1.4 MB and a quarter second of cold start) */
import type { AnyAction } from './action';

type Loader = () => AnyAction;

const LOADERS: Readonly<Record<string, Loader>> = {
  'iam-deactivate-access-key': () => (require('../actions/iam-deactivate-access-key') as { iamDeactivateAccessKey: AnyAction }).iamDeactivateAccessKey,
  'iam-revoke-user-sessions': () => (require('../actions/iam-revoke-user-sessions') as { iamRevokeUserSessions: AnyAction }).iamRevokeUserSessions,
  'iam-revoke-role-sessions': () => (require('../actions/iam-revoke-role-sessions') as { iamRevokeRoleSessions: AnyAction }).iamRevokeRoleSessions,
  'iam-tag-principal': () => (require('../actions/iam-tag-principal') as { iamTagPrincipal: AnyAction }).iamTagPrincipal,
  'ec2-record-instance-state': () => (require('../actions/ec2-record-instance-state') as { ec2RecordInstanceState: AnyAction }).ec2RecordInstanceState,
  'ec2-protect-evidence': () => (require('../actions/ec2-protect-evidence') as { ec2ProtectEvidence: AnyAction }).ec2ProtectEvidence,
  'autoscaling-enter-standby': () => (require('../actions/autoscaling-enter-standby') as { autoscalingEnterStandby: AnyAction }).autoscalingEnterStandby,
  'ec2-isolate-network': () => (require('../actions/ec2-isolate-network') as { ec2IsolateNetwork: AnyAction }).ec2IsolateNetwork,
  'ec2-revoke-instance-credentials': () => (require('../actions/ec2-revoke-instance-credentials') as { ec2RevokeInstanceCredentials: AnyAction }).ec2RevokeInstanceCredentials,
  'ec2-snapshot-volumes': () => (require('../actions/ec2-snapshot-volumes') as { ec2SnapshotVolumes: AnyAction }).ec2SnapshotVolumes,
  'ec2-tag-instance': () => (require('../actions/ec2-tag-instance') as { ec2TagInstance: AnyAction }).ec2TagInstance,
  'ec2-revoke-open-ingress': () => (require('../actions/ec2-revoke-open-ingress') as { ec2RevokeOpenIngress: AnyAction }).ec2RevokeOpenIngress,
  'ec2-close-default-security-group': () => (require('../actions/ec2-close-default-security-group') as { ec2CloseDefaultSecurityGroup: AnyAction }).ec2CloseDefaultSecurityGroup,
  'iam-deactivate-stale-keys': () => (require('../actions/iam-deactivate-stale-keys') as { iamDeactivateStaleKeys: AnyAction }).iamDeactivateStaleKeys,
  'ec2-make-snapshots-private': () => (require('../actions/ec2-make-snapshots-private') as { ec2MakeSnapshotsPrivate: AnyAction }).ec2MakeSnapshotsPrivate,
};

const loaded = new Map<string, AnyAction>();

export function findAction(id: string): AnyAction | undefined {
  const cached = loaded.get(id);
  if (cached) return cached;
  const load = Object.prototype.hasOwnProperty.call(LOADERS, id) ? LOADERS[id] : undefined;
  if (!load) return undefined;
  const action = load();
  loaded.set(id, action);
  return action;
}

/** Every action a playbook step can name, by id: the ids are known at once, an action loads when it is read. */
class LazyActionMap implements ReadonlyMap<string, AnyAction> {
  get size(): number {
    return Object.keys(LOADERS).length;
  }

  get(id: string): AnyAction | undefined {
    return findAction(id);
  }

  has(id: string): boolean {
    return Object.prototype.hasOwnProperty.call(LOADERS, id);
  }

  keys(): MapIterator<string> {
    return Object.keys(LOADERS)[Symbol.iterator]() as MapIterator<string>;
  }

  values(): MapIterator<AnyAction> {
    return Object.keys(LOADERS).map((id) => findAction(id)!)[Symbol.iterator]() as MapIterator<AnyAction>;
  }

  entries(): MapIterator<[string, AnyAction]> {
    return Object.keys(LOADERS).map((id): [string, AnyAction] => [id, findAction(id)!])[Symbol.iterator]() as MapIterator<[string, AnyAction]>;
  }

  forEach(callback: (value: AnyAction, key: string, map: ReadonlyMap<string, AnyAction>) => void): void {
    for (const [id, action] of this.entries()) callback(action, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, AnyAction]> {
    return this.entries();
  }
}

export const ACTIONS: ReadonlyMap<string, AnyAction> = new LazyActionMap();
