// Bundled by test/lib/deployed-bundle.test.ts as the functions are bundled: one call per protocol a responder uses
// (IAM and SNS: query, XML answers; DynamoDB: JSON), through the clients the handlers build.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { GetUserCommand } from '@aws-sdk/client-iam';
import { PublishCommand } from '@aws-sdk/client-sns';
import { createAwsClients } from '../../lambdas/aws/aws-clients';

export async function probe(): Promise<unknown> {
  const clients = createAwsClients(process.env.AWS_REGION ?? 'us-east-1');
  const user = await clients.iam.send(new GetUserCommand({ UserName: 'alice' }));
  const item = await clients.dynamodb.send(
    new GetItemCommand({ TableName: 'ledger', Key: { pk: { S: 'incident#1' } } }),
  );
  const published = await clients.sns.send(
    new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111122223333:firebreak', Message: 'probe' }),
  );
  let ec2: string;
  try {
    void clients.ec2;
    ec2 = 'built';
  } catch (error) {
    ec2 = (error as Error).message;
  }
  return { userId: user.User?.UserId, item: item.Item, messageId: published.MessageId, ec2 };
}

/** EC2's query protocol: list members named by their EC2 query names, answers read from XML sets. */
export async function probeEc2(): Promise<unknown> {
  const clients = createAwsClients(process.env.AWS_REGION ?? 'us-east-1');
  const described = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0probe'] }));
  await clients.ec2.send(
    new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-0probe', Groups: ['sg-0quarantine'] }),
  );
  const instance = described.Reservations?.[0]?.Instances?.[0];
  return { instanceId: instance?.InstanceId, groups: instance?.NetworkInterfaces?.[0]?.Groups };
}
