#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lib/config';
import { FirebreakStack } from '../lib/firebreak-stack';
import { loadPlaybooks } from '../lib/playbooks';

const app = new App();
const configPath = (app.node.tryGetContext('configFile') as string | undefined) ?? 'firebreak.config.json';
const playbooks = loadPlaybooks();
const config = loadConfig(configPath, playbooks.map((playbook) => playbook.id));

new FirebreakStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'Firebreak', {
  config,
  playbooks,
  // `-c account=... -c region=...` pins the environment (the offline test synth does); otherwise the CLI's credentials decide.
  env: {
    account: (app.node.tryGetContext('account') as string | undefined) ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION,
  },
  description: 'Firebreak: automatic, reversible containment of GuardDuty findings',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
