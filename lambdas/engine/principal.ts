/** The principal a finding names, as IAM reports it now (or as simulate assumes it). */
export type Principal = IamUserPrincipal | IamRolePrincipal | UnresolvedPrincipal;

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

/** Root, federated users and unsupported subjects: nothing Firebreak writes to. */
export interface UnresolvedPrincipal {
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
