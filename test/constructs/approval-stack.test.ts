import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { parseConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';

const playbooks = loadPlaybooks();
const IAM = 'compromised-iam-credentials';

function synth(overrides: Record<string, unknown> = {}) {
  const config = parseConfig(
    { notificationEmails: ['oncall@example.com'], playbooks: overrides },
    'test config',
    playbooks.map((playbook) => playbook.id),
  );
  const app = new App();
  const stack = new FirebreakStack(app, 'Firebreak', {
    env: { account: '111122223333', region: 'us-east-1' },
    config,
    playbooks,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth(); // runs cdk-nag: an unacknowledged AwsSolutions error throws
  return { stack, template: Template.fromStack(stack) };
}

/** Every statement of the policies attached to one responder's role (its own policy and the protected-principal deny). */
function roleStatements(template: Template, playbookId: string): unknown[] {
  const logical = `Responder${playbookId.replace(/-/g, '')}`;
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(logical))
    .flatMap(
      ([, policy]) =>
        (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement,
    );
}

describe('FirebreakStack with a playbook in approval mode', () => {
  const approving = synth({ [IAM]: { mode: 'approve', approval: { timeoutMinutes: 60, onTimeout: 'drop' } } });
  const enforcing = synth();

  it('one sweep rule, every minute, invoking the approval-mode responder with {"firebreak":"sweep"}, with the DLQ', () => {
    const schedules = approving.template.findResources('AWS::Events::Rule', {
      Properties: { ScheduleExpression: Match.anyValue() },
    });
    expect(Object.keys(schedules)).toHaveLength(1);
    const responder = approving.stack.responders.get(IAM)!;
    const functionId = approving.stack.getLogicalId(responder.function.node.defaultChild as never);
    const queueId = approving.stack.getLogicalId(responder.deadLetterQueue.node.defaultChild as never);
    approving.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Input: JSON.stringify({ firebreak: 'sweep' }),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
        }),
      ],
    });
    const ruleId = Object.keys(schedules)[0]!;
    approving.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
    });
    approving.template.hasOutput(`ResponderFunctionName${IAM.replace(/-/g, '')}`, {});
  });

  it('the sparse approvals-due index, keys only; absent (with the sweep) when no playbook is in approval mode', () => {
    approving.template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: 'approvals-due',
          KeySchema: [
            { AttributeName: 'approvalSweep', KeyType: 'HASH' },
            { AttributeName: 'approvalDueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
    });
    expect(JSON.stringify(enforcing.template.toJSON())).not.toContain('approvals-due');
    expect(
      Object.keys(
        enforcing.template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }),
      ),
    ).toHaveLength(0);
  });

  it('approval needs no new permission: the responder role is exactly the enforce-mode one', () => {
    expect(roleStatements(approving.template, IAM).length).toBeGreaterThan(0);
    expect(roleStatements(approving.template, IAM)).toEqual(roleStatements(enforcing.template, IAM));
  });

  it('the responder is told its mode and approval settings, in a form the handler accepts', () => {
    const fn = Object.values(
      approving.template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp(IAM) },
      }),
    )[0] as {
      Properties: { Environment: { Variables: { FIREBREAK_SETTINGS: unknown } } };
    };
    const raw = approving.stack.resolve(fn.Properties.Environment.Variables.FIREBREAK_SETTINGS) as {
      'Fn::Join': [string, unknown[]];
    };
    const joined = raw['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'aws')).join('');
    const settings = parseResponderSettings(joined, 'FIREBREAK_SETTINGS');
    expect(settings.playbook).toMatchObject({ mode: 'approve', approval: { timeoutMinutes: 60, onTimeout: 'drop' } });
  });
});
