import { DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupEgressCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { clearRules } from '../../lambdas/actions/support/security-groups';
import type { AwsClients } from '../../lambdas/aws/aws-clients';

const DEFAULT_EGRESS = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
const notFound = () =>
  Object.assign(new Error('The specified rule does not exist in this security group.'), {
    name: 'InvalidPermission.NotFound',
    Code: 'InvalidPermission.NotFound',
    $fault: 'client',
  });

function world() {
  const ec2 = new EC2Client({ region: 'us-east-1' });
  return { mock: mockClient(ec2), clients: { ec2 } as unknown as AwsClients };
}

describe('clearRules: emptying a quarantine group another invocation empties too', () => {
  it('a rule revoked meanwhile by the other invocation: reads again and stops when nothing is left', async () => {
    const { mock, clients } = world();
    mock
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [{ GroupId: 'sg-q', IpPermissionsEgress: DEFAULT_EGRESS }] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-q', IpPermissionsEgress: [] }] });
    mock.on(RevokeSecurityGroupEgressCommand).rejects(notFound());
    await expect(clearRules('sg-q', clients)).resolves.toBeUndefined();
    expect(mock.commandCalls(RevokeSecurityGroupEgressCommand)).toHaveLength(1);
  });

  it('any other error still fails, with its cause', async () => {
    const { mock, clients } = world();
    mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-q', IpPermissionsEgress: DEFAULT_EGRESS }] });
    mock.on(RevokeSecurityGroupEgressCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'UnauthorizedOperation',
        Code: 'UnauthorizedOperation',
        $fault: 'client',
      }),
    );
    await expect(clearRules('sg-q', clients)).rejects.toThrow('UnauthorizedOperation');
  });

  it('gives up after three reads that keep finding a rule that is gone when revoked', async () => {
    const { mock, clients } = world();
    mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-q', IpPermissionsEgress: DEFAULT_EGRESS }] });
    mock.on(RevokeSecurityGroupEgressCommand).rejects(notFound());
    await expect(clearRules('sg-q', clients)).rejects.toThrow('NotFound');
    expect(mock.commandCalls(RevokeSecurityGroupEgressCommand)).toHaveLength(3);
  });
});
