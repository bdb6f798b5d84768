import { App, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lib/config';
import { configuredRegions } from '../../lib/constructs/configured-regions';
import { FindingForwarderStack } from '../../lib/constructs/finding-forwarder-stack';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { LEDGER_MAC_KEY_ADMIN_ACTIONS } from '../../lib/constructs/ledger-mac-key';
import { MemberConfigForwarderStack, MemberRoleStack } from '../../lib/constructs/member-account-stack';
import { loadPlaybooks } from '../../lib/playbooks';

// Issue 14, the CDK side: every asynchronous hop has a dead-letter queue and an alarm on a topic apart from the
// notification topic; Lambda retries a failed event before it goes to the person; Regional grants in every
// configured Region; the ledger's HMAC key usable only by the responder and release roles; source re-reads.

const ENV = { account: '111122223333', region: 'us-east-1' };
const playbooks = loadPlaybooks();
const ids = playbooks.map((playbook) => playbook.id);
const ALARMS = {
  emails: ['pager@example.com'],
  httpsEndpoints: ['https://events.pagerduty.com/integration/abc123/enqueue'],
};

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
  Sid?: string;
};

function synth(input: Record<string, unknown> = {}) {
  const app = new App();
  const config = parseConfig(
    { notificationEmails: ['oncall@example.com'], alarms: ALARMS, ...input },
    'test config',
    ids,
  );
  const stack = new FirebreakStack(app, 'Firebreak', { env: ENV, config, playbooks });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Runs cdk-nag: an unacknowledged AwsSolutions error throws here.
  app.synth();
  return { app, stack, config, template: Template.fromStack(stack) };
}

function roleStatements(template: Template, roleName: string): Statement[] {
  const [roleId] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }));
  expect(roleId).toBeDefined();
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const allowing = (statements: Statement[], action: string) =>
  statements.filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action));
/** The resources of every Allow statement with this action, as JSON strings (tokens included). */
const resourcesFor = (statements: Statement[], action: string) =>
  allowing(statements, action).flatMap((statement) =>
    [statement.Resource].flat().map((resource) => JSON.stringify(resource)),
  );

/** Resources in a CloudFormation template that refer to each other in a circle (Ref, Fn::GetAtt, DependsOn). */
function dependencyCycle(template: Record<string, unknown>): string[] | undefined {
  const resources = (template as { Resources: Record<string, { DependsOn?: string | string[] }> }).Resources;
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const refs = new Set<string>([resource.DependsOn ?? []].flat());
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'Ref' && typeof value === 'string' && value in resources) refs.add(value);
          else if (
            key === 'Fn::GetAtt' &&
            Array.isArray(value) &&
            typeof value[0] === 'string' &&
            value[0] in resources
          )
            refs.add(value[0]);
          else walk(value);
        }
      }
    };
    walk(resource);
    edges.set(id, refs);
  }
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('hardening: the default deployment', () => {
  let built: ReturnType<typeof synth>;
  let template: Template;
  beforeAll(() => {
    built = synth();
    template = built.template;
  });

  const alarmTopicRef = () => ({ Ref: built.stack.getLogicalId(built.stack.alarms.topic.node.defaultChild as never) });
  const notificationTopicRef = () => ({
    Ref: built.stack.getLogicalId(built.stack.notifications.topic.node.defaultChild as never),
  });

  it('an alarm topic apart from the notification topic: its own key, the configured e-mail and pager subscriptions, an output', () => {
    expect(alarmTopicRef()).not.toEqual(notificationTopicRef());
    const topics = template.findResources('AWS::SNS::Topic');
    const alarmTopic = topics[alarmTopicRef().Ref] as { Properties: { KmsMasterKeyId: unknown } };
    const notificationTopic = topics[notificationTopicRef().Ref] as { Properties: { KmsMasterKeyId: unknown } };
    expect(alarmTopic.Properties.KmsMasterKeyId).toBeDefined();
    expect(alarmTopic.Properties.KmsMasterKeyId).not.toEqual(notificationTopic.Properties.KmsMasterKeyId);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'pager@example.com',
      TopicArn: alarmTopicRef(),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: ALARMS.httpsEndpoints[0],
      TopicArn: alarmTopicRef(),
    });
    // The notification addresses stay on the notification topic only.
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: notificationTopicRef(),
    });
    expect(
      template.findResources('AWS::SNS::Subscription', {
        Properties: { Endpoint: 'oncall@example.com', TopicArn: alarmTopicRef() },
      }),
    ).toEqual({});
    template.hasOutput('AlarmTopicArn', { Value: alarmTopicRef() });
  });

  it('only the alarm topic key lets CloudWatch publish; the notification topic key does not', () => {
    const keyPolicy = (key: { node: { defaultChild?: unknown } }) =>
      JSON.stringify(
        (
          template.findResources('AWS::KMS::Key')[built.stack.getLogicalId(key.node.defaultChild as never)] as {
            Properties: { KeyPolicy: unknown };
          }
        ).Properties.KeyPolicy,
      );
    expect(keyPolicy(built.stack.alarms.key!)).toContain('cloudwatch.amazonaws.com');
    expect(keyPolicy(built.stack.notifications.key)).not.toContain('cloudwatch.amazonaws.com');
    template.hasOutput('ReleaseDeadLetterQueue', {
      Value: { Ref: built.stack.getLogicalId(built.stack.release.deadLetterQueue.node.defaultChild as never) },
    });
  });

  it('every alarm pages through the alarm topic (ALARM and OK), none through the notification topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmActions: unknown[]; OKActions: unknown[] };
    }[];
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([alarmTopicRef()]);
      expect(alarm.Properties.OKActions).toEqual([alarmTopicRef()]);
    }
  });

  it('every Firebreak function (each responder and release) has an Errors and a Throttles alarm', () => {
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBe(built.stack.responders.size + 1);
    for (const functionId of functions) {
      for (const metricName of ['Errors', 'Throttles']) {
        const alarms = template.findResources('AWS::CloudWatch::Alarm', {
          Properties: {
            Namespace: 'AWS/Lambda',
            MetricName: metricName,
            Statistic: 'Sum',
            Threshold: 1,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
          },
        });
        expect([functionId, metricName, Object.keys(alarms).length]).toEqual([functionId, metricName, 1]);
      }
    }
  });

  it("every dead-letter queue (each responder's and release's) is watched by an alarm", () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toContain(built.stack.getLogicalId(built.stack.release.deadLetterQueue.node.defaultChild as never));
    for (const queueId of queues) {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        },
      });
      expect([queueId, Object.keys(alarms).length]).toEqual([queueId, 1]);
    }
  });

  it('the ledger MAC key: HMAC_256 for GENERATE_VERIFY_MAC, retained, no rotation (KMS does not rotate HMAC keys)', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', EnableKeyRotation: Match.absent() },
    });
    template.hasOutput('LedgerMacKeyArn', {
      Value: {
        'Fn::GetAtt': [built.stack.getLogicalId(built.stack.ledgerMacKey.key.node.defaultChild as never), 'Arn'],
      },
    });
  });

  it('its key policy: the account administers the key but cannot use it; only the responder and release roles may MAC and verify', () => {
    const key = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'HMAC_256' } });
    const statements = (Object.values(key)[0] as { Properties: { KeyPolicy: { Statement: Statement[] } } }).Properties
      .KeyPolicy.Statement;
    expect(statements).toHaveLength(2);
    const [admin, use] = statements as [Statement, Statement];
    expect(admin).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
      Resource: '*',
    });
    expect(actionsOf(admin).sort()).toEqual([...LEDGER_MAC_KEY_ADMIN_ACTIONS].sort());
    for (const forbidden of [
      'kms:*',
      'kms:GenerateMac',
      'kms:VerifyMac',
      'kms:CreateGrant',
      'kms:Create*',
      'kms:Generate*',
      'kms:Verify*',
    ])
      expect(actionsOf(admin)).not.toContain(forbidden);
    expect(actionsOf(admin).every((action) => !action.includes('*'))).toBe(true);

    expect(use).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(actionsOf(use).sort()).toEqual(['kms:GenerateMac', 'kms:VerifyMac']);
    const roleArn = (roleName: string) => {
      const [roleId] = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }));
      return { 'Fn::GetAtt': [roleId, 'Arn'] };
    };
    const expected = [...built.stack.responders.keys()]
      .map((id) => roleArn(`Firebreak-${id}`))
      .concat(roleArn('Firebreak-release'));
    const principals = [(use.Principal as { AWS: unknown }).AWS].flat();
    expect(principals).toHaveLength(expected.length);
    expect(principals).toEqual(expect.arrayContaining(expected));
  });

  it('no IAM policy of the stack grants a MAC action: use comes from the key policy alone', () => {
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toMatch(/kms:(GenerateMac|VerifyMac)/);
  });

  it('every responder and the release function get the MAC key ARN as FIREBREAK_LEDGER_MAC_KEY', () => {
    const keyArn = {
      'Fn::GetAtt': [built.stack.getLogicalId(built.stack.ledgerMacKey.key.node.defaultChild as never), 'Arn'],
    };
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(functions).toHaveLength(built.stack.responders.size + 1);
    for (const fn of functions) expect(fn.Properties.Environment.Variables.FIREBREAK_LEDGER_MAC_KEY).toEqual(keyArn);
  });

  it('no circular dependency: the key follows the roles, the functions follow the key', () => {
    expect(dependencyCycle(template.toJSON())).toBeUndefined();
  });

  it('the cycle check finds a cycle', () => {
    expect(
      dependencyCycle({
        Resources: { A: { Properties: { X: { Ref: 'B' } } }, B: { Properties: { Y: { 'Fn::GetAtt': ['A', 'Arn'] } } } },
      }),
    ).toEqual(['A', 'B', 'A']);
  });

  it("GuardDuty responders may re-read findings: ListDetectors (no resource-level permission) and GetFindings on this account's detectors", () => {
    const statements = roleStatements(template, 'Firebreak-compromised-iam-credentials');
    expect(resourcesFor(statements, 'guardduty:ListDetectors')).toEqual(['"*"']);
    expect(resourcesFor(statements, 'guardduty:GetFindings')).toEqual([
      JSON.stringify({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':guardduty:us-east-1:111122223333:detector/*']],
      }),
    ]);
    // A Config playbook reads no GuardDuty finding, and without Security Hub no responder reads Security Hub.
    const config = roleStatements(template, 'Firebreak-config-restricted-ssh');
    expect(JSON.stringify(config)).not.toContain('guardduty:');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('securityhub:GetFindings');
  });
});

describe('hardening: a forwarded Region (organization.forwardFromRegions eu-west-1)', () => {
  const organization = { organizationId: 'o-a1b2c3d4e5', forwardFromRegions: ['eu-west-1'] };
  let built: ReturnType<typeof synth>;
  beforeAll(() => {
    built = synth({ organization });
  });

  const inRegion = (service: string, region: string, rest: string) =>
    JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:${region}:111122223333:${rest}`]],
    });

  it('the configured Regions: home first, then the forwarding and StackSet Regions, once each', () => {
    expect(built.stack.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(
      configuredRegions(
        {
          organization: {
            ...built.config.organization!,
            stackSet: { organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1', 'ap-south-1'], callAs: 'SELF' },
          },
        },
        'us-east-1',
      ),
    ).toEqual(['us-east-1', 'eu-west-1', 'ap-south-1']);
  });

  it("the EC2 responder's EC2 and Auto Scaling writes are granted in eu-west-1 as in the home Region", () => {
    const statements = roleStatements(built.template, 'Firebreak-compromised-ec2-instance');
    for (const action of [
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateSnapshots',
      'ec2:AuthorizeSecurityGroupEgress',
    ]) {
      expect(resourcesFor(statements, action)).toEqual(
        expect.arrayContaining([inRegion('ec2', 'us-east-1', '*'), inRegion('ec2', 'eu-west-1', '*')]),
      );
    }
    const snapshots = JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1::snapshot/*']],
    });
    expect(resourcesFor(statements, 'ec2:CreateSnapshots')).toContain(snapshots);
    expect(resourcesFor(statements, 'autoscaling:EnterStandby')).toEqual(
      expect.arrayContaining([
        inRegion('autoscaling', 'us-east-1', 'autoScalingGroup:*:autoScalingGroupName/*'),
        inRegion('autoscaling', 'eu-west-1', 'autoScalingGroup:*:autoScalingGroupName/*'),
      ]),
    );
    // IAM is global: its ARNs are not repeated per Region.
    expect(resourcesFor(statements, 'iam:PutRolePolicy')).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:role/*']] }),
    ]);
  });

  it('the release function undoes in eu-west-1 too', () => {
    const statements = roleStatements(built.template, 'Firebreak-release');
    expect(resourcesFor(statements, 'ec2:ModifyNetworkInterfaceAttribute')).toEqual(
      expect.arrayContaining([inRegion('ec2', 'us-east-1', '*'), inRegion('ec2', 'eu-west-1', '*')]),
    );
    expect(resourcesFor(statements, 'autoscaling:ExitStandby')).toContain(
      inRegion('autoscaling', 'eu-west-1', 'autoScalingGroup:*:autoScalingGroupName/*'),
    );
  });

  it('GuardDuty findings are re-read from the detectors of each Region', () => {
    const statements = roleStatements(built.template, 'Firebreak-compromised-ec2-instance');
    expect(resourcesFor(statements, 'guardduty:GetFindings').sort()).toEqual(
      [inRegion('guardduty', 'eu-west-1', 'detector/*'), inRegion('guardduty', 'us-east-1', 'detector/*')].sort(),
    );
  });

  it('the member role grants EC2 and Auto Scaling in the configured Regions, not in every Region', () => {
    const app = new App();
    const memberRole = new MemberRoleStack(app, 'FirebreakMemberRole', {
      ...built.stack.organization!.memberRoleProps,
      synthesizer: new BootstraplessSynthesizer(),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const policies = Template.fromStack(memberRole).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    const member = (service: string, region: string, rest: string) =>
      JSON.stringify({
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:${service}:${region}:`, { Ref: 'AWS::AccountId' }, `:${rest}`],
        ],
      });
    const snapshots = (region: string) =>
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ec2:${region}::snapshot/*`]] });
    expect(resourcesFor(statements, 'ec2:ModifyNetworkInterfaceAttribute').sort()).toEqual(
      [
        member('ec2', 'eu-west-1', '*'),
        member('ec2', 'us-east-1', '*'),
        snapshots('eu-west-1'),
        snapshots('us-east-1'),
      ].sort(),
    );
    expect(resourcesFor(statements, 'autoscaling:EnterStandby')).toContain(
      member('autoscaling', 'eu-west-1', 'autoScalingGroup:*:autoScalingGroupName/*'),
    );
    expect(JSON.stringify(statements)).not.toMatch(/:(ec2|autoscaling):\*:/);
  });
});

describe('hardening: Security Hub', () => {
  it('responders that take Security Hub events re-read them (GetFindings on the hub); release reads nothing from Security Hub', () => {
    const { template } = synth({ securityHub: { enabled: true } });
    const hub = JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:us-east-1:111122223333:hub/default']],
    });
    expect(
      resourcesFor(roleStatements(template, 'Firebreak-compromised-iam-credentials'), 'securityhub:GetFindings'),
    ).toEqual([hub]);
    const release = roleStatements(template, 'Firebreak-release');
    // Its custom action only sends the command that releases (a console event names no person).
    expect(JSON.stringify(release)).not.toContain('securityhub:');
  });

  it('the custom action release rule: undelivered events to the release dead-letter queue, which is also its on-failure destination', () => {
    const { stack, template } = synth({ securityHub: { enabled: true, trigger: false, updateFindings: false } });
    const queue = {
      'Fn::GetAtt': [stack.getLogicalId(stack.release.deadLetterQueue.node.defaultChild as never), 'Arn'],
    };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'detail-type': ['Security Hub Findings - Custom Action'],
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('SecurityHubActionsRelease'), 'ActionTargetArn'] }],
      },
      Targets: [
        Match.objectLike({
          DeadLetterConfig: { Arn: queue },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: stack.getLogicalId(stack.release.function.node.defaultChild as never) },
      DestinationConfig: { OnFailure: { Destination: queue } },
    });
  });
});

describe('hardening: forwarders alarm to a topic of their own', () => {
  const home = JSON.stringify({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-bus/default']],
  });

  function forwarderChecks(template: Template, stack: FindingForwarderStack | MemberConfigForwarderStack) {
    const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queueId).toBeDefined();
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
      Properties: { Targets: { Arn: unknown; DeadLetterConfig?: unknown }[] };
    }[];
    expect(rules).toHaveLength(1);
    expect(JSON.stringify(rules[0]!.Properties.Targets[0]!.Arn)).toBe(home);
    expect(rules[0]!.Properties.Targets[0]!.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    // EventBridge may send to the queue (for this rule only).
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    const topic = { Ref: stack.getLogicalId(stack.alarms.topic.node.defaultChild as never) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      AlarmActions: [topic],
      OKActions: [topic],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: ALARMS.httpsEndpoints[0],
      TopicArn: topic,
    });
    template.hasOutput('AlarmTopicArn', { Value: topic });
  }

  it('the security-account forwarder of another Region: a dead-letter queue on the bus target, an alarm, an encrypted topic', () => {
    const app = new App();
    const forwarder = new FindingForwarderStack(app, 'Forwarder', {
      env: { account: '111122223333', region: 'eu-west-1' },
      homeRegion: 'us-east-1',
      alarms: ALARMS,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const template = Template.fromStack(forwarder);
    forwarderChecks(template, forwarder);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('the member Config forwarder (a StackSet): the same, its topic TLS-only', () => {
    const app = new App();
    const forwarder = new MemberConfigForwarderStack(app, 'FirebreakMemberConfigForwarder', {
      securityAccountId: '111122223333',
      homeRegion: 'us-east-1',
      alarms: ALARMS,
      synthesizer: new BootstraplessSynthesizer(),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const template = Template.fromStack(forwarder);
    forwarderChecks(template, forwarder);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});
