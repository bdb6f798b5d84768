import { AuthorizeSecurityGroupIngressCommand, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import type { SecurityGroupRule } from '../model/resource';
import { awsCall } from '../aws/aws-call-error';
import { groupOf, readRules } from './support/group-of';
import { GROUP_ROLE_TAG } from './support/security-groups';
import {
  coversPort,
  describeRule,
  isOpenToWorld,
  opensBeyond,
  permissionOf,
  sameRule,
} from './support/security-group-rules';
import { shellQuote } from './support/shell-quote';

const port = z.number().check(z.int(), z.minimum(0), z.maximum(65535));

const params = z
  .strictObject({
    /** Revoke world-open rules that let in any of these TCP ports (restricted-ssh: 22; restricted-common-ports). */
    blockedTcpPorts: z.optional(z.array(port).check(z.minLength(1))),
    /** Or: revoke world-open rules that let in anything beyond these ports (vpc-sg-open-only-to-authorized-ports). */
    authorizedTcpPorts: z.optional(z.array(port)),
    authorizedUdpPorts: z.optional(z.array(port)),
  })
  .check(
    z.refine(
      (value) =>
        (value.blockedTcpPorts !== undefined) !==
        (value.authorizedTcpPorts !== undefined || value.authorizedUdpPorts !== undefined),
      {
        message: 'expected either blockedTcpPorts, or authorizedTcpPorts / authorizedUdpPorts',
      },
    ),
  );

type Params = z.infer<typeof params>;

interface State {
  readonly groupId: string;
  readonly ingress: readonly SecurityGroupRule[];
  readonly assumed: boolean;
}

interface Write {
  readonly groupId: string;
  readonly rules: readonly SecurityGroupRule[];
}

function flagged(rule: SecurityGroupRule, stepParams: Params): boolean {
  if (!isOpenToWorld(rule)) return false;
  if (stepParams.blockedTcpPorts) return stepParams.blockedTcpPorts.some((blocked) => coversPort(rule, 'tcp', blocked));
  return opensBeyond(rule, stepParams.authorizedTcpPorts ?? [], stepParams.authorizedUdpPorts ?? []);
}

function criterion(stepParams: Params): string {
  return stepParams.blockedTcpPorts
    ? `open to 0.0.0.0/0 or ::/0 on TCP ${stepParams.blockedTcpPorts.join(', ')}`
    : `open to 0.0.0.0/0 or ::/0 beyond the authorized ports (TCP ${(stepParams.authorizedTcpPorts ?? []).join(', ') || 'none'}, ` +
        `UDP ${(stepParams.authorizedUdpPorts ?? []).join(', ') || 'none'})`;
}

/** Revokes only the ingress rules that open the flagged ports to the whole internet; every other rule stays. */
export const ec2RevokeOpenIngress: Action<Params, State, Write> = {
  id: 'ec2-revoke-open-ingress',
  title: 'Revoke ingress rules open to the internet',
  containment: true,
  appliesTo: (subject) => subject.kind === 'security-group',
  permissions: [
    { action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false },
    { action: 'ec2:RevokeSecurityGroupIngress', resource: 'ec2', write: true },
  ],
  params,

  // The rules came with DescribeSecurityGroups moments ago.
  async describe(target) {
    const group = groupOf(target, 'ec2-revoke-open-ingress');
    return { groupId: group.groupId, ingress: group.ingress, assumed: false };
  },

  assume(target) {
    const group = groupOf(target, 'ec2-revoke-open-ingress');
    return { groupId: group.groupId, ingress: [], assumed: true };
  },

  plan(target, state, stepParams) {
    if (state.assumed) {
      return {
        kind: 'write',
        summary: `Revoke the ingress rules of ${state.groupId} ${criterion(stepParams)} (the rules are read from AWS at run time)`,
        write: { groupId: state.groupId, rules: [] },
        replaced: 'read from AWS at run time',
        release: [],
      };
    }
    if (groupOf(target, 'ec2-revoke-open-ingress').tags[GROUP_ROLE_TAG]) {
      return {
        kind: 'skip',
        summary: `${state.groupId} is one of Firebreak's own quarantine or transition groups: left as it is`,
        manualSteps: [],
      };
    }
    const rules = state.ingress.filter((rule) => flagged(rule, stepParams));
    if (rules.length === 0)
      return { kind: 'no-op', summary: `Security group ${state.groupId} has no ingress rule ${criterion(stepParams)}` };
    const kept = state.ingress.length - rules.length;
    return {
      kind: 'write',
      summary:
        `Revoke ${rules.length} ingress rule(s) of ${state.groupId} ${criterion(stepParams)}: ` +
        `${rules.map(describeRule).join('; ')}; ${kept} other rule(s) kept`,
      write: { groupId: state.groupId, rules },
      replaced: { rules },
      release: [
        `aws ec2 authorize-security-group-ingress --group-id ${state.groupId} --ip-permissions ${shellQuote(JSON.stringify(rules.map(permissionOf)))}`,
      ],
    };
  },

  async apply(write, clients) {
    await awsCall('ec2:RevokeSecurityGroupIngress', `group ${write.groupId}`, () =>
      clients.ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: write.groupId, IpPermissions: write.rules.map(permissionOf) }),
      ),
    );
  },

  async verify(write, clients) {
    const { ingress } = await readRules(write.groupId, clients);
    const remaining = write.rules.filter((rule) => ingress.some((current) => sameRule(current, rule)));
    return {
      confirmed: remaining.length === 0,
      detail:
        remaining.length === 0
          ? `${write.groupId} has ${ingress.length} ingress rule(s) left, none of them revoked ones`
          : `still present: ${remaining.map(describeRule).join('; ')}`,
    };
  },

  releasePermissions: [
    { action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false },
    { action: 'ec2:AuthorizeSecurityGroupIngress', resource: 'ec2', write: true },
  ],

  async release(applied, clients) {
    const { ingress } = await readRules(applied.write.groupId, clients);
    const missing = applied.write.rules.filter((rule) => !ingress.some((current) => sameRule(current, rule)));
    if (missing.length === 0)
      return { status: 'already-restored', summary: `${applied.write.groupId} already has its revoked rules back` };
    await awsCall('ec2:AuthorizeSecurityGroupIngress', `group ${applied.write.groupId}`, () =>
      clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: applied.write.groupId,
          IpPermissions: missing.map(permissionOf),
        }),
      ),
    );
    return {
      status: 'restored',
      summary: `${applied.write.groupId}: ${missing.map(describeRule).join('; ')} authorized again`,
    };
  },
};
