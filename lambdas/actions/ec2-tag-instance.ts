import { CreateTagsCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { incidentTags, tagParams, type TagParams } from './support/incident-tags';
import type { Action } from '../model/action';
import { awsCall } from '../aws/aws-call-error';
import { instanceOf } from './support/instance-of';

const params = tagParams;
type Params = TagParams;

interface State {
  readonly instanceId: string;
  readonly tags: Readonly<Record<string, string>>;
}

interface Write {
  readonly instanceId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Marks the instance with the incident so anyone who opens it sees it is quarantined and why. Evidence: release keeps it. */
export const ec2TagInstance: Action<Params, State, Write> = {
  id: 'ec2-tag-instance',
  title: 'Tag the instance with the incident',
  containment: false,
  keptOnRelease: 'the tags are the record that the instance was quarantined and why',
  appliesTo: (subject) => subject.kind === 'ec2-instance',
  permissions: [
    { action: 'ec2:CreateTags', resource: 'ec2', write: true },
    { action: 'ec2:DescribeInstances', resource: 'unscoped', write: false },
  ],
  params,

  // The tags came with DescribeInstances moments ago: no second round trip.
  async describe(target) {
    const instance = instanceOf(target, 'ec2-tag-instance');
    return { instanceId: instance.instanceId, tags: instance.tags };
  },

  assume(target) {
    const instance = instanceOf(target, 'ec2-tag-instance');
    return { instanceId: instance.instanceId, tags: instance.tags };
  },

  plan(target, state, stepParams, now) {
    const findingKey = `${stepParams.keyPrefix}finding-id`;
    const { finding } = target;
    if (state.tags[findingKey] === finding.id) {
      return { kind: 'no-op', summary: `Instance ${state.instanceId} is already tagged with finding ${finding.id}` };
    }
    const tags = incidentTags(finding, stepParams.keyPrefix, 'quarantined', now);
    return {
      kind: 'write',
      summary: `Tag instance ${state.instanceId} with ${Object.entries(tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')}`,
      write: { instanceId: state.instanceId, tags },
      replaced: { tags: Object.fromEntries(Object.keys(tags).map((key) => [key, state.tags[key] ?? null])) },
      release: [],
    };
  },

  async apply(write, clients) {
    await awsCall('ec2:CreateTags', `instance ${write.instanceId}`, () =>
      clients.ec2.send(
        new CreateTagsCommand({
          Resources: [write.instanceId],
          Tags: Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
  },

  async verify(write, clients) {
    const response = await awsCall('ec2:DescribeInstances', `instance ${write.instanceId}`, () =>
      clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [write.instanceId] })),
    );
    const instance = response.Reservations?.flatMap((reservation) => reservation.Instances ?? [])[0];
    const tags = Object.fromEntries((instance?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    const missing = Object.entries(write.tags)
      .filter(([key, value]) => tags[key] !== value)
      .map(([key]) => key);
    return {
      confirmed: missing.length === 0,
      detail: missing.length === 0 ? 'tags are in place' : `tags not yet visible: ${missing.join(', ')}`,
    };
  },
};
