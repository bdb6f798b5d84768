import { autoscalingEnterStandby } from '../actions/autoscaling-enter-standby';
import { ec2CloseDefaultSecurityGroup } from '../actions/ec2-close-default-security-group';
import { ec2IsolateNetwork } from '../actions/ec2-isolate-network';
import { ec2MakeSnapshotsPrivate } from '../actions/ec2-make-snapshots-private';
import { ec2ProtectEvidence } from '../actions/ec2-protect-evidence';
import { ec2RecordInstanceState } from '../actions/ec2-record-instance-state';
import { ec2RevokeInstanceCredentials } from '../actions/ec2-revoke-instance-credentials';
import { ec2RevokeOpenIngress } from '../actions/ec2-revoke-open-ingress';
import { ec2SnapshotVolumes } from '../actions/ec2-snapshot-volumes';
import { ec2TagInstance } from '../actions/ec2-tag-instance';
import { iamDeactivateAccessKey } from '../actions/iam-deactivate-access-key';
import { iamDeactivateStaleKeys } from '../actions/iam-deactivate-stale-keys';
import { iamRevokeRoleSessions } from '../actions/iam-revoke-role-sessions';
import { iamRevokeUserSessions } from '../actions/iam-revoke-user-sessions';
import { iamTagPrincipal } from '../actions/iam-tag-principal';
import type { AnyAction } from './action';

/** Every action a playbook step can name, by id. */
export const ACTIONS: ReadonlyMap<string, AnyAction> = new Map(
  [
    iamDeactivateAccessKey,
    iamRevokeUserSessions,
    iamRevokeRoleSessions,
    iamTagPrincipal,
    ec2RecordInstanceState,
    ec2ProtectEvidence,
    autoscalingEnterStandby,
    ec2IsolateNetwork,
    ec2RevokeInstanceCredentials,
    ec2SnapshotVolumes,
    ec2TagInstance,
    ec2RevokeOpenIngress,
    ec2CloseDefaultSecurityGroup,
    iamDeactivateStaleKeys,
    ec2MakeSnapshotsPrivate,
  ].map((action) => [action.id, action as AnyAction]),
);

export function findAction(id: string): AnyAction | undefined {
  return ACTIONS.get(id);
}
