import type { SecurityGroup } from '@aws-sdk/client-ec2';
import { DescribeNetworkInterfacesCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import { instanceOf } from './support/instance-of';
import {
  clearRules,
  completeTransitionGroup,
  createGroup,
  describeGroups,
  readFirebreakGroups,
  isCompleteTransition,
  ruleCount,
  type VpcGroups,
} from './support/security-groups';

const params = z.strictObject({
  /**
   * true (default): the two-step swap. Each interface first gets an all-traffic group (flows become untracked), then
   * the quarantine group, so established connections drop at once. false: one swap; tracked connections live on.
   */
  cutTrackedConnections: z._default(z.boolean(), true),
  /** Attempts of each swap before falling back (on top of the SDK's own retries). */
  attempts: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(5)), 3),
});

type Params = z.infer<typeof params>;

interface InterfaceToIsolate {
  readonly networkInterfaceId: string;
  readonly vpcId: string;
  readonly original: readonly string[];
}

interface State {
  readonly instanceId: string;
  readonly interfaces: readonly {
    readonly networkInterfaceId: string;
    readonly vpcId: string;
    readonly groupIds: readonly string[];
  }[];
  /** null in simulate: the groups are found or created at run time. */
  readonly groups: Record<string, VpcGroups> | null;
  /** Rules found on existing quarantine groups, by group id: a quarantine group should have none. */
  readonly quarantineRules: Record<string, number>;
  /** Existing transition groups that lost their all-traffic rules. */
  readonly incompleteTransitions?: readonly string[];
  /**
   * Quarantine groups whose only rule is the allow-all egress every new group starts with: a concurrent invocation
   * just created the group and is emptying it. Emptied all the same, but nobody needs to be asked about it.
   */
  readonly newlyCreated?: readonly string[];
}

interface Write {
  readonly instanceId: string;
  readonly interfaces: readonly InterfaceToIsolate[];
  /** Known group ids by VPC; a missing one is created by apply. */
  readonly groups: Record<string, VpcGroups>;
  readonly cutTrackedConnections: boolean;
  readonly attempts: number;
  /** Existing quarantine groups with rules in them: emptied before anything is attached to them. */
  readonly clearQuarantine?: readonly string[];
  /** Existing transition groups whose all-traffic rules are put back before use. */
  readonly completeTransitions?: readonly string[];
}

type InterfaceResult =
  | { readonly eni: InterfaceToIsolate; readonly state: 'quarantined' }
  | { readonly eni: InterfaceToIsolate; readonly state: 'original'; readonly error: string }
  | {
      readonly eni: InterfaceToIsolate;
      readonly state: 'all-traffic-attached';
      readonly transition: string;
      readonly error: string;
    };

/** Raised when an interface did not end on its quarantine group; the message says where each interface stands. */
export class IsolationIncompleteError extends Error {
  override readonly name = 'IsolationIncompleteError';
}

async function swap(networkInterfaceId: string, groups: readonly string[], clients: AwsClients): Promise<void> {
  await awsCall(
    'ec2:ModifyNetworkInterfaceAttribute',
    `interface ${networkInterfaceId} -> [${groups.join(', ')}]`,
    () =>
      clients.ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: networkInterfaceId, Groups: [...groups] }),
      ),
  );
}

async function attempt(times: number, call: () => Promise<void>): Promise<string | undefined> {
  let last = '';
  for (let index = 0; index < times; index += 1) {
    try {
      await call();
      return undefined;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
  }
  return last;
}

/**
 * One interface: (all-traffic group, then) the quarantine group. The all-traffic group must never stay attached:
 * if the second swap keeps failing, the interface goes back to its original groups, and failure is reported.
 */
async function isolateInterface(
  eni: InterfaceToIsolate,
  groups: VpcGroups,
  write: Write,
  clients: AwsClients,
): Promise<InterfaceResult> {
  const quarantine = groups.quarantine!;
  if (write.cutTrackedConnections) {
    const transition = groups.transition!;
    const first = await attempt(1, () => swap(eni.networkInterfaceId, [transition], clients));
    if (first !== undefined) {
      // The swap may have taken even though the call failed (a timeout): put the original groups back to be sure.
      const restore = await attempt(write.attempts, () =>
        swap(eni.networkInterfaceId, eni.original.length > 0 ? eni.original : [quarantine], clients),
      );
      if (restore !== undefined)
        return {
          eni,
          state: 'all-traffic-attached',
          transition,
          error: `${first}; restoring the original groups failed: ${restore}`,
        };
      return { eni, state: 'original', error: first };
    }
  }
  const second = await attempt(write.attempts, () => swap(eni.networkInterfaceId, [quarantine], clients));
  if (second === undefined) return { eni, state: 'quarantined' };
  if (!write.cutTrackedConnections) return { eni, state: 'original', error: second };
  // An interface found mid-swap has no original groups of its own left: the quarantine group is its safe place.
  const fallback = eni.original.length > 0 ? eni.original : [quarantine];
  const rollback = await attempt(write.attempts, () => swap(eni.networkInterfaceId, fallback, clients));
  if (rollback === undefined) return { eni, state: 'original', error: second };
  return {
    eni,
    state: 'all-traffic-attached',
    transition: groups.transition!,
    error: `${second}; restoring the original groups failed: ${rollback}`,
  };
}

function describeResult(result: InterfaceResult, groups: Record<string, VpcGroups>): string {
  const { networkInterfaceId, original } = result.eni;
  switch (result.state) {
    case 'quarantined':
      return `${networkInterfaceId}: quarantined on ${groups[result.eni.vpcId]?.quarantine}`;
    case 'original':
      return `${networkInterfaceId}: NOT ISOLATED, still on its original groups [${original.join(', ')}] (${result.error})`;
    case 'all-traffic-attached':
      return (
        `${networkInterfaceId}: THE ALL-TRAFFIC GROUP ${result.transition} MAY STILL BE ATTACHED, replace it now: aws ec2 ` +
        `modify-network-interface-attribute --network-interface-id ${networkInterfaceId} --groups ${groups[result.eni.vpcId]?.quarantine} (${result.error})`
      );
  }
}

/**
 * Moves every attached interface (not only the primary: ModifyInstanceAttribute --groups fails on multi-interface
 * instances) onto the quarantine group of its own VPC, found by tag or created with no rules at all. Security groups
 * cannot cut ICMP, nor flows through a NAT gateway, Network or Gateway Load Balancer, Transit Gateway or Network
 * Firewall endpoint, which stay tracked: the message tells the responder to add a network ACL where those matter.
 */
export const ec2IsolateNetwork: Action<Params, State, Write> = {
  id: 'ec2-isolate-network',
  title: 'Isolate every network interface on a quarantine security group',
  containment: true,
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false },
    { action: 'ec2:DescribeNetworkInterfaces', resource: 'unscoped', write: false },
    { action: 'ec2:CreateSecurityGroup', resource: 'ec2', write: true },
    { action: 'ec2:CreateTags', resource: 'ec2', write: true, authorizationOnly: true },
    { action: 'ec2:RevokeSecurityGroupEgress', resource: 'ec2', write: true },
    // Only to empty a quarantine group someone put rules in.
    { action: 'ec2:RevokeSecurityGroupIngress', resource: 'ec2', write: true, authorizationOnly: true },
    { action: 'ec2:AuthorizeSecurityGroupIngress', resource: 'ec2', write: true },
    { action: 'ec2:AuthorizeSecurityGroupEgress', resource: 'ec2', write: true },
    { action: 'ec2:ModifyNetworkInterfaceAttribute', resource: 'ec2', write: true },
  ],
  params,

  async describe(target, _params, clients) {
    const instance = instanceOf(target, 'ec2-isolate-network');
    // One call finds the groups by tag and returns their rules.
    const { groups, described } = await readFirebreakGroups(
      [...new Set(instance.interfaces.map((eni) => eni.vpcId))],
      clients,
    );
    const quarantineIds = Object.values(groups).flatMap((vpc) => (vpc.quarantine ? [vpc.quarantine] : []));
    const transitionIds = Object.values(groups).flatMap((vpc) => (vpc.transition ? [vpc.transition] : []));
    const quarantineRules = Object.fromEntries(
      described
        .filter((group) => quarantineIds.includes(group.GroupId ?? ''))
        .map((group) => [group.GroupId ?? '', ruleCount(group)]),
    );
    const incompleteTransitions = described
      .filter((group) => transitionIds.includes(group.GroupId ?? '') && !isCompleteTransition(group))
      .map((group) => group.GroupId ?? '');
    const newlyCreated = described
      .filter((group) => quarantineIds.includes(group.GroupId ?? '') && hasOnlyDefaultEgress(group))
      .map((group) => group.GroupId ?? '');
    return {
      instanceId: instance.instanceId,
      interfaces: instance.interfaces,
      groups,
      quarantineRules,
      incompleteTransitions,
      ...(newlyCreated.length ? { newlyCreated } : {}),
    };
  },

  assume(target) {
    const instance = instanceOf(target, 'ec2-isolate-network');
    return { instanceId: instance.instanceId, interfaces: instance.interfaces, groups: null, quarantineRules: {} };
  },

  plan(_target, state, stepParams) {
    const groups = state.groups ?? {};
    const own = new Set(
      Object.values(groups)
        .flatMap((vpc) => [vpc.quarantine, vpc.transition])
        .filter((id): id is string => Boolean(id)),
    );
    const toIsolate = state.interfaces
      .filter((eni) => !(eni.groupIds.length === 1 && eni.groupIds[0] === groups[eni.vpcId]?.quarantine))
      .map((eni) => ({
        networkInterfaceId: eni.networkInterfaceId,
        vpcId: eni.vpcId,
        original: eni.groupIds.filter((group) => !own.has(group)),
      }));
    const dirty = Object.entries(state.quarantineRules).filter(([, rules]) => rules > 0);
    const manualSteps = dirty
      .filter(([groupId]) => !state.newlyCreated?.includes(groupId))
      .map(
        ([groupId, rules]) =>
          `Quarantine group ${groupId} had ${rules} rule(s), which Firebreak removes before use: check who added them.`,
      );
    if (state.interfaces.length === 0) {
      return {
        kind: 'skip',
        summary:
          `Instance ${state.instanceId} has no network interface to ` +
          `isolate${state.groups === null ? ' in the finding (interfaces are read from AWS at run time)' : ''}`,
        manualSteps,
      };
    }
    if (toIsolate.length === 0 && dirty.length === 0) {
      return {
        kind: 'no-op',
        summary: `Every interface of ${state.instanceId} is already on its VPC's quarantine group`,
        manualSteps,
      };
    }
    const target = (vpcId: string) => groups[vpcId]?.quarantine ?? `a new quarantine group in ${vpcId}`;
    const interfaces = toIsolate
      .map((eni) => `${eni.networkInterfaceId} (${eni.vpcId}) [${eni.original.join(', ')}] -> ${target(eni.vpcId)}`)
      .join('; ');
    return {
      kind: 'write',
      summary:
        `Isolate ${toIsolate.length} interface(s) of ${state.instanceId}: ` +
        `${interfaces}${stepParams.cutTrackedConnections ? ', through an all-traffic group first so established connections drop' : ''}`,
      write: {
        instanceId: state.instanceId,
        interfaces: toIsolate,
        groups,
        cutTrackedConnections: stepParams.cutTrackedConnections,
        attempts: stepParams.attempts,
        ...(dirty.length ? { clearQuarantine: dirty.map(([groupId]) => groupId) } : {}),
        ...(state.incompleteTransitions?.length && stepParams.cutTrackedConnections
          ? { completeTransitions: state.incompleteTransitions }
          : {}),
      },
      replaced: { interfaces: Object.fromEntries(toIsolate.map((eni) => [eni.networkInterfaceId, eni.original])) },
      release: toIsolate.map(
        (eni) =>
          `aws ec2 modify-network-interface-attribute --network-interface-id ${eni.networkInterfaceId} --groups ${eni.original.join(' ')}`,
      ),
      manualSteps,
    };
  },

  async apply(write, clients) {
    const vpcs = [...new Set(write.interfaces.map((eni) => eni.vpcId))];
    const groups: Record<string, VpcGroups> = {};
    await Promise.all(
      vpcs.map(async (vpcId) => {
        const known = write.groups[vpcId] ?? {};
        const [quarantine, transition] = await Promise.all([
          known.quarantine ?? createGroup('quarantine', vpcId, clients),
          write.cutTrackedConnections
            ? (known.transition ?? createGroup('all-traffic-transition', vpcId, clients))
            : undefined,
        ]);
        groups[vpcId] = { quarantine, ...(transition ? { transition } : {}) };
      }),
    );
    await Promise.all([
      ...(write.clearQuarantine ?? []).map((groupId) => clearRules(groupId, clients)),
      ...(write.completeTransitions ?? []).map((groupId) => completeTransitionGroup(groupId, clients)),
    ]);
    const completed: Write = { ...write, groups: { ...write.groups, ...groups } };
    const results = await Promise.all(
      write.interfaces.map((eni) => isolateInterface(eni, completed.groups[eni.vpcId]!, completed, clients)),
    );
    if (results.some((result) => result.state !== 'quarantined')) {
      throw new IsolationIncompleteError(
        `Isolation of ${write.instanceId} is incomplete: ${results.map((result) => describeResult(result, completed.groups)).join('; ')}`,
      );
    }
    return completed;
  },

  async verify(write, clients) {
    const response = await awsCall('ec2:DescribeNetworkInterfaces', `instance ${write.instanceId}`, () =>
      clients.ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: write.interfaces.map((eni) => eni.networkInterfaceId),
        }),
      ),
    );
    const quarantineIds = [
      ...new Set(Object.values(write.groups).flatMap((vpc) => (vpc.quarantine ? [vpc.quarantine] : []))),
    ];
    const rules = Object.fromEntries(
      (await describeGroups(quarantineIds, clients)).map((group) => [group.GroupId ?? '', ruleCount(group)]),
    );
    const lines = write.interfaces.map((eni) => {
      const found = response.NetworkInterfaces?.find(
        (candidate) => candidate.NetworkInterfaceId === eni.networkInterfaceId,
      );
      const groups = (found?.Groups ?? []).map((group) => group.GroupId ?? '');
      const quarantine = write.groups[eni.vpcId]?.quarantine;
      const ok = quarantine !== undefined && groups.length === 1 && groups[0] === quarantine && rules[quarantine] === 0;
      return {
        ok,
        text: `${eni.networkInterfaceId} on [${groups.join(', ')}]${ok ? ' (quarantine, no rules)' : ` (expected only ${quarantine} with no rules)`}`,
      };
    });
    return { confirmed: lines.every((line) => line.ok), detail: lines.map((line) => line.text).join('; ') };
  },

  releasePermissions: [
    { action: 'ec2:DescribeNetworkInterfaces', resource: 'unscoped', write: false },
    { action: 'ec2:ModifyNetworkInterfaceAttribute', resource: 'ec2', write: true },
  ],

  async release(applied, clients) {
    // The groups to restore come from `replaced`: the state before Firebreak's first attempt, even when a retry's
    // write saw an interface already moved (mid-swap). Firebreak's own groups are never restored to.
    const recorded = (applied.replaced as { interfaces?: Record<string, string[]> } | null)?.interfaces ?? {};
    const ownGroups = new Set(
      Object.values(applied.write.groups)
        .flatMap((vpc) => [vpc.quarantine, vpc.transition])
        .filter((id): id is string => Boolean(id)),
    );
    const write = {
      ...applied.write,
      interfaces: applied.write.interfaces.map((eni) => ({
        ...eni,
        original: (recorded[eni.networkInterfaceId] ?? eni.original).filter((group) => !ownGroups.has(group)),
      })),
    };
    const response = await awsCall('ec2:DescribeNetworkInterfaces', `instance ${write.instanceId}`, () =>
      clients.ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: write.interfaces.map((eni) => eni.networkInterfaceId),
        }),
      ),
    );
    const results = await Promise.all(
      write.interfaces.map(async (eni) => {
        const current = (
          response.NetworkInterfaces?.find((candidate) => candidate.NetworkInterfaceId === eni.networkInterfaceId)
            ?.Groups ?? []
        ).map((group) => group.GroupId ?? '');
        const firebreak = [write.groups[eni.vpcId]?.quarantine, write.groups[eni.vpcId]?.transition].filter(Boolean);
        if (current.length === eni.original.length && current.every((group) => eni.original.includes(group)))
          return { eni, status: 'already-restored' as const };
        if (!current.every((group) => firebreak.includes(group)) || eni.original.length === 0)
          return { eni, status: 'kept' as const, current };
        await swap(eni.networkInterfaceId, eni.original, clients);
        return { eni, status: 'restored' as const };
      }),
    );
    const restored = results.filter((result) => result.status === 'restored');
    const kept = results.filter((result) => result.status === 'kept');
    const parts = [
      restored.length > 0
        ? `restored ${restored.map((result) => `${result.eni.networkInterfaceId} -> [${result.eni.original.join(', ')}]`).join(', ')}`
        : '',
      kept.length > 0
        ? `left ${kept.map((result) => result.eni.networkInterfaceId).join(', ')} as changed since isolation`
        : '',
    ].filter(Boolean);
    if (restored.length === 0 && kept.length === 0)
      return {
        status: 'already-restored',
        summary: `Every interface of ${write.instanceId} is on its original groups`,
      };
    return {
      status: restored.length > 0 ? 'restored' : 'kept',
      summary: `Interfaces of ${write.instanceId}: ${parts.join('; ')}`,
    };
  },
};

/** Only the allow-all IPv4 egress a new security group is created with, and no ingress. */
function hasOnlyDefaultEgress(group: SecurityGroup): boolean {
  const egress = group.IpPermissionsEgress ?? [];
  const [only] = egress;
  return (
    (group.IpPermissions ?? []).length === 0 &&
    egress.length === 1 &&
    only?.IpProtocol === '-1' &&
    only.IpRanges?.length === 1 &&
    only.IpRanges[0]?.CidrIp === '0.0.0.0/0' &&
    !only.Ipv6Ranges?.length &&
    !only.UserIdGroupPairs?.length &&
    !only.PrefixListIds?.length
  );
}
