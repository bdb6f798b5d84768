import type { AnyAction } from '../model/action';
import { iamDeactivateAccessKey } from './iam-deactivate-access-key';
import { iamRevokeUserSessions } from './iam-revoke-user-sessions';
import { iamRevokeRoleSessions } from './iam-revoke-role-sessions';
import { iamTagPrincipal } from './iam-tag-principal';
import { ec2RecordInstanceState } from './ec2-record-instance-state';
import { ec2ProtectEvidence } from './ec2-protect-evidence';
import { autoscalingEnterStandby } from './autoscaling-enter-standby';
import { ec2IsolateNetwork } from './ec2-isolate-network';
import { ec2RevokeInstanceCredentials } from './ec2-revoke-instance-credentials';
import { ec2SnapshotVolumes } from './ec2-snapshot-volumes';
import { ec2TagInstance } from './ec2-tag-instance';
import { ec2RevokeOpenIngress } from './ec2-revoke-open-ingress';
import { ec2CloseDefaultSecurityGroup } from './ec2-close-default-security-group';
import { iamDeactivateStaleKeys } from './iam-deactivate-stale-keys';
import { ec2MakeSnapshotsPrivate } from './ec2-make-snapshots-private';

/**
 * Every action a playbook step can name, by id. Imported statically so that the bundler keeps only the SDK commands
 * the actions use; a responder whose playbook has no EC2 step is bundled without the EC2 client (lib/sdk-bundling.ts),
 * and its EC2 actions load but are never run.
 */
const ACTION_LIST: Readonly<Record<string, AnyAction>> = {
  'iam-deactivate-access-key': iamDeactivateAccessKey as AnyAction,
  'iam-revoke-user-sessions': iamRevokeUserSessions as AnyAction,
  'iam-revoke-role-sessions': iamRevokeRoleSessions as AnyAction,
  'iam-tag-principal': iamTagPrincipal as AnyAction,
  'ec2-record-instance-state': ec2RecordInstanceState as AnyAction,
  'ec2-protect-evidence': ec2ProtectEvidence as AnyAction,
  'autoscaling-enter-standby': autoscalingEnterStandby as AnyAction,
  'ec2-isolate-network': ec2IsolateNetwork as AnyAction,
  'ec2-revoke-instance-credentials': ec2RevokeInstanceCredentials as AnyAction,
  'ec2-snapshot-volumes': ec2SnapshotVolumes as AnyAction,
  'ec2-tag-instance': ec2TagInstance as AnyAction,
  'ec2-revoke-open-ingress': ec2RevokeOpenIngress as AnyAction,
  'ec2-close-default-security-group': ec2CloseDefaultSecurityGroup as AnyAction,
  'iam-deactivate-stale-keys': iamDeactivateStaleKeys as AnyAction,
  'ec2-make-snapshots-private': ec2MakeSnapshotsPrivate as AnyAction,
};

export function findAction(id: string): AnyAction | undefined {
  return Object.prototype.hasOwnProperty.call(ACTION_LIST, id) ? ACTION_LIST[id] : undefined;
}

export const ACTIONS: ReadonlyMap<string, AnyAction> = new Map(Object.entries(ACTION_LIST));
