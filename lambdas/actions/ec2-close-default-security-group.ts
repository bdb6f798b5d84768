import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import * as z from 'zod/mini';
import type { Action } from '../model/action';
import type { SecurityGroupRule } from '../model/resource';
import { awsCall } from '../aws/aws-call-error';
import { groupOf, readRules } from './support/group-of';
import { GROUP_ROLE_TAG } from './support/security-groups';
import { describeRule, permissionOf, sameRule } from './support/security-group-rules';

interface State {
  readonly groupId: string;
  readonly groupName: string;
  readonly ingress: readonly SecurityGroupRule[];
  readonly egress: readonly SecurityGroupRule[];
  readonly assumed: boolean;
}

interface Write {
  readonly groupId: string;
  readonly ingress: readonly SecurityGroupRule[];
  readonly egress: readonly SecurityGroupRule[];
}

/**
 * Revokes every rule of a VPC's default security group (CIS: the default group restricts all traffic). Resources
 * that rely on it lose that traffic: the message lists the rules, and release authorizes them again.
 */
export const ec2CloseDefaultSecurityGroup: Action<Record<string, never>, State, Write> = {
  id: 'ec2-close-default-security-group',
  title: 'Close the default security group',
  containment: true,
  appliesTo: (subject) => subject.kind === 'security-group',
  permissions: [
    { action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false },
    { action: 'ec2:RevokeSecurityGroupIngress', resource: 'ec2', write: true },
    { action: 'ec2:RevokeSecurityGroupEgress', resource: 'ec2', write: true },
  ],
  params: z.strictObject({}),

  async describe(target) {
    const group = groupOf(target, 'ec2-close-default-security-group');
    return {
      groupId: group.groupId,
      groupName: group.groupName,
      ingress: group.ingress,
      egress: group.egress,
      assumed: false,
    };
  },

  assume(target) {
    const group = groupOf(target, 'ec2-close-default-security-group');
    return { groupId: group.groupId, groupName: 'default', ingress: [], egress: [], assumed: true };
  },

  plan(target, state) {
    if (state.assumed) {
      return {
        kind: 'write',
        summary: `Revoke every rule of default security group ${state.groupId} (the rules are read from AWS at run time)`,
        write: { groupId: state.groupId, ingress: [], egress: [] },
        replaced: 'read from AWS at run time',
        release: [],
      };
    }
    if (groupOf(target, 'ec2-close-default-security-group').tags[GROUP_ROLE_TAG]) {
      return {
        kind: 'skip',
        summary: `${state.groupId} is one of Firebreak's own groups: left as it is`,
        manualSteps: [],
      };
    }
    if (state.groupName !== 'default') {
      return {
        kind: 'skip',
        summary: `Security group ${state.groupId} is "${state.groupName}", not a VPC's default group: left as it is`,
        manualSteps: [`Check why Config rule vpc-default-security-group-closed evaluated ${state.groupId}.`],
      };
    }
    if (state.ingress.length + state.egress.length === 0)
      return { kind: 'no-op', summary: `Default security group ${state.groupId} has no rules` };
    return {
      kind: 'write',
      summary:
        `Revoke every rule of default security group ${state.groupId}: inbound ` +
        `${state.ingress.map(describeRule).join('; ') || 'none'}; outbound ${state.egress.map(describeRule).join('; ') || 'none'}`,
      write: { groupId: state.groupId, ingress: state.ingress, egress: state.egress },
      replaced: { ingress: state.ingress, egress: state.egress },
      release: [
        ...(state.ingress.length
          ? [
              `aws ec2 authorize-security-group-ingress --group-id ${state.groupId} --ip-permissions '${JSON.stringify(state.ingress.map(permissionOf))}'`,
            ]
          : []),
        ...(state.egress.length
          ? [
              `aws ec2 authorize-security-group-egress --group-id ${state.groupId} --ip-permissions '${JSON.stringify(state.egress.map(permissionOf))}'`,
            ]
          : []),
      ],
    };
  },

  async apply(write, clients) {
    await Promise.all([
      write.ingress.length
        ? awsCall('ec2:RevokeSecurityGroupIngress', `group ${write.groupId}`, () =>
            clients.ec2.send(
              new RevokeSecurityGroupIngressCommand({
                GroupId: write.groupId,
                IpPermissions: write.ingress.map(permissionOf),
              }),
            ),
          )
        : undefined,
      write.egress.length
        ? awsCall('ec2:RevokeSecurityGroupEgress', `group ${write.groupId}`, () =>
            clients.ec2.send(
              new RevokeSecurityGroupEgressCommand({
                GroupId: write.groupId,
                IpPermissions: write.egress.map(permissionOf),
              }),
            ),
          )
        : undefined,
    ]);
  },

  async verify(write, clients) {
    const rules = await readRules(write.groupId, clients);
    const left = rules.ingress.length + rules.egress.length;
    return {
      confirmed: left === 0,
      detail: left === 0 ? `${write.groupId} has no rules` : `${write.groupId} still has ${left} rule(s)`,
    };
  },

  releasePermissions: [
    { action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false },
    { action: 'ec2:AuthorizeSecurityGroupIngress', resource: 'ec2', write: true },
    { action: 'ec2:AuthorizeSecurityGroupEgress', resource: 'ec2', write: true },
  ],

  async release(applied, clients) {
    const { groupId } = applied.write;
    const current = await readRules(groupId, clients);
    const ingress = applied.write.ingress.filter(
      (rule) => !current.ingress.some((existing) => sameRule(existing, rule)),
    );
    const egress = applied.write.egress.filter((rule) => !current.egress.some((existing) => sameRule(existing, rule)));
    if (ingress.length + egress.length === 0)
      return { status: 'already-restored', summary: `${groupId} already has its rules back` };
    await Promise.all([
      ingress.length
        ? awsCall('ec2:AuthorizeSecurityGroupIngress', `group ${groupId}`, () =>
            clients.ec2.send(
              new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress.map(permissionOf) }),
            ),
          )
        : undefined,
      egress.length
        ? awsCall('ec2:AuthorizeSecurityGroupEgress', `group ${groupId}`, () =>
            clients.ec2.send(
              new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress.map(permissionOf) }),
            ),
          )
        : undefined,
    ]);
    return { status: 'restored', summary: `${groupId}: ${ingress.length + egress.length} rule(s) authorized again` };
  },
};
