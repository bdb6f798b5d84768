import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION } from './moto-server';
import { resourcesOfType, type SynthesizedStack, type Template } from './synthesized-stack';

/** One function of the synthesized stack: its bundle as `cdk synth` wrote it, and its environment from the template. */
export interface DeployedFunction {
  readonly logicalId: string;
  /** The function's description (it names the playbook and its mode). */
  readonly description: string;
  /** asset.<hash>/index.js */
  readonly file: string;
  /** Environment.Variables with every reference resolved to the resource seeded in moto. */
  readonly environment: Readonly<Record<string, string>>;
}

export type Outcome =
  | { readonly result: unknown; readonly error?: undefined }
  | { readonly error: { readonly name: string; readonly message: string }; readonly result?: undefined };

export interface Invocation {
  readonly outcomes: readonly Outcome[];
  /** What the function logged (Powertools JSON lines), for a failing assertion to show. */
  readonly logs: string;
}

/**
 * The stack's functions, with references (Ref, Fn::GetAtt) resolved through `resolved` (logical id -> the seeded
 * resource's name or ARN); a reference missing there fails, so that no function runs against a made-up resource.
 */
export function deployedFunctions(
  stack: SynthesizedStack,
  resolved: Readonly<Record<string, string>>,
): DeployedFunction[] {
  return resourcesOfType(stack.template, 'AWS::Lambda::Function')
    .filter(([, resource]) => typeof resource.Metadata?.['aws:asset:path'] === 'string')
    .map(([logicalId, resource]) => {
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      return {
        logicalId,
        description: String(resource.Properties?.Description ?? logicalId),
        file: join(stack.outdir, resource.Metadata!['aws:asset:path'] as string, 'index.js'),
        environment: Object.fromEntries(
          Object.entries(variables).map(([key, value]) => [key, resolve(value, stack.template, resolved)]),
        ),
      };
    });
}

/** The responder of a playbook (its description starts "Firebreak: <playbook> ("), or the release function. */
export function functionNamed(functions: readonly DeployedFunction[], name: string): DeployedFunction {
  const found = functions.find(
    (candidate) => candidate.description.startsWith(`Firebreak: ${name} (`) || candidate.logicalId.startsWith(name),
  );
  if (!found)
    throw new Error(
      `no function ${name} in the stack: ${functions.map((candidate) => candidate.description).join('; ')}`,
    );
  return found;
}

/**
 * Runs the bundle in a fresh Node process (a cold start) with its template environment, AWS_ENDPOINT_URL at moto and
 * dummy credentials, and calls its handler with each event (in turn, or all at once). Nothing can reach AWS: every
 * SDK client of the bundle goes to the endpoint, and the credentials are not real.
 */
export function invokeBundle(
  fn: DeployedFunction,
  endpoint: string,
  events: readonly unknown[],
  options: { readonly concurrent?: boolean; readonly environment?: Readonly<Record<string, string>> } = {},
): Promise<Invocation> {
  const functionName = `Firebreak-${fn.logicalId}`;
  const env = {
    PATH: process.env.PATH ?? '',
    ...fn.environment,
    AWS_REGION: MOTO_REGION,
    AWS_DEFAULT_REGION: MOTO_REGION,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    POWERTOOLS_DEV: 'false',
    ...options.environment,
  };
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      [join(__dirname, 'invoke-bundle.cjs')],
      { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const marker = stdout.lastIndexOf('\n--- outcomes ---\n');
        if (error || marker < 0) {
          reject(
            new Error(
              `${fn.description}: the bundle did not run (${error?.message ?? 'no outcome'}):\n${stderr}\n${stdout}`,
            ),
          );
          return;
        }
        resolvePromise({
          outcomes: JSON.parse(stdout.slice(marker + '\n--- outcomes ---\n'.length)) as Outcome[],
          logs: `${stdout.slice(0, marker)}\n${stderr}`,
        });
      },
    );
    child.stdin?.end(JSON.stringify({ file: fn.file, events, concurrent: options.concurrent === true, functionName }));
  });
}

/** A template value as a string: Fn::Join evaluated, pseudo parameters and references from `resolved`. */
function resolve(value: unknown, template: Template, resolved: Readonly<Record<string, string>>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const intrinsic = value as Record<string, unknown>;
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolve(part, template, resolved)).join(separator);
  }
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': MOTO_REGION,
    'AWS::AccountId': MOTO_ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const reference =
    typeof intrinsic.Ref === 'string'
      ? intrinsic.Ref
      : Array.isArray(intrinsic['Fn::GetAtt'])
        ? (intrinsic['Fn::GetAtt'] as string[]).join('.')
        : undefined;
  if (reference !== undefined) {
    const known = pseudo[reference] ?? resolved[reference] ?? resolved[reference.split('.')[0]!];
    if (known !== undefined) return known;
    const type = template.Resources[reference.split('.')[0]!]?.Type ?? 'unknown';
    throw new Error(`the contract suite has no moto resource for ${reference} (${type}): seed it and map it`);
  }
  throw new Error(`cannot resolve the template value ${JSON.stringify(value)}`);
}
