import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';

const playbooks = loadPlaybooks();
const ids = playbooks.map((playbook) => playbook.id);

function synth(input: Record<string, unknown>) {
  const app = new App();
  const stack = new FirebreakStack(app, 'Firebreak', {
    env: { account: '111122223333', region: 'us-east-1' },
    config: parseConfig(input, 'test config', ids),
    playbooks,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Synthesis runs cdk-nag; an unacknowledged AwsSolutions error throws here.
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

describe('the chat topic', () => {
  let stack: FirebreakStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synth({ notificationEmails: ['oncall@example.com'], chat: { enabled: true } }));
  });

  it('is a second topic, encrypted with its own rotating key and TLS-only', () => {
    // Notifications, chat, and the alarm topic.
    template.resourceCountIs('AWS::SNS::Topic', 3);
    const chatTopic = stack.resolve(stack.chatNotifications!.topic.topicArn);
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Firebreak chat',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChatNotificationsKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Firebreak: encrypts chat notifications (AWS Chatbot)',
      EnableKeyRotation: true,
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [chatTopic],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // No e-mail subscription on the chat topic: Chatbot subscribes itself.
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasOutput('ChatTopicArn', { Value: chatTopic });
  });

  it('every responder may publish to it and is told its ARN', () => {
    const chatTopic = stack.resolve(stack.chatNotifications!.topic.topicArn);
    for (const responder of stack.responders.values()) {
      const fn = template.findResources('AWS::Lambda::Function', {
        Properties: { Role: stack.resolve(responder.role.roleArn) },
      });
      const [properties] = Object.values(fn).map((resource) => resource.Properties);
      expect(properties.Environment.Variables.FIREBREAK_CHAT_TOPIC_ARN).toEqual(chatTopic);
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Resource: chatTopic })]),
      },
      Roles: [stack.resolve(stack.responders.get('compromised-iam-credentials')!.role.roleRef.roleName)],
    });
  });

  it('is off by default: one topic, no chat variable', () => {
    const off = synth({});
    // Notifications and the alarm topic.
    off.template.resourceCountIs('AWS::SNS::Topic', 2);
    expect(off.stack.chatNotifications).toBeUndefined();
    const functions = Object.values(off.template.findResources('AWS::Lambda::Function'));
    expect(
      functions.some((resource) => 'FIREBREAK_CHAT_TOPIC_ARN' in (resource.Properties.Environment?.Variables ?? {})),
    ).toBe(false);
  });

  it('chat.enabled must be a boolean; the error names the field and the value', () => {
    expect(() => parseConfig({ chat: { enabled: 'on' } }, 'firebreak.config.json', ids)).toThrow(
      /chat\.enabled: expected true or false, got "on"/,
    );
    expect(() => parseConfig({ chat: { enabled: true, channel: 'x' } }, 'firebreak.config.json', ids)).toThrow(
      /chat.*channel/,
    );
  });
});
