import { ListRoleTagsCommand, ListUserTagsCommand, TagRoleCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { incidentTags, tagParams, type TagParams } from './support/incident-tags';
import type { Action, Target } from '../model/action';
import { isIdentityCenterRole, isServiceLinkedRole } from '../model/resource';
import { awsCall } from '../aws/aws-call-error';
import type { AwsClients } from '../aws/aws-clients';

const params = tagParams;
type Params = TagParams;

interface Write {
  readonly holder: { readonly kind: 'user' | 'role'; readonly name: string };
  readonly tags: Readonly<Record<string, string>>;
}

interface State {
  readonly tags: Readonly<Record<string, string>>;
}

function holderOf(target: Target): Write['holder'] {
  const { resource: principal } = target;
  if (principal.kind === 'iam-user') return { kind: 'user', name: principal.userName };
  if (principal.kind === 'iam-role') return { kind: 'role', name: principal.roleName };
  throw new Error(`iam-tag-principal needs an IAM user or role, got ${principal.kind}`);
}

async function readTags(holder: Write['holder'], clients: AwsClients): Promise<Record<string, string>> {
  const response = await awsCall<{ Tags?: { Key?: string; Value?: string }[] }>(
    holder.kind === 'user' ? 'iam:ListUserTags' : 'iam:ListRoleTags',
    `${holder.kind} ${holder.name}`,
    () =>
      holder.kind === 'user'
        ? clients.iam.send(new ListUserTagsCommand({ UserName: holder.name }))
        : clients.iam.send(new ListRoleTagsCommand({ RoleName: holder.name })),
  );
  return Object.fromEntries((response.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

/** Marks the principal with the incident so anyone who opens it in the console sees why it stopped working. Evidence: release keeps it. */
export const iamTagPrincipal: Action<Params, State, Write> = {
  id: 'iam-tag-principal',
  title: 'Tag the principal with the incident',
  containment: false,
  keptOnRelease: 'the tags are the record that the principal was contained and why',
  appliesTo: (subject) => subject.kind === 'iam-user' || subject.kind === 'assumed-role',
  permissions: [
    { action: 'iam:ListUserTags', resource: 'iam-user', write: false },
    { action: 'iam:TagUser', resource: 'iam-user', write: true },
    { action: 'iam:ListRoleTags', resource: 'iam-role', write: false },
    { action: 'iam:TagRole', resource: 'iam-role', write: true },
  ],
  params,

  // The tags came with the principal (GetUser / GetRole), read moments ago: no second round trip.
  async describe(target) {
    return { tags: target.resource.kind === 'unresolved' ? {} : target.resource.tags };
  },

  assume(target) {
    return { tags: target.resource.kind === 'unresolved' ? {} : target.resource.tags };
  },

  plan(target, state, stepParams, now) {
    const holder = holderOf(target);
    const { finding, resource: principal } = target;
    if (principal.kind === 'iam-role' && (isServiceLinkedRole(principal) || isIdentityCenterRole(principal))) {
      return {
        kind: 'skip',
        summary: `Role ${principal.roleName} is managed by AWS and cannot be tagged`,
        manualSteps: [],
      };
    }
    const findingKey = `${stepParams.keyPrefix}finding-id`;
    if (state.tags[findingKey] === finding.id) {
      return {
        kind: 'no-op',
        summary: `${holder.kind === 'user' ? 'User' : 'Role'} ${holder.name} is already tagged with finding ${finding.id}`,
      };
    }
    const tags = incidentTags(finding, stepParams.keyPrefix, 'contained', now);
    const replaced = Object.fromEntries(Object.keys(tags).map((key) => [key, state.tags[key] ?? null]));
    return {
      kind: 'write',
      summary: `Tag ${holder.kind} ${holder.name} with ${Object.entries(tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')}`,
      write: { holder, tags },
      replaced: { tags: replaced },
      release: [],
    };
  },

  async apply(write, clients) {
    const Tags = Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value }));
    await awsCall<unknown>(
      write.holder.kind === 'user' ? 'iam:TagUser' : 'iam:TagRole',
      `${write.holder.kind} ${write.holder.name}`,
      () =>
        write.holder.kind === 'user'
          ? clients.iam.send(new TagUserCommand({ UserName: write.holder.name, Tags }))
          : clients.iam.send(new TagRoleCommand({ RoleName: write.holder.name, Tags })),
    );
  },

  async verify(write, clients) {
    const tags = await readTags(write.holder, clients);
    const missing = Object.entries(write.tags)
      .filter(([key, value]) => tags[key] !== value)
      .map(([key]) => key);
    return {
      confirmed: missing.length === 0,
      detail: missing.length === 0 ? 'tags are in place' : `tags not yet visible: ${missing.join(', ')}`,
    };
  },
};
