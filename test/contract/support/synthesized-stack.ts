import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../../../lib/config';
import { FirebreakStack } from '../../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../../lib/playbooks';
import { MOTO_ACCOUNT, MOTO_REGION } from './moto-server';

export interface TemplateResource {
  readonly Type: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, TemplateResource>;
}

export interface SynthesizedStack {
  readonly template: Template;
  /** Where `cdk synth` wrote the template and the function bundles (asset.<hash>/index.js). */
  readonly outdir: string;
}

export interface SynthesisOptions {
  /** Each playbook's entry in the configuration (`mode`, `approval`); the playbooks left out are not deployed. */
  readonly playbooks: Readonly<Record<string, Record<string, unknown>>>;
  /** Bundle the functions (esbuild, as `cdk synth` does); without it only the template is made. Default false. */
  readonly bundle?: boolean;
  /** The synthesis goes to .build/contract/<name>. */
  readonly name: string;
  readonly protectedPrincipals?: readonly string[];
}

/**
 * The Firebreak stack as `cdk synth` writes it, in moto's account and Region (so that ARNs of the resources seeded in
 * moto and the ARNs in the template agree). With `bundle`, each function's asset is the bundle `cdk deploy` uploads.
 */
export function synthesizeStack(options: SynthesisOptions): SynthesizedStack {
  // Under .build/ (git-ignored, and outside ESLint's reach, which would lint the bundles).
  const outdir = join(__dirname, '..', '..', '..', '.build', 'contract', options.name);
  const playbooks = loadPlaybooks();
  const config = parseConfig(
    {
      notificationEmails: ['oncall@example.com'],
      protectedPrincipals: options.protectedPrincipals ?? ['arn:aws:iam::*:role/BreakGlass*'],
      playbooks: options.playbooks,
    },
    'contract suite config',
    playbooks.map((playbook) => playbook.id),
  );
  // The CLI turns on the asset metadata that names each function's bundle; an in-process synth asks for it.
  const context: Record<string, unknown> = { 'aws:cdk:enable-asset-metadata': true };
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir, context });
  const stack = new FirebreakStack(app, 'Firebreak', {
    env: { account: MOTO_ACCOUNT, region: MOTO_REGION },
    config,
    playbooks,
  });
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  return { template, outdir };
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, TemplateResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/**
 * The CreateTable input of the stack's ledger table exactly as the template declares its keys and indexes (the
 * table name is the caller's: CloudFormation would make one up).
 */
export function ledgerTableInput(template: Template, tableName: string): CreateTableCommandInput {
  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`expected one DynamoDB table in the template, found ${tables.length}`);
  const properties = tables[0]![1].Properties as Pick<
    CreateTableCommandInput,
    'AttributeDefinitions' | 'KeySchema' | 'GlobalSecondaryIndexes' | 'BillingMode'
  >;
  return {
    TableName: tableName,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    ...(properties.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes } : {}),
    BillingMode: properties.BillingMode,
  };
}

/** The playbook settings that leave only the named playbooks enabled (every other shipped playbook off). */
export function onlyPlaybooks(...enabled: string[]): Record<string, { enabled: false }> {
  return Object.fromEntries(
    loadPlaybooks()
      .map((playbook) => playbook.id)
      .filter((id) => !enabled.includes(id))
      .map((id) => [id, { enabled: false as const }]),
  );
}
