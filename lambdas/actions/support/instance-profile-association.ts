import { DescribeIamInstanceProfileAssociationsCommand } from '@aws-sdk/client-ec2';
import { awsCall } from '../../aws/aws-call-error';
import type { AwsClients } from '../../aws/aws-clients';

export interface ProfileAssociation {
  readonly associationId: string;
  readonly instanceProfileArn: string;
}

/** The instance's current (associating or associated) instance-profile association, if any. */
export async function readProfileAssociation(
  instanceId: string,
  clients: AwsClients,
): Promise<ProfileAssociation | null> {
  const response = await awsCall('ec2:DescribeIamInstanceProfileAssociations', `instance ${instanceId}`, () =>
    clients.ec2.send(
      new DescribeIamInstanceProfileAssociationsCommand({
        Filters: [
          { Name: 'instance-id', Values: [instanceId] },
          { Name: 'state', Values: ['associating', 'associated'] },
        ],
      }),
    ),
  );
  const association = response.IamInstanceProfileAssociations?.find((candidate) => candidate.InstanceId === instanceId);
  return association?.AssociationId && association.IamInstanceProfile?.Arn
    ? { associationId: association.AssociationId, instanceProfileArn: association.IamInstanceProfile.Arn }
    : null;
}
