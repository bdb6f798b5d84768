import { ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import * as z from 'zod/mini';
import type { Action, Target } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';
import { shellQuote } from './support/shell-quote';

interface KeyState {
  readonly accessKeyId: string;
  readonly status: string;
  readonly createdAt?: string;
}

interface State {
  readonly userName: string;
  readonly keys: readonly KeyState[];
}

interface Write {
  readonly userName: string;
  readonly accessKeyId: string;
}

function keyOf(target: Target): { userName: string; accessKeyId: string } {
  const { subject } = target.finding;
  if (subject.kind !== 'iam-user' || target.resource.kind !== 'iam-user') {
    throw new Error(`iam-deactivate-access-key needs an IAM user, got ${subject.kind}`);
  }
  return { userName: target.resource.userName, accessKeyId: subject.accessKeyId };
}

async function listKeys(userName: string, clients: AwsClients): Promise<KeyState[]> {
  const response = await awsCall('iam:ListAccessKeys', `user ${userName}`, () =>
    clients.iam.send(new ListAccessKeysCommand({ UserName: userName })),
  );
  return (response.AccessKeyMetadata ?? []).map((key) => ({
    accessKeyId: key.AccessKeyId ?? '',
    status: key.Status ?? 'Unknown',
    ...(key.CreateDate ? { createdAt: key.CreateDate.toISOString() } : {}),
  }));
}

/** Makes exactly the compromised long-term key inactive. Never deletes it: the key id stays for CloudTrail and release. */
export const iamDeactivateAccessKey: Action<Record<string, never>, State, Write> = {
  id: 'iam-deactivate-access-key',
  title: 'Deactivate the access key',
  containment: true,
  appliesTo: (subject) => subject.kind === 'iam-user' && subject.credential === 'long-term',
  permissions: [
    { action: 'iam:ListAccessKeys', resource: 'iam-user', write: false },
    { action: 'iam:UpdateAccessKey', resource: 'iam-user', write: true },
  ],
  params: z.strictObject({}),

  async describe(target, _params, clients) {
    const { userName } = keyOf(target);
    return { userName, keys: await listKeys(userName, clients) };
  },

  assume(target) {
    const { userName, accessKeyId } = keyOf(target);
    return { userName, keys: [{ accessKeyId, status: 'Active' }] };
  },

  plan(target, state) {
    const { userName, accessKeyId } = keyOf(target);
    const key = state.keys.find((candidate) => candidate.accessKeyId === accessKeyId);
    const otherActive = state.keys.filter(
      (candidate) => candidate.accessKeyId !== accessKeyId && candidate.status === 'Active',
    );
    const otherKeySteps = otherActive.map(
      (other) =>
        `User ${userName} has another active key ${other.accessKeyId}${other.createdAt ? ` (created ${other.createdAt})` : ''}: ` +
        `check CloudTrail for CreateAccessKey; attackers often create a second key. Deactivate it if it is not known.`,
    );
    if (!key) {
      return {
        kind: 'skip',
        summary: `Access key ${accessKeyId} is not on user ${userName} (deleted already?)`,
        manualSteps: [`Confirm in CloudTrail what happened to key ${accessKeyId}.`, ...otherKeySteps],
      };
    }
    if (key.status !== 'Active') {
      return {
        kind: 'no-op',
        summary: `Access key ${accessKeyId} of user ${userName} was already ${key.status}`,
        ...(otherKeySteps.length > 0 ? { manualSteps: otherKeySteps } : {}),
      };
    }
    return {
      kind: 'write',
      summary: `Deactivate access key ${accessKeyId} of user ${userName} (was Active)`,
      write: { userName, accessKeyId },
      replaced: { accessKeyId, status: key.status },
      release: [
        `aws iam update-access-key --user-name ${shellQuote(userName)} --access-key-id ${shellQuote(accessKeyId)} --status Active`,
      ],
      ...(otherKeySteps.length > 0 ? { manualSteps: otherKeySteps } : {}),
    };
  },

  async apply(write, clients) {
    await awsCall('iam:UpdateAccessKey', `key ${write.accessKeyId} of user ${write.userName}`, () =>
      clients.iam.send(
        new UpdateAccessKeyCommand({ UserName: write.userName, AccessKeyId: write.accessKeyId, Status: 'Inactive' }),
      ),
    );
  },

  async verify(write, clients) {
    const key = (await listKeys(write.userName, clients)).find(
      (candidate) => candidate.accessKeyId === write.accessKeyId,
    );
    const status = key?.status ?? 'absent';
    return { confirmed: status === 'Inactive', detail: `key ${write.accessKeyId} is ${status}` };
  },

  releasePermissions: [
    { action: 'iam:ListAccessKeys', resource: 'iam-user', write: false },
    { action: 'iam:UpdateAccessKey', resource: 'iam-user', write: true },
  ],

  async release(applied, clients) {
    const { userName, accessKeyId } = applied.write;
    const key = (await listKeys(userName, clients)).find((candidate) => candidate.accessKeyId === accessKeyId);
    if (!key) return { status: 'kept', summary: `Access key ${accessKeyId} of user ${userName} no longer exists` };
    if (key.status === 'Active')
      return { status: 'already-restored', summary: `Access key ${accessKeyId} of user ${userName} is already Active` };
    await awsCall('iam:UpdateAccessKey', `key ${accessKeyId} of user ${userName}`, () =>
      clients.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Active' })),
    );
    return { status: 'restored', summary: `Access key ${accessKeyId} of user ${userName} is Active again` };
  },
};
