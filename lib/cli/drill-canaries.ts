import { CreateNetworkInterfaceCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DRILL_TAG_KEY, drillUserName } from '../../lambdas/findings/drill-finding';
import type { PhaseResult } from './drill-report';

/** What the drill created; filled in as it goes, so a failure part way still says what exists. */
export interface Canary {
  readonly userName: string;
  userId?: string;
  accessKeyId?: string;
  networkInterfaceId?: string;
}

export interface CanaryClients {
  readonly iam: IAMClient;
  /** Only with --with-eni. */
  readonly ec2?: EC2Client;
}

/**
 * Creates the drill's canaries, each tagged `firebreak:drill=<drill id>` as it is created (never tagged afterwards, so
 * nothing untagged is ever left): an IAM user `firebreak-drill-<id>` with one access key (its secret is dropped at
 * once: nobody signs with it), and with `subnetId` a network interface in that subnet.
 */
export async function createCanaries(
  drillId: string,
  canary: Canary,
  clients: CanaryClients,
  subnetId?: string,
): Promise<PhaseResult<Canary>> {
  const tags = [{ Key: DRILL_TAG_KEY, Value: drillId }];
  const userName = drillUserName(drillId);
  const user = await clients.iam.send(new CreateUserCommand({ UserName: userName, Tags: tags }));
  canary.userId = user.User?.UserId;
  const key = await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  canary.accessKeyId = key.AccessKey?.AccessKeyId;
  if (!canary.userId || !canary.accessKeyId)
    return { ok: false, detail: `IAM did not return the user id and key id of ${userName}` };
  const created = [`IAM user ${userName} (${canary.userId}) with access key ${canary.accessKeyId}`];
  if (subnetId) {
    if (!clients.ec2) throw new Error('--with-eni needs an EC2 client');
    const eni = await clients.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        Description: `Firebreak drill ${drillId} canary`,
        TagSpecifications: [{ ResourceType: 'network-interface', Tags: tags }],
      }),
    );
    canary.networkInterfaceId = eni.NetworkInterface?.NetworkInterfaceId;
    if (!canary.networkInterfaceId) return { ok: false, detail: 'EC2 did not return the network interface id' };
    created.push(`network interface ${canary.networkInterfaceId} in ${subnetId}`);
  }
  return { ok: true, detail: `${created.join('; ')}; tagged ${DRILL_TAG_KEY}=${drillId}`, value: canary };
}
