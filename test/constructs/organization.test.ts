import { App, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lib/config';
import { FindingForwarderStack } from '../../lib/constructs/finding-forwarder-stack';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { MemberConfigForwarderStack, MemberRoleStack } from '../../lib/constructs/member-account-stack';
import { loadPlaybooks } from '../../lib/playbooks';
import { parseResponderSettings } from '../../lambdas/pipeline/responder-settings';

const playbooks = loadPlaybooks();
const ORGANIZATION = {
  organizationId: 'o-a1b2c3d4e5',
  stackSet: { organizationalUnitIds: ['ou-ab12-cdef3456'], regions: ['us-east-1', 'eu-west-1'] },
  forwardFromRegions: ['eu-west-1'],
};

function build(env: { account?: string; region?: string } = { account: '111122223333', region: 'us-east-1' }) {
  const app = new App();
  const config = parseConfig(
    { protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*'], organization: ORGANIZATION },
    'test',
    playbooks.map((playbook) => playbook.id),
  );
  const main = new FirebreakStack(app, 'Firebreak', { env, config, playbooks });
  const forwarder = new FindingForwarderStack(app, 'Forwarder', {
    env: { account: '111122223333', region: 'eu-west-1' },
    homeRegion: 'us-east-1',
  });
  const memberRole = new MemberRoleStack(app, 'FirebreakMemberRole', {
    ...main.organization!.memberRoleProps,
    synthesizer: new BootstraplessSynthesizer(),
  });
  const memberForwarder = new MemberConfigForwarderStack(app, 'FirebreakMemberConfigForwarder', {
    ...main.organization!.forwarderProps,
    synthesizer: new BootstraplessSynthesizer(),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, main, forwarder, memberRole, memberForwarder };
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Principal?: unknown;
  Condition?: unknown;
  Resource?: unknown;
};

describe('organization-wide deployment', () => {
  const built = build();
  beforeAll(() => built.app.synth()); // runs cdk-nag on every stack of the app

  it('the member role trusts exactly the responder and release roles of the security account, within the organization', () => {
    const role = Object.values(Template.fromStack(built.memberRole).findResources('AWS::IAM::Role'))[0] as {
      Properties: { RoleName: string; AssumeRolePolicyDocument: { Statement: Statement[] } };
    };
    expect(role.Properties.RoleName).toBe('FirebreakMemberResponder');
    const statements = role.Properties.AssumeRolePolicyDocument.Statement;
    const principals = statements
      .map((statement) => JSON.stringify((statement.Principal as { AWS: unknown }).AWS))
      .sort();
    expect(principals).toEqual(
      [...playbooks.map((playbook) => `Firebreak-${playbook.id}`), 'Firebreak-release']
        .sort()
        .map((name) =>
          JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::111122223333:role/${name}`]] }),
        ),
    );
    for (const statement of statements) {
      expect(statement).toMatchObject({
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      });
    }
  });

  it('the member role holds the playbooks and release permissions, no wildcard action, and denies writes on protected principals and itself', () => {
    const policies = Template.fromStack(built.memberRole).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    const allowed = new Set(
      statements.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => [statement.Action].flat()),
    );
    for (const action of [
      'iam:UpdateAccessKey',
      'iam:PutRolePolicy',
      'iam:DeleteUserPolicy',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:CreateSnapshots',
      'autoscaling:EnterStandby',
      'autoscaling:ExitStandby',
      'ec2:DescribeInstances',
      'iam:GetUser',
    ]) {
      expect(allowed.has(action)).toBe(true);
    }
    expect(
      [...allowed].filter(
        (action) =>
          action === '*' || action.endsWith(':*') || /Terminate|Stop|DeleteSnapshot|DeleteAccessKey/.test(action),
      ),
    ).toEqual([]);
    const deny = statements.find((statement) => statement.Effect === 'Deny')!;
    expect(deny.Resource).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::*:role/BreakGlass*',
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/FirebreakMemberResponder']] },
      ]),
    );
  });

  it('responders may assume only the member role name, only in the organization, and know its name', () => {
    const template = Template.fromStack(built.main);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/FirebreakMemberResponder']],
            },
            Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
          }),
        ]),
      },
    });
    const fn = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('compromised-iam-credentials') },
      }),
    )[0] as {
      Properties: { Environment: { Variables: { FIREBREAK_SETTINGS: unknown } } };
    };
    const joined = (
      built.main.resolve(fn.Properties.Environment.Variables.FIREBREAK_SETTINGS) as { 'Fn::Join': [string, unknown[]] }
    )['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : 'aws'))
      .join('');
    expect(parseResponderSettings(joined, 'FIREBREAK_SETTINGS').memberRoleName).toBe('FirebreakMemberResponder');
  });

  it('the default bus accepts events from the organization only', () => {
    Template.fromStack(built.main).hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: {
        Effect: 'Allow',
        Principal: '*',
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      },
    });
  });

  it('service-managed StackSets deploy the role (home Region) and the Config forwarders (configured Regions) to the OUs, and to new accounts', () => {
    const template = Template.fromStack(built.main);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456'] }, Regions: ['us-east-1'] },
      ],
      TemplateBody: Match.stringLikeRegexp('FirebreakMemberResponder'),
    });
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456'] }, Regions: ['us-east-1', 'eu-west-1'] },
      ],
      TemplateBody: Match.stringLikeRegexp('Config Rules Compliance Change'),
    });
    // The StackSet template needs no CDK bootstrap in member accounts.
    expect(built.main.organization!.memberRoleTemplate).not.toContain('BootstrapVersion');
  });

  it('member accounts forward Config compliance changes to the security account bus, with a role', () => {
    Template.fromStack(built.memberForwarder).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.config'], 'detail-type': ['Config Rules Compliance Change'] },
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-bus/default']],
          },
          RoleArn: Match.anyValue(),
        }),
      ],
    });
  });

  it('other Regions of the security account forward GuardDuty findings to the home bus', () => {
    Template.fromStack(built.forwarder).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] },
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:111122223333:event-bus/default']],
          },
          RoleArn: Match.anyValue(),
        }),
      ],
    });
  });

  it('an organization deployment without an explicit account fails synth with what to do', () => {
    expect(() => build({})).toThrow('organization: the member-account templates name the security account and Region');
  });

  it('invalid organization settings name the key and the value', () => {
    expect(() => parseConfig({ organization: { organizationId: 'acme' } }, 'firebreak.config.json', [])).toThrow(
      'organization.organizationId: expected an organization id such as o-a1b2c3d4e5, got "acme"',
    );
    expect(() =>
      parseConfig(
        { organization: { ...ORGANIZATION, stackSet: { organizationalUnitIds: [], regions: ['us-east-1'] } } },
        'firebreak.config.json',
        [],
      ),
    ).toThrow('organization.stackSet.organizationalUnitIds: expected at least one OU id');
  });
});
