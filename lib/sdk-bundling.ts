import { join } from 'node:path';
import type { Playbook } from '../lambdas/engine/playbook';
import { playbookPermissions } from './responder-permissions';

const NOT_BUNDLED = join(__dirname, '..', 'lambdas', 'aws', 'sdk-client-not-bundled.cjs');

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

/**
 * esbuild arguments that replace the unused clients with a module that throws: parsing the EC2 client alone costs
 * about 60 ms of every cold start of an IAM responder (npm run bench).
 */
export function leaveOutSdkClients(packages: readonly string[]): Record<string, string> {
  return Object.fromEntries(packages.map((packageName) => [`--alias:${packageName}`, NOT_BUNDLED]));
}
