import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, type FirebreakConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';
import { parseResponderSettings } from '../../lambdas/pipeline/responder-settings';

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
    template.resourceCountIs('AWS::Events::Rule', playbooks.length);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: {
          type: Match.arrayWith([
            { prefix: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration' },
            { prefix: 'CredentialAccess:IAMUser/' },
          ]),
          severity: [{ numeric: ['>=', 5] }],
          resource: { resourceType: ['AccessKey'] },
        },
      },
    });
  });

  it('compiles the EC2 playbook into its own rule on Instance findings at severity 7 or more', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: {
          type: Match.arrayWith([{ prefix: 'Backdoor:EC2/' }, { prefix: 'CryptoCurrency:EC2/' }]),
          severity: [{ numeric: ['>=', 7] }],
          resource: { resourceType: ['Instance'] },
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

  it('the function: Node.js 24 on ARM64, bounded concurrency, async failures retried twice by Lambda, then to the DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: Match.objectLike({ FIREBREAK_SETTINGS: Match.anyValue(), FIREBREAK_TOPIC_ARN: Match.anyValue() }),
      },
    });
    expect(stack.responders.size).toBeGreaterThan(0);
    for (const responder of stack.responders.values()) {
      const configs = template.findResources('AWS::Lambda::EventInvokeConfig', {
        Properties: { FunctionName: { Ref: stack.getLogicalId(responder.function.node.defaultChild as never) } },
      });
      expect(Object.values(configs).map((config) => (config as { Properties: unknown }).Properties)).toEqual([
        expect.objectContaining({
          MaximumRetryAttempts: 2,
          MaximumEventAgeInSeconds: 21600,
          DestinationConfig: {
            OnFailure: {
              Destination: {
                'Fn::GetAtt': [stack.getLogicalId(responder.deadLetterQueue.node.defaultChild as never), 'Arn'],
              },
            },
          },
        }),
      ]);
    }
  });

  it("the release function: no Lambda retry of a person's release, an asynchronous failure goes to its dead-letter queue", () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: stack.getLogicalId(stack.release.function.node.defaultChild as never) },
      MaximumRetryAttempts: 0,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [stack.getLogicalId(stack.release.deadLetterQueue.node.defaultChild as never), 'Arn'],
          },
        },
      },
    });
  });

  it('the function receives settings that the handler accepts, with its own role protected', () => {
    const fn = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('compromised-iam-credentials') },
      }),
    )[0] as {
      Properties: { Environment: { Variables: { FIREBREAK_SETTINGS: unknown } } };
    };
    const raw = stack.resolve(fn.Properties.Environment.Variables.FIREBREAK_SETTINGS);
    // The settings are a JSON string with the partition as a token; resolve it as CloudFormation would.
    const joined = (raw as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : 'aws'))
      .join('');
    const settings = parseResponderSettings(joined, 'FIREBREAK_SETTINGS');
    expect(settings.playbook.id).toBe('compromised-iam-credentials');
    expect(settings.homeAccountId).toBe('111122223333');
    expect(settings.protectedPrincipals).toEqual([
      'arn:aws:iam::*:role/BreakGlass*',
      'arn:aws:iam::111122223333:role/Firebreak-*',
    ]);
  });

  it('logs are kept for the configured retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  function allowedActions(playbookId: string): string[] {
    const logical = playbookId.replace(/-/g, '');
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith(`Responder${logical}`),
    );
    expect(policies.length).toBe(1);
    const statements = policies.flatMap(
      ([, policy]) =>
        (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Effect: string }[] } } })
          .Properties.PolicyDocument.Statement,
    );
    return statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat());
  }

  it("the IAM responder's role holds exactly its steps' permissions: no wildcard action, never a delete", () => {
    const actions = allowedActions('compromised-iam-credentials');
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    expect(actions.filter((action) => !/^(logs|sns|kms|sqs|dynamodb|guardduty):/.test(action)).sort()).toEqual([
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
    expect(actions.filter((action) => /^iam:.*(Delete|Detach|Remove)/.test(action))).toEqual([]);
    // The ledger: item reads and conditional writes only, no scans.
    expect([...new Set(actions.filter((action) => action.startsWith('dynamodb:')))].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  it('the incident ledger: encrypted with a customer-managed key, point-in-time recovery, TTL, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it("the EC2 responder's role holds exactly its steps' permissions and can never stop or terminate", () => {
    const actions = allowedActions('compromised-ec2-instance');
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    expect(
      [...new Set(actions.filter((action) => !/^(logs|sns|kms|sqs|dynamodb|guardduty):/.test(action)))].sort(),
    ).toEqual([
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:EnterStandby',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:CreateSecurityGroup',
      'ec2:CreateSnapshots',
      'ec2:CreateTags',
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSnapshots',
      'ec2:DisassociateIamInstanceProfile',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'iam:GetInstanceProfile',
      'iam:GetRolePolicy',
      'iam:PutRolePolicy',
    ]);
    expect(actions.filter((action) => /^(ec2|autoscaling|iam):.*(Stop|Terminate|Delete|Detach)/.test(action))).toEqual(
      [],
    );
  });

  it("the release function's role can undo every step, and nothing more: no stop, terminate or delete of resources", () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('Release'),
    );
    const statements = policies.flatMap(
      ([, policy]) =>
        (
          policy as {
            Properties: {
              PolicyDocument: { Statement: { Action: string | string[]; Effect: string; Condition?: unknown }[] };
            };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const allowed = [
      ...new Set(
        statements
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap((statement) => [statement.Action].flat()),
      ),
    ];
    expect(allowed.filter((action) => !/^(logs|sns|kms|sqs|dynamodb):/.test(action)).sort()).toEqual([
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:ExitStandby',
      'ec2:AssociateIamInstanceProfile',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSnapshots',
      'ec2:ModifyInstanceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:ModifySnapshotAttribute',
      'iam:DeleteRolePolicy',
      'iam:DeleteUserPolicy',
      'iam:GetInstanceProfile',
      'iam:GetRolePolicy',
      'iam:GetUserPolicy',
      'iam:ListAccessKeys',
      'iam:PassRole',
      'iam:PutRolePolicy',
      'iam:PutUserPolicy',
      'iam:UpdateAccessKey',
    ]);
    expect(statements.find((statement) => statement.Action === 'iam:PassRole')).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    });
    expect(
      allowed.filter((action) => /Stop|Terminate|DeleteAccessKey|DeleteUser$|DeleteRole$|DeleteSnapshot/.test(action)),
    ).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Firebreak: release one incident from its recorded pre-state',
      Environment: { Variables: Match.objectLike({ FIREBREAK_RELEASE_EXEMPTION_HOURS: '24' }) },
    });
  });

  it('denies every write on protected principals and on its own roles, whatever a finding says', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: ['iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:TagRole', 'iam:TagUser', 'iam:UpdateAccessKey'],
            Resource: Match.arrayWith([
              'arn:aws:iam::*:role/BreakGlass*',
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/Firebreak-*']] },
            ]),
          }),
        ]),
      },
    });
  });

  it('notifications: a KMS-encrypted topic with a rotating key, TLS enforced, e-mail subscriptions', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('dead-letter queues are encrypted, TLS-only, and watched by an alarm that notifies', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: stack.getLogicalId(stack.alarms.topic.node.defaultChild as never) }],
    });
  });
});

describe('FirebreakStack configuration', () => {
  it('applies per-playbook mode and severity overrides', () => {
    const { stack } = synth({ minimumSeverity: 8, playbooks: { 'compromised-iam-credentials': { mode: 'dry-run' } } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: Match.objectLike({ severity: [{ numeric: ['>=', 8] }] }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Firebreak: compromised-iam-credentials (dry-run)',
    });
  });

  it('a disabled playbook deploys no responder', () => {
    const { stack } = synth({ playbooks: { 'compromised-iam-credentials': { enabled: false } } });
    const template = Template.fromStack(stack);
    // The remaining responder and the release function.
    template.resourceCountIs('AWS::Lambda::Function', playbooks.length);
    expect(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('compromised-iam-credentials') },
      }),
    ).toEqual({});
  });

  it('cdk-nag is wired: an unacknowledged violation fails the synth', () => {
    const { app, stack } = synth();
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
  });
});
