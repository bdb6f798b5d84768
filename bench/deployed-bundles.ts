import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../lib/config';
import { FirebreakStack } from '../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../lib/playbooks';

export interface DeployedBundle {
  /** The function's description in the template (it names the playbook). */
  readonly name: string;
  readonly file: string;
  /** The function's environment as the template sets it (NODE_OPTIONS included), with placeholders for references. */
  readonly environment: Readonly<Record<string, string>>;
  /** The function's settings in the template: what the burst and the cost model use. */
  readonly settings: DeployedSettings;
}

export interface DeployedSettings {
  readonly memorySizeMb: number;
  /** ReservedConcurrentExecutions; absent when the function has none. */
  readonly reservedConcurrency?: number;
  readonly timeoutSeconds: number;
  readonly architecture: string;
  /** MaximumRetryAttempts of its asynchronous invoke config (Lambda's default, 2, when it has none). */
  readonly asyncRetryAttempts: number;
}

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

type Template = {
  Resources: Record<string, { Type: string; Metadata?: Record<string, unknown>; Properties?: Record<string, unknown> }>;
};

/**
 * The bundles `cdk synth` makes for a stack with these playbooks enforced: exactly what `cdk deploy` would upload,
 * bundled by the same NodejsFunction options, each with the environment its function gets.
 */
export function deployedBundles(playbookIds: readonly string[]): DeployedBundle[] {
  // Synthesized in a child process: a parent grown by the CDK app makes every process it starts slower to start
  // (bare `node -e 0` went from about 80 to about 140 ms), which blurs the cold starts it then measures.
  const output = execFileSync(process.execPath, ['--import', 'tsx', __filename, ...playbookIds], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(output.slice(output.indexOf(MARKER) + MARKER.length)) as DeployedBundle[];
}

const MARKER = '\n--- deployed bundles ---\n';

function synthesize(playbookIds: readonly string[]): DeployedBundle[] {
  const outdir = join(__dirname, '.out', 'cdk');
  rmSync(outdir, { recursive: true, force: true });
  const playbooks = loadPlaybooks();
  const config = parseConfig(
    {
      notificationEmails: ['oncall@example.com'],
      protectedPrincipals: [],
      playbooks: Object.fromEntries(playbookIds.map((id) => [id, { mode: 'enforce' }])),
    },
    'bench config',
    playbooks.map((playbook) => playbook.id),
  );
  // The CLI turns on the asset metadata that names each function's bundle; an in-process synth asks for it.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new FirebreakStack(app, 'FirebreakBench', {
    env: { account: ACCOUNT, region: REGION },
    config,
    playbooks,
  });
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  return Object.entries(template.Resources)
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Function' && typeof resource.Metadata?.['aws:asset:path'] === 'string',
    )
    .map(([logicalId, resource]) => {
      const variables = ((resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {}) as Record<string, unknown>;
      return {
        name: typeof resource.Properties?.Description === 'string' ? resource.Properties.Description : logicalId,
        file: join(outdir, resource.Metadata!['aws:asset:path'] as string, 'index.js'),
        environment: Object.fromEntries(
          Object.entries(variables).map(([key, value]) => [key, resolve(value, template)]),
        ),
        settings: settingsOf(logicalId, resource.Properties ?? {}, template),
      };
    });
}

function settingsOf(logicalId: string, properties: Record<string, unknown>, template: Template): DeployedSettings {
  const invokeConfig = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::Lambda::EventInvokeConfig' &&
      (resource.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === logicalId,
  );
  const retries = invokeConfig?.Properties?.MaximumRetryAttempts;
  return {
    memorySizeMb: Number(properties.MemorySize ?? 128),
    ...(typeof properties.ReservedConcurrentExecutions === 'number'
      ? { reservedConcurrency: properties.ReservedConcurrentExecutions }
      : {}),
    timeoutSeconds: Number(properties.Timeout ?? 3),
    architecture: String((properties.Architectures as string[] | undefined)?.[0] ?? 'x86_64'),
    asyncRetryAttempts: typeof retries === 'number' ? retries : 2,
  };
}

/** A template value as a string: Fn::Join evaluated, references replaced by plausible values of their type. */
function resolve(value: unknown, template: Template): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const intrinsic = value as Record<string, unknown>;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(part, template)).join(separator);
  }
  if (typeof intrinsic.Ref === 'string') return referenced(intrinsic.Ref, template);
  if (Array.isArray(intrinsic['Fn::GetAtt']))
    return `arn:aws:bench:${REGION}:${ACCOUNT}:${(intrinsic['Fn::GetAtt'] as string[]).join('.')}`;
  throw new Error(`bench: cannot resolve the template value ${JSON.stringify(value)}`);
}

function referenced(id: string, template: Template): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (pseudo[id]) return pseudo[id];
  const type = template.Resources[id]?.Type;
  if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
  if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
  return id;
}

if (require.main === module) process.stdout.write(`${MARKER}${JSON.stringify(synthesize(process.argv.slice(2)))}`);
