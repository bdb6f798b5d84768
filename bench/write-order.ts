import type { RecordedCall } from './simulated-aws';

export type WriteKind = 'containment' | 'evidence' | 'tag';

/**
 * What each write to the finding's account does: containment cuts the attacker off (network, credentials, sessions,
 * keys, open rules, public snapshots; Standby and the quarantine groups' own setup are part of isolation); evidence
 * keeps what would otherwise be lost (snapshots, termination and stop protection, shutdown behaviour,
 * DeleteOnTermination); tags mark what was done.
 */
const KINDS: Readonly<Record<string, WriteKind>> = {
  ModifyNetworkInterfaceAttribute: 'containment',
  CreateSecurityGroup: 'containment',
  AuthorizeSecurityGroupEgress: 'containment',
  AuthorizeSecurityGroupIngress: 'containment',
  RevokeSecurityGroupEgress: 'containment',
  RevokeSecurityGroupIngress: 'containment',
  EnterStandby: 'containment',
  DisassociateIamInstanceProfile: 'containment',
  ReplaceIamInstanceProfileAssociation: 'containment',
  PutRolePolicy: 'containment',
  PutUserPolicy: 'containment',
  UpdateAccessKey: 'containment',
  DeleteLoginProfile: 'containment',
  ModifySnapshotAttribute: 'containment',
  CreateSnapshots: 'evidence',
  CreateSnapshot: 'evidence',
  ModifyInstanceAttribute: 'evidence',
  CreateTags: 'tag',
  TagUser: 'tag',
  TagRole: 'tag',
  TagInstanceProfile: 'tag',
};

const TARGET_SERVICES = new Set(['ec2', 'iam', 'autoScaling']);

export function writeKindOf(call: Pick<RecordedCall, 'service' | 'operation'>): WriteKind | undefined {
  return TARGET_SERVICES.has(call.service) ? KINDS[call.operation] : undefined;
}

export interface OrderCheck {
  /** Evidence and tag writes sent before the incident's last containment write had been answered. */
  readonly violations: number;
  readonly incidentsWithViolations: number;
  /** Incidents that made at least one containment write (the ones the check applies to). */
  readonly incidentsChecked: number;
}

/**
 * Containment writes go before evidence and tag writes: per incident (the calls' tag), every evidence or tag write
 * whose first attempt was sent before the last successful containment write was answered is a violation. A write
 * retried in a later delivery counts with the delivery that sent it.
 */
export function checkWriteOrder(calls: readonly RecordedCall[]): OrderCheck {
  const byIncident = new Map<string, RecordedCall[]>();
  for (const call of calls) {
    if (call.tag === undefined || writeKindOf(call) === undefined) continue;
    byIncident.set(call.tag, [...(byIncident.get(call.tag) ?? []), call]);
  }
  let violations = 0;
  let incidentsWithViolations = 0;
  let incidentsChecked = 0;
  for (const writes of byIncident.values()) {
    const containment = writes.filter((call) => writeKindOf(call) === 'containment' && call.error === undefined);
    if (containment.length === 0) continue;
    incidentsChecked += 1;
    const contained = Math.max(...containment.map((call) => call.answeredAt));
    const early = writes.filter((call) => writeKindOf(call) !== 'containment' && call.sentAt < contained).length;
    violations += early;
    if (early > 0) incidentsWithViolations += 1;
  }
  return { violations, incidentsWithViolations, incidentsChecked };
}
