import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import * as z from 'zod/mini';
import type { Action, Target } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import { shellQuote } from './support/shell-quote';

const params = z.strictObject({
  /** `age`: keys older than maxDays (access-keys-rotated); `unused`: keys not used for maxDays (iam-user-unused-credentials-check). */
  criterion: z.enum(['age', 'unused']),
  maxDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(3650)), 90),
});

type Params = z.infer<typeof params>;

interface KeyState {
  readonly accessKeyId: string;
  readonly status: string;
  readonly createdAt?: string;
  readonly lastUsedAt?: string;
}

interface State {
  readonly userName: string;
  readonly keys: readonly KeyState[];
  readonly assumed: boolean;
}

interface Write {
  readonly userName: string;
  readonly accessKeyIds: readonly string[];
}

function userOf(target: Target): string {
  if (target.resource.kind !== 'iam-user')
    throw new Error(`iam-deactivate-stale-keys needs an IAM user, got ${target.resource.kind}`);
  return target.resource.userName;
}

async function readKeys(userName: string, clients: AwsClients): Promise<KeyState[]> {
  const listed = await awsCall('iam:ListAccessKeys', `user ${userName}`, () =>
    clients.iam.send(new ListAccessKeysCommand({ UserName: userName })),
  );
  return Promise.all(
    (listed.AccessKeyMetadata ?? []).map(async (key) => {
      const used = await awsCall('iam:GetAccessKeyLastUsed', `key ${key.AccessKeyId}`, () =>
        clients.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId })),
      );
      const lastUsed = used.AccessKeyLastUsed?.LastUsedDate;
      return {
        accessKeyId: key.AccessKeyId ?? '',
        status: key.Status ?? 'Unknown',
        ...(key.CreateDate ? { createdAt: key.CreateDate.toISOString() } : {}),
        ...(lastUsed ? { lastUsedAt: lastUsed.toISOString() } : {}),
      };
    }),
  );
}

function isStale(key: KeyState, stepParams: Params, now: Date): boolean {
  const limit = now.getTime() - stepParams.maxDays * 86_400_000;
  const reference = stepParams.criterion === 'age' ? key.createdAt : (key.lastUsedAt ?? key.createdAt);
  return key.status === 'Active' && reference !== undefined && Date.parse(reference) < limit;
}

/** Deactivates (never deletes) the user's active keys that are older, or unused for longer, than the limit. */
export const iamDeactivateStaleKeys: Action<Params, State, Write> = {
  id: 'iam-deactivate-stale-keys',
  title: 'Deactivate stale access keys',
  containment: true,
  appliesTo: (subject) => subject.kind === 'iam-user-id',
  permissions: [
    { action: 'iam:ListAccessKeys', resource: 'iam-user', write: false },
    { action: 'iam:GetAccessKeyLastUsed', resource: 'iam-user', write: false },
    { action: 'iam:UpdateAccessKey', resource: 'iam-user', write: true },
  ],
  params,

  async describe(target, _params, clients) {
    const userName = userOf(target);
    return { userName, keys: await readKeys(userName, clients), assumed: false };
  },

  assume(target) {
    return { userName: userOf(target), keys: [], assumed: true };
  },

  plan(_target, state, stepParams, now) {
    const rule =
      stepParams.criterion === 'age'
        ? `older than ${stepParams.maxDays} days`
        : `unused for more than ${stepParams.maxDays} days`;
    if (state.assumed) {
      return {
        kind: 'write',
        summary: `Deactivate the active access keys of ${state.userName} ${rule} (the keys are read from AWS at run time)`,
        write: { userName: state.userName, accessKeyIds: [] },
        replaced: 'read from AWS at run time',
        release: [],
      };
    }
    const stale = state.keys.filter((key) => isStale(key, stepParams, now));
    if (stale.length === 0)
      return { kind: 'no-op', summary: `User ${state.userName} has no active access key ${rule}` };
    return {
      kind: 'write',
      summary:
        `Deactivate access key(s) ` +
        `${stale.map((key) => `${key.accessKeyId} (created ${key.createdAt ?? '?'}, last used ${key.lastUsedAt ?? 'never'})`).join(', ')} ` +
        `of user ${state.userName}: ${rule}`,
      write: { userName: state.userName, accessKeyIds: stale.map((key) => key.accessKeyId) },
      replaced: { keys: stale.map((key) => ({ accessKeyId: key.accessKeyId, status: key.status })) },
      release: stale.map(
        (key) =>
          `aws iam update-access-key --user-name ${shellQuote(state.userName)} --access-key-id ${key.accessKeyId} --status Active`,
      ),
    };
  },

  async apply(write, clients) {
    await Promise.all(
      write.accessKeyIds.map((accessKeyId) =>
        awsCall('iam:UpdateAccessKey', `key ${accessKeyId} of user ${write.userName}`, () =>
          clients.iam.send(
            new UpdateAccessKeyCommand({ UserName: write.userName, AccessKeyId: accessKeyId, Status: 'Inactive' }),
          ),
        ),
      ),
    );
  },

  async verify(write, clients) {
    const listed = await awsCall('iam:ListAccessKeys', `user ${write.userName}`, () =>
      clients.iam.send(new ListAccessKeysCommand({ UserName: write.userName })),
    );
    const active = (listed.AccessKeyMetadata ?? []).filter(
      (key) => write.accessKeyIds.includes(key.AccessKeyId ?? '') && key.Status !== 'Inactive',
    );
    return {
      confirmed: active.length === 0,
      detail:
        active.length === 0
          ? `keys ${write.accessKeyIds.join(', ')} are Inactive`
          : `still active: ${active.map((key) => key.AccessKeyId).join(', ')}`,
    };
  },

  releasePermissions: [
    { action: 'iam:ListAccessKeys', resource: 'iam-user', write: false },
    { action: 'iam:UpdateAccessKey', resource: 'iam-user', write: true },
  ],

  async release(applied, clients) {
    const listed = await awsCall('iam:ListAccessKeys', `user ${applied.write.userName}`, () =>
      clients.iam.send(new ListAccessKeysCommand({ UserName: applied.write.userName })),
    );
    const inactive = (listed.AccessKeyMetadata ?? []).filter(
      (key) => applied.write.accessKeyIds.includes(key.AccessKeyId ?? '') && key.Status === 'Inactive',
    );
    if (inactive.length === 0)
      return { status: 'already-restored', summary: `Keys ${applied.write.accessKeyIds.join(', ')} are not inactive` };
    await Promise.all(
      inactive.map((key) =>
        awsCall('iam:UpdateAccessKey', `key ${key.AccessKeyId}`, () =>
          clients.iam.send(
            new UpdateAccessKeyCommand({
              UserName: applied.write.userName,
              AccessKeyId: key.AccessKeyId,
              Status: 'Active',
            }),
          ),
        ),
      ),
    );
    return {
      status: 'restored',
      summary: `Keys ${inactive.map((key) => key.AccessKeyId).join(', ')} of ${applied.write.userName} are Active again`,
    };
  },
};
