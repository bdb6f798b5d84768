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
import { ec2TagSecurityGroup } from './ec2-tag-security-group';

/**
 * Every action a playbook step can name, keyed by its own id. Imported statically so that the bundler keeps only the
 * SDK commands the actions use; a responder whose playbook has no EC2 step is bundled without the EC2 client
 * (lib/constructs/sdk-bundling.ts), and its EC2 actions load but are never run. Adding an action is its file and one
 * line here; the conformance tests loop over this list.
 */
const REGISTERED: readonly AnyAction[] = [
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
  ec2TagSecurityGroup,
];

function byId(actions: readonly AnyAction[]): ReadonlyMap<string, AnyAction> {
  const map = new Map<string, AnyAction>();
  for (const action of actions) {
    if (map.has(action.id)) throw new Error(`Two actions are registered with id ${action.id}`);
    map.set(action.id, action);
  }
  return map;
}

export const ACTIONS: ReadonlyMap<string, AnyAction> = byId(REGISTERED);

export function findAction(id: string): AnyAction | undefined {
  return ACTIONS.get(id);
}
