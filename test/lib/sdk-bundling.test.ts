import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybooks } from '../../lib/playbooks';
import { leaveOutSdkClients, unusedSdkClients } from '../../lib/sdk-bundling';

const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;

describe('SDK clients left out of a responder bundle', () => {
  it('an IAM responder leaves out EC2, Auto Scaling and Security Hub', () => {
    expect(unusedSdkClients(playbook('compromised-iam-credentials'), { securityHubUpdates: false })).toEqual(['@aws-sdk/client-ec2', '@aws-sdk/client-auto-scaling', '@aws-sdk/client-securityhub']);
  });

  it('an EC2 responder keeps EC2 and Auto Scaling; Security Hub updates keep their client', () => {
    expect(unusedSdkClients(playbook('compromised-ec2-instance'), { securityHubUpdates: true })).toEqual([]);
    expect(unusedSdkClients(playbook('config-restricted-ssh'), { securityHubUpdates: false })).toEqual(['@aws-sdk/client-auto-scaling', '@aws-sdk/client-securityhub']);
  });

  it('a named import of a left-out client still bundles, and reaching it fails loudly', () => {
    const out = mkdtempSync(join(tmpdir(), 'firebreak-bundle-'));
    try {
      const aliases = leaveOutSdkClients(['@aws-sdk/client-ec2']);
      const alias = Object.fromEntries(Object.entries(aliases).map(([flag, path]) => [flag.replace('--alias:', ''), path]));
      const outfile = join(out, 'clients.js');
      buildSync({ stdin: { contents: "import { DescribeInstancesCommand } from '@aws-sdk/client-ec2'; export const load = () => new DescribeInstancesCommand({});", resolveDir: join(__dirname, '..', '..'), loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile, alias, logLevel: 'silent' });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require(outfile)).toThrow('bundled without this AWS SDK client');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
