import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';

const playbooks = loadPlaybooks();

describe('FirebreakStack: what the response metrics and reports need', () => {
  const config = parseConfig(
    { notificationEmails: ['oncall@example.com'], protectedPrincipals: [] },
    'test config',
    playbooks.map((playbook) => playbook.id),
  );
  const stack = new FirebreakStack(new App(), 'Firebreak', {
    env: { account: '111122223333', region: 'us-east-1' },
    config,
    playbooks,
  });
  const template = Template.fromStack(stack);

  it('the ledger has the sparse incidents-by-day index: day partition, receipt sort key, every attribute projected', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'incidents-by-day',
          KeySchema: [
            { AttributeName: 'receivedDay', KeyType: 'HASH' },
            { AttributeName: 'receivedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'receivedDay', AttributeType: 'S' },
        { AttributeName: 'receivedAt', AttributeType: 'S' },
      ]),
    });
  });

  it('one response dashboard, watching every responder dead-letter queue, named in the outputs', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
      Properties: { DashboardBody: { 'Fn::Join': [string, unknown[]] } };
    }[];
    const references = dashboard!.Properties.DashboardBody['Fn::Join'][1].filter((part) => typeof part !== 'string');
    expect(references.filter((part) => JSON.stringify(part).includes('DeadLetterQueue'))).toHaveLength(
      stack.responders.size,
    );
    template.hasOutput('DashboardName', {});
  });
});
