import type { IpPermission } from '@aws-sdk/client-ec2';
import type { SecurityGroupRule } from '../../model/resource';

/** One rule per peer, so that a revoke or a release names exactly one rule. */
export function rulesOf(permissions: readonly IpPermission[] | undefined): SecurityGroupRule[] {
  return (permissions ?? []).flatMap((permission) => {
    const base = {
      protocol: permission.IpProtocol ?? '-1',
      ...(permission.FromPort !== undefined && permission.IpProtocol !== '-1' ? { fromPort: permission.FromPort } : {}),
      ...(permission.ToPort !== undefined && permission.IpProtocol !== '-1' ? { toPort: permission.ToPort } : {}),
    };
    return [
      ...(permission.IpRanges ?? []).map((range) => ({
        ...base,
        cidrIpv4: range.CidrIp ?? '',
        ...(range.Description ? { description: range.Description } : {}),
      })),
      ...(permission.Ipv6Ranges ?? []).map((range) => ({
        ...base,
        cidrIpv6: range.CidrIpv6 ?? '',
        ...(range.Description ? { description: range.Description } : {}),
      })),
      ...(permission.UserIdGroupPairs ?? []).map((pair) => ({
        ...base,
        groupId: pair.GroupId ?? '',
        ...(pair.Description ? { description: pair.Description } : {}),
      })),
      ...(permission.PrefixListIds ?? []).map((list) => ({
        ...base,
        prefixListId: list.PrefixListId ?? '',
        ...(list.Description ? { description: list.Description } : {}),
      })),
    ];
  });
}

/** The IpPermission that names exactly this rule (for revoke, and for authorize on release). */
export function permissionOf(rule: SecurityGroupRule): IpPermission {
  return {
    IpProtocol: rule.protocol,
    ...(rule.fromPort !== undefined ? { FromPort: rule.fromPort } : {}),
    ...(rule.toPort !== undefined ? { ToPort: rule.toPort } : {}),
    ...(rule.cidrIpv4 !== undefined
      ? { IpRanges: [{ CidrIp: rule.cidrIpv4, ...(rule.description ? { Description: rule.description } : {}) }] }
      : {}),
    ...(rule.cidrIpv6 !== undefined
      ? { Ipv6Ranges: [{ CidrIpv6: rule.cidrIpv6, ...(rule.description ? { Description: rule.description } : {}) }] }
      : {}),
    ...(rule.groupId !== undefined
      ? {
          UserIdGroupPairs: [{ GroupId: rule.groupId, ...(rule.description ? { Description: rule.description } : {}) }],
        }
      : {}),
    ...(rule.prefixListId !== undefined
      ? {
          PrefixListIds: [
            { PrefixListId: rule.prefixListId, ...(rule.description ? { Description: rule.description } : {}) },
          ],
        }
      : {}),
  };
}

export function describeRule(rule: SecurityGroupRule): string {
  const ports =
    rule.protocol === '-1'
      ? 'all traffic'
      : rule.fromPort === rule.toPort
        ? `${rule.protocol}/${rule.fromPort}`
        : `${rule.protocol}/${rule.fromPort}-${rule.toPort}`;
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.groupId ?? rule.prefixListId ?? '?';
  return `${ports} from ${peer}`;
}

export function sameRule(a: SecurityGroupRule, b: SecurityGroupRule): boolean {
  return (
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.groupId === b.groupId &&
    a.prefixListId === b.prefixListId
  );
}

/** Open to the whole internet, IPv4 or IPv6. */
export function isOpenToWorld(rule: SecurityGroupRule): boolean {
  return rule.cidrIpv4 === '0.0.0.0/0' || rule.cidrIpv6 === '::/0';
}

/** Protocol names and numbers EC2 may return for the same protocol. */
function protocolOf(rule: SecurityGroupRule): string {
  return ({ '6': 'tcp', '17': 'udp', '1': 'icmp' } as Record<string, string>)[rule.protocol] ?? rule.protocol;
}

/** Whether the rule lets in traffic to this TCP/UDP port. */
export function coversPort(rule: SecurityGroupRule, protocol: 'tcp' | 'udp', port: number): boolean {
  const ruleProtocol = protocolOf(rule);
  if (ruleProtocol === '-1') return true;
  if (ruleProtocol !== protocol) return false;
  return (rule.fromPort ?? 0) <= port && port <= (rule.toPort ?? 65535);
}

/** Whether the rule opens any port outside the allowed ones (all traffic, or a range beyond them). */
export function opensBeyond(
  rule: SecurityGroupRule,
  allowedTcp: readonly number[],
  allowedUdp: readonly number[],
): boolean {
  const ruleProtocol = protocolOf(rule);
  if (ruleProtocol === '-1') return true;
  if (ruleProtocol !== 'tcp' && ruleProtocol !== 'udp') return true;
  const allowed = ruleProtocol === 'tcp' ? allowedTcp : allowedUdp;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  for (let port = from; port <= to; port += 1) {
    if (!allowed.includes(port)) return true;
  }
  return false;
}
