import {
  DeleteNetworkInterfaceCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Tag as Ec2Tag,
} from '@aws-sdk/client-ec2';
import {
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
  type IAMClient,
  type Tag as IamTag,
} from '@aws-sdk/client-iam';
import { isNoSuchEntity } from '../../lambdas/aws/aws-call-error';
import { DRILL_TAG_KEY, drillUserName } from '../../lambdas/findings/drill-finding';
import type { CanaryClients } from './drill-canaries';
import type { CleanedUp } from './drill-report';

/** Why a resource is not this drill's canary, or undefined when it carries `firebreak:drill=<drill id>`. */
export function notDrillTagged(tags: readonly (IamTag | Ec2Tag)[] | undefined, drillId: string): string | undefined {
  const tag = (tags ?? []).find((candidate) => candidate.Key === DRILL_TAG_KEY);
  if (!tag) return `it does not carry the tag ${DRILL_TAG_KEY}`;
  if (tag.Value !== drillId) return `it carries ${DRILL_TAG_KEY}=${tag.Value}, not this drill's ${drillId}`;
  return undefined;
}

/**
 * Deletes this drill's canaries, found by name and tag (so also those a failed step never reported), and only those
 * that carry `firebreak:drill=<drill id>`: anything else is refused, said so, and left as it is. Each resource is
 * reported; a failure deleting one does not stop the others.
 */
export async function cleanUpCanaries(drillId: string, clients: CanaryClients): Promise<CleanedUp[]> {
  const cleaned: CleanedUp[] = [];
  const attempt = async (resource: string, work: () => Promise<CleanedUp['status']>, detail: string) => {
    try {
      cleaned.push({ resource, status: await work(), detail });
    } catch (error) {
      cleaned.push({ resource, status: 'failed', detail: `${(error as Error).name}: ${(error as Error).message}` });
    }
  };
  await cleanUpUser(drillId, clients.iam, cleaned, attempt);
  if (clients.ec2) await cleanUpNetworkInterfaces(drillId, clients.ec2, cleaned, attempt);
  return cleaned;
}

type Attempt = (resource: string, work: () => Promise<CleanedUp['status']>, detail: string) => Promise<void>;

async function cleanUpUser(drillId: string, iam: IAMClient, cleaned: CleanedUp[], attempt: Attempt): Promise<void> {
  const userName = drillUserName(drillId);
  const resource = `IAM user ${userName}`;
  let tags: IamTag[] | undefined;
  try {
    tags = (await iam.send(new GetUserCommand({ UserName: userName }))).User?.Tags;
  } catch (error) {
    if (isNoSuchEntity(error)) cleaned.push({ resource, status: 'absent', detail: 'not there: nothing to delete' });
    else cleaned.push({ resource, status: 'failed', detail: `iam:GetUser failed: ${(error as Error).message}` });
    return;
  }
  const foreign = notDrillTagged(tags, drillId);
  if (foreign) {
    cleaned.push({
      resource,
      status: 'refused',
      detail: `not deleted: ${foreign}; the drill deletes only its own canaries`,
    });
    return;
  }
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata ?? [];
  for (const { AccessKeyId: id } of keys)
    await attempt(
      `access key ${id}`,
      () => deleted(iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: id }))),
      `of ${userName}`,
    );
  const inline = (await iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames ?? [];
  for (const name of inline)
    await attempt(
      `inline policy ${name}`,
      () => deleted(iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: name }))),
      `of ${userName}`,
    );
  const attached = (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }))).AttachedPolicies ?? [];
  for (const { PolicyArn: arn } of attached)
    await attempt(
      `attached policy ${arn}`,
      () => deleted(iam.send(new DetachUserPolicyCommand({ UserName: userName, PolicyArn: arn }))),
      `detached from ${userName}`,
    );
  await attempt(
    resource,
    () => deleted(iam.send(new DeleteUserCommand({ UserName: userName }))),
    `tagged ${DRILL_TAG_KEY}=${drillId}`,
  );
}

async function cleanUpNetworkInterfaces(
  drillId: string,
  ec2: EC2Client,
  cleaned: CleanedUp[],
  attempt: Attempt,
): Promise<void> {
  const found = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: `tag:${DRILL_TAG_KEY}`, Values: [drillId] }] }),
  );
  for (const eni of found.NetworkInterfaces ?? []) {
    const resource = `network interface ${eni.NetworkInterfaceId}`;
    // The filter asked EC2 for the tag; the interface's own tags are checked again before anything is deleted.
    const foreign = notDrillTagged(eni.TagSet, drillId);
    if (foreign) {
      cleaned.push({ resource, status: 'refused', detail: `not deleted: ${foreign}` });
      continue;
    }
    await attempt(
      resource,
      () => deleted(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.NetworkInterfaceId }))),
      `tagged ${DRILL_TAG_KEY}=${drillId}`,
    );
  }
}

async function deleted(call: Promise<unknown>): Promise<'deleted'> {
  await call;
  return 'deleted';
}
