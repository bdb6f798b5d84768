import { CreateTagsCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { incidentTags, tagParams, type TagParams } from './support/incident-tags';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import { groupOf } from './support/group-of';

interface State {
  readonly groupId: string;
  readonly tags: Readonly<Record<string, string>>;
}

interface Write {
  readonly groupId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Marks the flagged security group with the finding, so whoever opens it sees why its rules changed. */
export const ec2TagSecurityGroup: Action<TagParams, State, Write> = {
  id: 'ec2-tag-security-group',
  title: 'Tag the security group with the finding',
  containment: false,
  keptOnRelease: 'the tags are the record that the group was changed and why',
  appliesTo: (subject) => subject.kind === 'security-group',
  permissions: [
    { action: 'ec2:CreateTags', resource: 'ec2', write: true },
    { action: 'ec2:DescribeSecurityGroups', resource: 'unscoped', write: false },
  ],
  params: tagParams,

  // The tags came with DescribeSecurityGroups when the group was resolved: no second round trip.
  async describe(target) {
    const group = groupOf(target, 'ec2-tag-security-group');
    return { groupId: group.groupId, tags: group.tags };
  },

  assume(target) {
    const group = groupOf(target, 'ec2-tag-security-group');
    return { groupId: group.groupId, tags: group.tags };
  },

  plan(target, state, stepParams, now) {
    const { finding } = target;
    if (state.tags[`${stepParams.keyPrefix}finding-id`] === finding.id) {
      return { kind: 'no-op', summary: `Security group ${state.groupId} is already tagged with finding ${finding.id}` };
    }
    const tags = incidentTags(finding, stepParams.keyPrefix, 'remediated', now);
    const listed = Object.entries(tags).map(([key, value]) => `${key}=${value}`);
    return {
      kind: 'write',
      summary: `Tag security group ${state.groupId} with ${listed.join(', ')}`,
      write: { groupId: state.groupId, tags },
      replaced: { tags: Object.fromEntries(Object.keys(tags).map((key) => [key, state.tags[key] ?? null])) },
      release: [],
    };
  },

  async apply(write, clients) {
    await awsCall('ec2:CreateTags', `group ${write.groupId}`, () =>
      clients.ec2.send(
        new CreateTagsCommand({
          Resources: [write.groupId],
          Tags: Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
  },

  async verify(write, clients) {
    const response = await awsCall('ec2:DescribeSecurityGroups', `group ${write.groupId}`, () =>
      clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [write.groupId] })),
    );
    const group = response.SecurityGroups?.[0];
    const tags = Object.fromEntries((group?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    const missing = Object.keys(write.tags).filter((key) => tags[key] !== write.tags[key]);
    return {
      confirmed: missing.length === 0,
      detail: missing.length === 0 ? 'tags are in place' : `tags not yet visible: ${missing.join(', ')}`,
    };
  },
};
