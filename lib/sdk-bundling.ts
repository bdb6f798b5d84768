import { join } from 'node:path';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Playbook } from '../lambdas/engine/playbook';
import { playbookPermissions } from './responder-permissions';

const NOT_BUNDLED = join(__dirname, '..', 'lambdas', 'aws', 'sdk-client-not-bundled.cjs');
const LAMBDA_CREDENTIALS = join(__dirname, '..', 'lambdas', 'aws', 'lambda-credentials.ts');

/** The large SDK clients a responder can leave out, by the IAM service prefix whose permissions would use them. */
const OPTIONAL_CLIENTS: Readonly<Record<string, string>> = {
  ec2: '@aws-sdk/client-ec2',
  autoscaling: '@aws-sdk/client-auto-scaling',
  securityhub: '@aws-sdk/client-securityhub',
};

/** The SDK client packages this playbook's responder never calls: its role holds no permission of their service. */
export function unusedSdkClients(playbook: Playbook, options: { securityHubUpdates: boolean }): string[] {
  const services = new Set(playbookPermissions(playbook).flatMap((grant) => grant.actions.map((action) => action.split(':')[0]!)));
  if (options.securityHubUpdates) services.add('securityhub');
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
    esbuildArgs: { ...leaveOutSdkClients(leaveOut), '--alias:@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS },
  };
}
