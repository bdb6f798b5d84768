import type * as z from 'zod/mini';
import { accessKeyDetailsSchema } from './guardduty-event-schema';
import type { Subject } from '../model/finding';

/** IAM names: users, roles and inline policies share this alphabet. */
export const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const LONG_TERM_KEY = /^AKIA[A-Z0-9]{12,124}$/;
const TEMPORARY_KEY = /^ASIA[A-Z0-9]{12,124}$/;
const ROLE_PRINCIPAL = /^(AROA[A-Z0-9]{12,124}):(.+)$/;

type AccessKeyDetails = z.infer<typeof accessKeyDetailsSchema>;

function unsupported(description: string, reason: string): Subject {
  return { kind: 'unsupported', description, reason };
}

/**
 * Routes an `AccessKey` finding by `accessKeyDetails.userType` and the key prefix, never by the finding type
 * (GuardDuty says `IAMUser` in the type even when the principal is a role). Any value that does not look
 * exactly as AWS issues it makes the subject unsupported: reported, never written to.
 */
export function accessKeySubject(rawDetails: unknown): Subject {
  const parsed = accessKeyDetailsSchema.safeParse(rawDetails ?? {});
  const details: AccessKeyDetails = parsed.success ? parsed.data : {};
  const { accessKeyId, principalId, userName, userType } = details;
  const keyShown = accessKeyId ?? '(none)';

  switch (userType) {
    case 'IAMUser': {
      if (!userName || !IAM_NAME.test(userName)) {
        return unsupported(
          'IAM user',
          `resource.accessKeyDetails.userName ${JSON.stringify(userName)} is not a valid IAM user name`,
        );
      }
      if (!principalId) return unsupported(`IAM user ${userName}`, 'resource.accessKeyDetails.principalId is missing');
      if (accessKeyId && LONG_TERM_KEY.test(accessKeyId)) {
        return { kind: 'iam-user', userName, principalId, accessKeyId, credential: 'long-term' };
      }
      if (accessKeyId && TEMPORARY_KEY.test(accessKeyId)) {
        return { kind: 'iam-user', userName, principalId, accessKeyId, credential: 'temporary' };
      }
      return unsupported(
        `IAM user ${userName}`,
        `access key id ${JSON.stringify(keyShown)} is neither a long-term (AKIA) nor a temporary (ASIA) key`,
      );
    }
    case 'AssumedRole': {
      if (!userName || !IAM_NAME.test(userName)) {
        return unsupported(
          'assumed role',
          `resource.accessKeyDetails.userName ${JSON.stringify(userName)} is not a valid IAM role name`,
        );
      }
      const match = principalId ? ROLE_PRINCIPAL.exec(principalId) : null;
      if (!match || !SESSION_NAME.test(match[2] ?? '')) {
        return unsupported(
          `role ${userName}`,
          `principalId ${JSON.stringify(principalId)} is not of the form AROA...:<session name>`,
        );
      }
      if (!accessKeyId || !TEMPORARY_KEY.test(accessKeyId)) {
        return unsupported(
          `role ${userName}`,
          `access key id ${JSON.stringify(keyShown)} is not a temporary (ASIA) key`,
        );
      }
      return {
        kind: 'assumed-role',
        roleName: userName,
        roleId: match[1]!,
        sessionName: match[2]!,
        principalId: principalId!,
        accessKeyId,
      };
    }
    case 'Root':
      return { kind: 'root', principalId: principalId ?? '(unknown)', ...(accessKeyId ? { accessKeyId } : {}) };
    case 'FederatedUser':
      if (userName !== undefined && !IAM_NAME.test(userName)) {
        return unsupported(
          'federated user',
          `resource.accessKeyDetails.userName ${JSON.stringify(userName)} is not a valid federated user name`,
        );
      }
      return {
        kind: 'federated-user',
        userName: userName ?? '(unknown)',
        principalId: principalId ?? '(unknown)',
        ...(accessKeyId ? { accessKeyId } : {}),
      };
    default:
      return unsupported(
        'unrecognised principal',
        `resource.accessKeyDetails.userType ${JSON.stringify(userType)} is not one Firebreak acts on (IAMUser, AssumedRole, Root, FederatedUser)`,
      );
  }
}
