import { join } from 'node:path';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import type { Playbook } from '../../lambdas/model/playbook';
import { schemaKeysInlinedCopy } from './inline-schema-keys';
import { playbookPermissions } from './responder-permissions';
import { readsGuardDutyFindings } from './source-reads';

const NOT_BUNDLED = join(__dirname, '..', '..', 'lambdas', 'aws', 'sdk-client-not-bundled.cjs');
const LAMBDA_CREDENTIALS = join(__dirname, '..', '..', 'lambdas', 'aws', 'lambda-credentials.ts');

/** SDK clients bundled from a copy with their schema keys inlined (lib/inline-schema-keys.ts); the others gain nothing. */
const SCHEMA_KEYS_INLINED = ['@aws-sdk/client-ec2'];

/** The large SDK clients a function can leave out, by the IAM service prefix whose permissions would use them. */
const OPTIONAL_CLIENTS: Readonly<Record<string, string>> = {
  ec2: '@aws-sdk/client-ec2',
  autoscaling: '@aws-sdk/client-auto-scaling',
  securityhub: '@aws-sdk/client-securityhub',
  guardduty: '@aws-sdk/client-guardduty',
  kms: '@aws-sdk/client-kms',
};

export interface ResponderClientOptions {
  /** The responder updates findings in Security Hub (BatchUpdateFindings). */
  readonly securityHubUpdates: boolean;
  /** The responder takes Security Hub events (imported findings or the custom action), which it re-reads (GetFindings). Default false. */
  readonly securityHubEvents?: boolean;
}

/**
 * The IAM services a responder's role uses: its steps' permissions, KMS (every responder MACs its ledger records),
 * GuardDuty (a GuardDuty playbook re-reads its finding) and Security Hub (updates, or re-reading a Security Hub event).
 */
export function responderServices(playbook: Playbook, options: ResponderClientOptions): Set<string> {
  const services = new Set(
    playbookPermissions(playbook).flatMap((grant) => grant.actions.map((action) => action.split(':')[0]!)),
  );
  services.add('kms');
  if (readsGuardDutyFindings(playbook)) services.add('guardduty');
  if (options.securityHubUpdates || options.securityHubEvents === true) services.add('securityhub');
  return services;
}

/** The SDK client packages this playbook's responder never calls: its role holds no permission of their service. */
export function unusedSdkClients(playbook: Playbook, options: ResponderClientOptions): string[] {
  return leftOut(responderServices(playbook, options));
}

/**
 * The SDK client packages the release function never calls: it reads and writes IAM, EC2 and Auto Scaling, verifies
 * record MACs (KMS), re-reads Security Hub findings only with the custom actions, and never reads GuardDuty.
 */
export function releaseUnusedSdkClients(): string[] {
  // The Security Hub "release" custom action only parses its event and sends the command that releases: no client.
  return leftOut(new Set(['ec2', 'autoscaling', 'kms']));
}

function leftOut(services: ReadonlySet<string>): string[] {
  return Object.entries(OPTIONAL_CLIENTS)
    .filter(([service]) => !services.has(service))
    .map(([, packageName]) => packageName);
}

/** esbuild arguments that replace the unused clients with an empty module (lambdas/aws/sdk-client-not-bundled.cjs). */
export function leaveOutSdkClients(packages: readonly string[]): Record<string, string> {
  return Object.fromEntries(packages.map((packageName) => [`--alias:${packageName}`, NOT_BUNDLED]));
}

/**
 * How every Firebreak function is bundled; `npm run bench` measures the bundles `cdk synth` makes with these options.
 * - The SDK is bundled, so the function runs the versions the tests ran, not whatever the runtime ships.
 * - `module` before `main`: the SDK's ES modules, of which the bundler keeps only the commands the code imports (an
 *   IAM responder is 0.6 MB instead of 1 MB and loads about 60 ms faster).
 * - The EC2 client is bundled from a copy whose schema keys are written in place, so that unused shapes are left out
 *   (lib/inline-schema-keys.ts): an EC2 responder is 0.65 MB instead of 1.15 MB.
 * - The SDK's default credential chain is replaced by its first link, the environment, which is where Lambda puts
 *   the execution role's credentials (lambdas/aws/lambda-credentials.ts).
 * - Minified, without kept names (our errors and the SDK's name themselves; operations are read from the command's
 *   schema). The source map is written next to the bundle, without the sources, and not loaded at run time:
 *   `--enable-source-maps` costs about 10 ms of every cold start. Map a stack trace by hand with it when needed.
 */
export function lambdaBundling(leaveOut: readonly string[]): nodejs.BundlingOptions {
  return {
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    target: 'node24',
    format: nodejs.OutputFormat.CJS,
    mainFields: ['module', 'main'],
    externalModules: [],
    esbuildArgs: {
      ...Object.fromEntries(
        SCHEMA_KEYS_INLINED.filter((packageName) => !leaveOut.includes(packageName)).map((packageName) => [
          `--alias:${packageName}`,
          schemaKeysInlinedCopy(packageName),
        ]),
      ),
      ...leaveOutSdkClients(leaveOut),
      '--alias:@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS,
    },
  };
}

/** The esbuild options NodejsFunction derives from these bundling options: the bench and the bundle test build our own entries with them. */
export function esbuildOptionsOf(bundling: nodejs.BundlingOptions): BuildOptions {
  const alias = Object.fromEntries(
    Object.entries(bundling.esbuildArgs ?? {})
      .filter(([flag]) => flag.startsWith('--alias:'))
      .map(([flag, path]) => [flag.slice('--alias:'.length), String(path)]),
  );
  return {
    bundle: true,
    platform: 'node',
    minify: bundling.minify,
    keepNames: bundling.keepNames,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    target: bundling.target,
    format: bundling.format === nodejs.OutputFormat.ESM ? 'esm' : 'cjs',
    mainFields: bundling.mainFields,
    alias,
  };
}
