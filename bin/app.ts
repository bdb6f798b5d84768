#!/usr/bin/env node
import { App, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lib/config';
import { MemberConfigForwarderStack, MemberRoleStack } from '../lib/constructs/member-account-stack';
import { FindingForwarderStack } from '../lib/constructs/finding-forwarder-stack';
import { FirebreakStack } from '../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../lib/playbooks';

const app = new App();
const configPath = (app.node.tryGetContext('configFile') as string | undefined) ?? 'firebreak.config.json';
const playbooks = loadPlaybooks();
const config = loadConfig(
  configPath,
  playbooks.map((playbook) => playbook.id),
);

const main = new FirebreakStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'Firebreak', {
  config,
  playbooks,
  // `-c account=... -c region=...` pins the environment (the offline test synth does); otherwise the CLI's credentials decide.
  env: {
    account: (app.node.tryGetContext('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION,
  },
  description: 'Firebreak: automatic, reversible containment of GuardDuty findings',
});

// Other Regions of the security account forward their GuardDuty findings to this one: `cdk deploy --all`.
for (const region of config.organization?.forwardFromRegions ?? []) {
  if (region === main.region) continue;
  new FindingForwarderStack(app, `${main.stackName}-forwarder-${region}`, {
    env: { account: main.account, region },
    homeRegion: main.region,
    alarms: config.alarms,
    description: `Firebreak: forwards GuardDuty findings of ${region} to ${main.region}`,
  });
}

// The member-account stacks, for accounts the StackSet does not reach (the management account): only with
// `-c member=true`, so that `cdk deploy --all` in the security account never deploys them there.
if (main.organization && app.node.tryGetContext('member') === 'true') {
  new MemberRoleStack(app, 'FirebreakMemberRole', {
    ...main.organization.memberRoleProps,
    synthesizer: new BootstraplessSynthesizer(),
  });
  new MemberConfigForwarderStack(app, 'FirebreakMemberConfigForwarder', {
    ...main.organization.forwarderProps,
    synthesizer: new BootstraplessSynthesizer(),
  });
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
