import type { Finding } from '../model/finding';

/** What a human still has to do for a subject, whatever Firebreak did. Concrete, in the order to do it. */
export function followUpSteps(finding: Finding): string[] {
  const { subject, accountId, region } = finding;
  const lookup = (key: string, value: string) =>
    `aws cloudtrail lookup-events --region ${region} --lookup-attributes AttributeKey=${key},AttributeValue=${value} (in account ${accountId})`;
  switch (subject.kind) {
    case 'iam-user':
      return [
        `Find what was done with the credential: ${lookup('AccessKeyId', subject.accessKeyId)}. Look for persistence: CreateUser, CreateAccessKey, CreateLoginProfile, AttachUserPolicy, PutRolePolicy, UpdateAssumeRolePolicy.`,
        `Confirm with the owner of ${subject.userName} whether the activity was theirs before releasing.`,
        'After the investigation, issue the owner a new key and delete the compromised one; reset the console password if it may be known.',
      ];
    case 'assumed-role':
      return [
        `Find how session ${subject.sessionName} was obtained: ${lookup('Username', subject.sessionName)} and the AssumeRole events for role ${subject.roleName}.`,
        'If whoever obtained the session can still call sts:AssumeRole, fix the trust policy or contain that caller too: denying one session does not stop new ones.',
        /^i-[0-9a-f]{8,17}$/.test(subject.sessionName)
          ? `The session name is an EC2 instance id: investigate instance ${subject.sessionName}; its instance-profile credentials were used.`
          : 'If the role itself is compromised, re-run the step with scope all-sessions-before-now to deny every older session of the role.',
      ];
    case 'root':
      return [
        `Sign in as the root user of account ${accountId} and change its password and MFA; delete any root access keys (Security credentials page).`,
        'With centralized root access in AWS Organizations, a member account root key can be removed with sts:AssumeRoot and the task policy IAMDeleteRootUserCredentials.',
        `Review what was done as root: ${lookup('Username', 'root')}. Open a case with AWS Support if the account may be taken over.`,
        'IAM policies cannot restrict the root user: Firebreak does not act on it.',
      ];
    case 'federated-user':
      return [
        `Find the IAM user that called GetFederationToken for ${subject.userName} (CloudTrail GetFederationToken events in account ${accountId}).`,
        "Deny that user's sessions issued before now (inline policy with aws:TokenIssueTime) and deactivate the key it used: that ends every federated session it issued.",
      ];
    case 'ec2-instance':
      return [
        `Investigate instance ${subject.instanceId} from its snapshots and, if the isolation allows it, a memory capture (SSM Run Command); do not stop it before memory is captured.`,
        `Look for what it reached while compromised: VPC Flow Logs for its interfaces and CloudTrail for its instance-profile sessions (${lookup('Username', subject.instanceId)}).`,
        'Security groups cannot cut ICMP or flows through a NAT gateway, Network or Gateway Load Balancer, Transit Gateway or Network Firewall endpoint: if those matter, add a network ACL deny for the instance address.',
        'Once the investigation is complete, replace the instance from a known-good image rather than releasing it.',
      ];
    case 'security-group':
      return [
        `Find who opened the rule: ${lookup('ResourceName', subject.groupId)} (AuthorizeSecurityGroupIngress), and whether anything relied on it.`,
        `Re-evaluate the rule once fixed: aws configservice start-config-rules-evaluation --config-rule-names ${finding.config?.ruleName ?? '<rule>'} (Config delivers compliance changes best effort).`,
      ];
    case 'iam-user-id':
      return [
        `Issue the user a new key if it still needs one, then delete the deactivated keys once nothing uses them (IAM: Security credentials of user ${subject.userId}).`,
        `Re-evaluate the rule: aws configservice start-config-rules-evaluation --config-rule-names ${finding.config?.ruleName ?? '<rule>'}.`,
      ];
    case 'account':
      return finding.config?.ruleName.includes('iam-root-access-key-check')
        ? [
            `Sign in as the root user of account ${accountId}, open Security credentials, and delete the root access keys (root should have none; they cannot be restricted by IAM).`,
            'With centralized root access in AWS Organizations: sts:AssumeRoot with the task policy IAMDeleteRootUserCredentials removes them from the management account.',
            `Look for what the keys did: ${lookup('Username', 'root')}.`,
          ]
        : [
            `Review the ${finding.config?.ruleName ?? 'Config'} evaluation of account ${accountId} in the Config console and fix it by hand.`,
          ];
    case 'unsupported':
      if (finding.source === 'config') {
        return [
          `Config rule ${finding.config?.ruleName} found ${subject.description} non-compliant${finding.config?.annotation ? ` (${finding.config.annotation})` : ''}: Firebreak has no automatic fix for it. Fix it by hand in account ${accountId}, ${region}.`,
        ];
      }
      return [
        `Open the finding in the GuardDuty console (Region ${region}, account ${accountId}) and contain the resource by hand: ${subject.reason}.`,
      ];
  }
}
