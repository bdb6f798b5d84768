import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigInvalidError, parseConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';
import { parseResponderSettings } from '../../lambdas/pipeline/responder-settings';

const ENV = { account: '111122223333', region: 'us-east-1' };
const playbooks = loadPlaybooks();
const ids = playbooks.map((playbook) => playbook.id);

function synth(securityHub?: Record<string, unknown>) {
  const app = new App();
  const config = parseConfig(
    { notificationEmails: ['oncall@example.com'], ...(securityHub ? { securityHub } : {}) },
    'test config',
    ids,
  );
  const stack = new FirebreakStack(app, 'Firebreak', { env: ENV, config, playbooks });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Synthesis runs cdk-nag; an unacknowledged AwsSolutions error throws here.
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

function rolePolicies(template: Template, roleName: string): unknown[] {
  const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } });
  const [roleId] = Object.keys(roles);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('Security Hub in the stack', () => {
  it('off by default: no Security Hub rule, action target or permission', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::SecurityHub::ActionTarget', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('securityhub:BatchUpdateFindings');
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain('aws.securityhub');
  });

  describe('enabled', () => {
    let template: Template;
    let stack: FirebreakStack;
    beforeAll(() => {
      ({ template, stack } = synth({ enabled: true }));
    });

    it('a rule per playbook for imported GuardDuty findings: ProductArn suffix, provider types, label, resource type, untriaged', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.securityhub'],
          'detail-type': ['Security Hub Findings - Imported'],
          detail: {
            findings: {
              ProductArn: [{ suffix: '::product/aws/guardduty' }],
              FindingProviderFields: {
                Types: Match.arrayWith([
                  { wildcard: '*/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration*' },
                  { wildcard: '*/CredentialAccess:IAMUser-*' },
                ]),
                Severity: { Label: ['MEDIUM', 'HIGH', 'CRITICAL'] },
              },
              Resources: { Type: ['AwsIamAccessKey'] },
              Workflow: { Status: ['NEW'] },
              RecordState: ['ACTIVE'],
            },
          },
        },
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          detail: {
            findings: Match.objectLike({
              Resources: { Type: ['AwsEc2Instance'] },
              FindingProviderFields: Match.objectLike({ Severity: { Label: ['HIGH', 'CRITICAL'] } }),
            }),
          },
        },
      });
    });

    it('a rule for imported Config findings by rule name', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.securityhub'],
          detail: {
            findings: Match.objectLike({
              ProductArn: [{ suffix: '::product/aws/config' }],
              ProductFields: { 'aws/config/ConfigRuleName': [{ wildcard: '*restricted-ssh*' }] },
            }),
          },
        },
      });
    });

    it('the custom actions, with ids and names of at most 20 characters', () => {
      template.resourceCountIs('AWS::SecurityHub::ActionTarget', 2);
      for (const action of Object.values(template.findResources('AWS::SecurityHub::ActionTarget'))) {
        const { Id, Name, Description } = (action as { Properties: { Id: string; Name: string; Description: string } })
          .Properties;
        expect(Id).toMatch(/^[A-Za-z0-9]{1,20}$/);
        expect(Name.length).toBeLessThanOrEqual(20);
        expect(Description.length).toBeGreaterThan(0);
      }
      template.hasResourceProperties('AWS::SecurityHub::ActionTarget', {
        Id: 'FirebreakContain',
        Name: 'Firebreak: contain',
      });
      template.hasResourceProperties('AWS::SecurityHub::ActionTarget', {
        Id: 'FirebreakRelease',
        Name: 'Firebreak: release',
      });
    });

    it('"contain" reaches each responder for its own findings; "release" reaches the release function', () => {
      const containArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('SecurityHubActionsContain'), 'ActionTargetArn'] };
      const releaseArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('SecurityHubActionsRelease'), 'ActionTargetArn'] };
      const contain = template.findResources('AWS::Events::Rule', {
        Properties: {
          EventPattern: { 'detail-type': ['Security Hub Findings - Custom Action'], resources: [containArn] },
        },
      });
      expect(Object.keys(contain)).toHaveLength(stack.responders.size);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.securityhub'],
          'detail-type': ['Security Hub Findings - Custom Action'],
          resources: [releaseArn],
        },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.release.function.node.defaultChild as never), 'Arn'] },
            DeadLetterConfig: Match.anyValue(),
          }),
        ],
      });
    });

    it('the responder role may only set the workflow to NOTIFIED on this hub, and may not change other fields', () => {
      const statements = rolePolicies(template, 'Firebreak-compromised-iam-credentials');
      const hub = {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:us-east-1:111122223333:hub/default']],
      };
      expect(statements).toContainEqual({
        Action: 'securityhub:BatchUpdateFindings',
        Effect: 'Allow',
        Resource: hub,
        Condition: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'NOTIFIED' } },
      });
      for (const field of ['Severity.Label', 'Types', 'VerificationState']) {
        expect(statements).toContainEqual({
          Action: 'securityhub:BatchUpdateFindings',
          Effect: 'Deny',
          Resource: hub,
          Condition: { Null: { [`securityhub:ASFFSyntaxPath/${field}`]: 'false' } },
        });
      }
      // Release's custom action only sends the release command: no Security Hub permission at all.
      expect(JSON.stringify(rolePolicies(template, 'Firebreak-release'))).not.toMatch(/"securityhub:\w+"/);
    });

    it('the responder settings carry the update switches', () => {
      const fns = template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('compromised-iam-credentials') },
      });
      const env = (
        Object.values(fns)[0] as { Properties: { Environment: { Variables: { FIREBREAK_SETTINGS: unknown } } } }
      ).Properties.Environment.Variables.FIREBREAK_SETTINGS;
      const json = JSON.stringify(stack.resolve(env));
      expect(json).toContain('updateFindings');
      const literal = typeof env === 'string' ? env : undefined;
      if (literal)
        expect(parseResponderSettings(literal, 'x').securityHub).toEqual({
          updateFindings: true,
          updateNativeFindings: false,
        });
    });
  });

  it('updateFindings false: rules, but no permission', () => {
    const { template } = synth({ enabled: true, updateFindings: false, customActions: false });
    expect(JSON.stringify(template.toJSON())).not.toContain('securityhub:BatchUpdateFindings');
    template.resourceCountIs('AWS::SecurityHub::ActionTarget', 0);
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).toContain('Security Hub Findings - Imported');
  });

  it.each([
    [{ enabled: 'yes' }, 'securityHub.enabled: expected true or false, got "yes"'],
    [{ enabled: true, updateNativeFinding: true }, 'securityHub'],
  ])('rejects %j with a message naming the field', (securityHub, message) => {
    let error: unknown;
    try {
      parseConfig({ securityHub }, 'firebreak.config.json', ids);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect((error as ConfigInvalidError).problems.join('\n')).toContain(message);
  });

  it('defaults when enabled', () => {
    expect(parseConfig({ securityHub: { enabled: true } }, 'x', ids).securityHub).toEqual({
      enabled: true,
      trigger: true,
      updateFindings: true,
      updateNativeFindings: false,
      customActions: true,
    });
  });
});
