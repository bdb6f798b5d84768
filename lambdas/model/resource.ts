/** What a finding names, as AWS reports it now (or as simulate assumes it). */
export type Resource =
  | IamUserPrincipal
  | IamRolePrincipal
  | Ec2InstanceResource
  | SecurityGroupResource
  | AccountResource
  | UnresolvedResource;

export interface SecurityGroupRule {
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** One peer per rule: an IPv4 or IPv6 CIDR, a group, or a prefix list. */
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly groupId?: string;
  readonly prefixListId?: string;
  readonly description?: string;
}

export interface SecurityGroupResource {
  readonly kind: 'security-group';
  readonly groupId: string;
  readonly groupName: string;
  readonly vpcId: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly ingress: readonly SecurityGroupRule[];
  readonly egress: readonly SecurityGroupRule[];
  /** True in simulate: the rules are read from AWS at run time. */
  readonly assumed?: boolean;
}

/** An account-level evaluation: nothing to resolve but the account. */
export interface AccountResource {
  readonly kind: 'aws-account';
  readonly accountId: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface IamUserPrincipal {
  readonly kind: 'iam-user';
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface IamRolePrincipal {
  readonly kind: 'iam-role';
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Ec2Interface {
  readonly networkInterfaceId: string;
  readonly vpcId: string;
  readonly deviceIndex: number;
  readonly groupIds: readonly string[];
}

export interface Ec2Volume {
  readonly volumeId: string;
  readonly deviceName: string;
  readonly deleteOnTermination: boolean;
}

export interface Ec2InstanceResource {
  readonly kind: 'ec2-instance';
  readonly instanceId: string;
  readonly arn: string;
  readonly state: string;
  /** Spot instances cannot have termination or stop protection. */
  readonly spot: boolean;
  readonly rootDeviceName?: string;
  readonly interfaces: readonly Ec2Interface[];
  readonly volumes: readonly Ec2Volume[];
  readonly instanceProfileArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** True in simulate: built from the finding's own copy of the instance; volumes and attributes are unknown. */
  readonly assumed?: boolean;
}

/** Root, federated users and unsupported subjects: nothing Firebreak writes to. */
export interface UnresolvedResource {
  readonly kind: 'unresolved';
  readonly arn?: string;
}

/** Service-linked roles cannot be changed, and their sessions cannot be revoked. */
export function isServiceLinkedRole(role: IamRolePrincipal): boolean {
  return role.path.startsWith('/aws-service-role/');
}

/** Roles made by IAM Identity Center permission sets are managed by Identity Center, not IAM. */
export function isIdentityCenterRole(role: IamRolePrincipal): boolean {
  return role.roleName.startsWith('AWSReservedSSO_') || role.path.startsWith('/aws-reserved/sso.amazonaws.com/');
}
