import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, type FirebreakConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';
import { parseResponderSettings } from '../../lambdas/engine/responder-settings';

const ENV = { account: '111122223333', region: 'us-east-1' };
const playbooks = loadPlaybooks();

function config(input: Record<string, unknown> = {}): FirebreakConfig {
  return parseConfig(
    { notificationEmails: ['oncall@example.com'], protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*'], ...input },
    'test config',
    playbooks.map((playbook) => playbook.id),
  );
}

function synth(input: Record<string, unknown> = {}) {
  const app = new App();
  const stack = new FirebreakStack(app, 'Firebreak', { env: ENV, config: config(input), playbooks });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

describe('FirebreakStack', () => {
  let template: Template;
  let stack: FirebreakStack;

  beforeAll(() => {
    const built = synth();
    stack = built.stack;
    // Synthesis runs cdk-nag; an unacknowledged AwsSolutions error throws here.
    built.app.synth();
    template = Template.fromStack(stack);
  });

  it('compiles the playbook trigger into one rule: source, detail-type, prefix on type, numeric on severity', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: {
          type: Match.arrayWith([{ prefix: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration' }, { prefix: 'CredentialAccess:IAMUser/' }]),
          severity: [{ numeric: ['>=', 5] }],
          resource: { resourceType: ['AccessKey'] },
        },
      },
    });
  });

  it('the rule target retries and has a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
  });

  it('the function: Node.js 24 on ARM64, bounded concurrency, async failures to the DLQ without Lambda retries', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 5,
      Environment: { Variables: Match.objectLike({ FIREBREAK_SETTINGS: Match.anyValue(), FIREBREAK_TOPIC_ARN: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } } },
    });
  });

  it('the function receives settings that the handler accepts, with its own role protected', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Environment: { Variables: { FIREBREAK_SETTINGS: unknown } } } };
    const raw = stack.resolve(fn.Properties.Environment.Variables.FIREBREAK_SETTINGS);
    // The settings are a JSON string with the partition as a token; resolve it as CloudFormation would.
    const joined = (raw as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : 'aws'))
      .join('');
    const settings = parseResponderSettings(joined, 'FIREBREAK_SETTINGS');
    expect(settings.playbook.id).toBe('compromised-iam-credentials');
    expect(settings.homeAccountId).toBe('111122223333');
    expect(settings.protectedPrincipals).toEqual(['arn:aws:iam::*:role/BreakGlass*', 'arn:aws:iam::111122223333:role/Firebreak-*']);
  });

  it('logs are kept for the configured retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('the role holds exactly the steps\' permissions: no wildcard action, scoped to this account', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Effect: string }[] } } }).Properties.PolicyDocument.Statement);
    const actions = statements.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    const iamActions = actions.filter((action) => action.startsWith('iam:')).sort();
    expect(iamActions).toEqual([
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:GetUser',
      'iam:GetUserPolicy',
      'iam:ListAccessKeys',
      'iam:ListRoleTags',
      'iam:ListUserTags',
      'iam:PutRolePolicy',
      'iam:PutUserPolicy',
      'iam:TagRole',
      'iam:TagUser',
      'iam:UpdateAccessKey',
    ]);
    // Never a delete.
    expect(iamActions.filter((action) => /Delete|Detach|Remove/.test(action))).toEqual([]);
  });

  it('denies every write on protected principals and on its own roles, whatever a finding says', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: ['iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:TagRole', 'iam:TagUser', 'iam:UpdateAccessKey'],
            Resource: Match.arrayWith(['arn:aws:iam::*:role/BreakGlass*', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/Firebreak-*']] }]),
          }),
        ]),
      },
    });
  });

  it('notifications: a KMS-encrypted topic with a rotating key, TLS enforced, e-mail subscriptions', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('dead-letter queues are encrypted, TLS-only, and watched by an alarm that notifies', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('NotificationsTopic') }],
    });
  });
});

describe('FirebreakStack configuration', () => {
  it('applies per-playbook mode and severity overrides', () => {
    const { stack } = synth({ minimumSeverity: 8, playbooks: { 'compromised-iam-credentials': { mode: 'dry-run' } } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: Match.objectLike({ severity: [{ numeric: ['>=', 8] }] }) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'Firebreak: compromised-iam-credentials (dry-run)' });
  });

  it('a disabled playbook deploys no responder', () => {
    const { stack } = synth({ playbooks: { 'compromised-iam-credentials': { enabled: false } } });
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 0);
  });

  it('cdk-nag is wired: an unacknowledged violation fails the synth', () => {
    const { app, stack } = synth();
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
  });
});
