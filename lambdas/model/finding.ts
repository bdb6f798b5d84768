/** The only shape that code past the normalizers reads. */
export interface Finding {
  readonly id: string;
  readonly source: 'guardduty' | 'config';
  readonly type: string;
  readonly title: string;
  readonly severity: number;
  readonly severityLabel: SeverityLabel;
  /** The member account the finding is about (GuardDuty `detail.accountId`, not the envelope's account). */
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly arn?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the service first and last saw the activity (for time-to-contain). */
  readonly firstSeen?: string;
  readonly lastSeen?: string;
  readonly count?: number;
  readonly sample: boolean;
  /** The resource type as the service names it (`AccessKey`, `Instance`, ...). */
  readonly resourceType: string;
  readonly subject: Subject;
  readonly activity: Activity;
  /** AWS Config findings: the rule and the evaluation. */
  readonly config?: ConfigEvaluation;
  /** The EventBridge event id, for tracing one delivery. */
  readonly eventId: string;
  /** How it reached Firebreak: the service's own event, or a Security Hub (ASFF) event. Absent: native. */
  readonly via?: 'native' | 'securityhub';
  /** The finding's identity in Security Hub (ASFF `Id` and `ProductArn`), for BatchUpdateFindings. */
  readonly securityHub?: SecurityHubIdentity;
  /** Kept for evidence; never read by actions. */
  readonly raw: unknown;
}

export interface SecurityHubIdentity {
  readonly id: string;
  readonly productArn: string;
}

export type SeverityLabel = 'Low' | 'Medium' | 'High' | 'Critical';

export type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

export interface ConfigEvaluation {
  readonly ruleName: string;
  readonly ruleArn?: string;
  readonly compliance: ComplianceType;
  /** Absent on a rule's first evaluation of the resource. */
  readonly previousCompliance?: ComplianceType;
  readonly annotation?: string;
  /** The Config resource type and id as Config names them (an IAM user is its unique id, AIDA...). */
  readonly resourceType: string;
  readonly resourceId: string;
}

/** What the finding says was done, for the responder's message. Every field is optional and informational. */
export interface Activity {
  readonly actionType?: string;
  readonly api?: string;
  readonly serviceName?: string;
  readonly sourceIp?: string;
  readonly sourceCountry?: string;
  readonly sourceOrganization?: string;
  readonly userAgent?: string;
}

/** What is at risk. Routing uses `kind`, never the finding-type string. */
export type Subject =
  | IamUserSubject
  | AssumedRoleSubject
  | RootSubject
  | FederatedUserSubject
  | Ec2InstanceSubject
  | SecurityGroupSubject
  | IamUserByIdSubject
  | AccountSubject
  | UnsupportedSubject;

/** A security group named by a Config rule. */
export interface SecurityGroupSubject {
  readonly kind: 'security-group';
  readonly groupId: string;
}

/** An IAM user as AWS Config names it: by its unique id, which must be resolved to a name before acting. */
export interface IamUserByIdSubject {
  readonly kind: 'iam-user-id';
  readonly userId: string;
}

/** An account-level Config evaluation (root keys, public snapshots). */
export interface AccountSubject {
  readonly kind: 'account';
  readonly accountId: string;
}

export interface IamUserSubject {
  readonly kind: 'iam-user';
  readonly userName: string;
  readonly principalId: string;
  readonly accessKeyId: string;
  /** `long-term` for an AKIA key; `temporary` for an ASIA session the user minted (GetSessionToken, console). */
  readonly credential: 'long-term' | 'temporary';
}

export interface AssumedRoleSubject {
  readonly kind: 'assumed-role';
  readonly roleName: string;
  /** The role's unique id (AROA...), the part of `aws:userid` before the colon. */
  readonly roleId: string;
  readonly sessionName: string;
  readonly principalId: string;
  readonly accessKeyId: string;
}

export interface RootSubject {
  readonly kind: 'root';
  readonly principalId: string;
  readonly accessKeyId?: string;
}

export interface FederatedUserSubject {
  readonly kind: 'federated-user';
  readonly userName: string;
  readonly principalId: string;
  readonly accessKeyId?: string;
}

export interface Ec2InstanceSubject {
  readonly kind: 'ec2-instance';
  readonly instanceId: string;
  /** ACTOR: the instance initiated the activity (e.g. C2 beaconing); TARGET: it was the target (e.g. brute force). */
  readonly resourceRole?: string;
}

/** Anything Firebreak cannot act on safely: it is reported, never written to. */
export interface UnsupportedSubject {
  readonly kind: 'unsupported';
  readonly description: string;
  readonly reason: string;
}

export type SubjectKind = Subject['kind'];

export function severityLabel(severity: number): SeverityLabel {
  if (severity >= 9) return 'Critical';
  if (severity >= 7) return 'High';
  if (severity >= 4) return 'Medium';
  return 'Low';
}
