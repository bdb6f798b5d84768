import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybooks } from '../../lib/playbooks';
import { lambdaBundling, leaveOutSdkClients, unusedSdkClients } from '../../lib/sdk-bundling';

const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;

describe('SDK clients left out of a responder bundle', () => {
  it('an IAM responder leaves out EC2, Auto Scaling and Security Hub', () => {
    expect(unusedSdkClients(playbook('compromised-iam-credentials'), { securityHubUpdates: false })).toEqual(['@aws-sdk/client-ec2', '@aws-sdk/client-auto-scaling', '@aws-sdk/client-securityhub']);
  });

  it('an EC2 responder keeps EC2 and Auto Scaling; Security Hub updates keep their client', () => {
    expect(unusedSdkClients(playbook('compromised-ec2-instance'), { securityHubUpdates: true })).toEqual([]);
    expect(unusedSdkClients(playbook('config-restricted-ssh'), { securityHubUpdates: false })).toEqual(['@aws-sdk/client-auto-scaling', '@aws-sdk/client-securityhub']);
  });

  it('a named import of a left-out client still bundles and loads; building that client fails loudly', () => {
    const out = mkdtempSync(join(tmpdir(), 'firebreak-bundle-'));
    try {
      const aliases = leaveOutSdkClients(['@aws-sdk/client-ec2']);
      const alias = Object.fromEntries(Object.entries(aliases).map(([flag, path]) => [flag.replace('--alias:', ''), path]));
      const outfile = join(out, 'clients.js');
      const contents = "import { createAwsClients } from './lambdas/aws/aws-clients'; export const clients = createAwsClients('us-east-1');";
      buildSync({ stdin: { contents, resolveDir: join(__dirname, '..', '..'), loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, alias, logLevel: 'silent' });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { clients } = require(outfile) as { clients: { ec2: unknown; iam: { config: unknown } } };
      expect(clients.iam.config).toBeDefined();
      expect(() => clients.ec2).toThrow('this function was bundled without @aws-sdk/client-ec2');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('the deployed bundling: SDK ES modules, credentials from the environment, names not kept', () => {
    const bundling = lambdaBundling(['@aws-sdk/client-ec2']);
    expect(bundling.mainFields).toEqual(['module', 'main']);
    expect(bundling.keepNames).toBeFalsy();
    expect(bundling.esbuildArgs).toEqual({
      '--alias:@aws-sdk/client-ec2': expect.stringMatching(/sdk-client-not-bundled\.cjs$/),
      '--alias:@aws-sdk/credential-provider-node': expect.stringMatching(/lambdas\/aws\/lambda-credentials\.ts$/),
    });
  });

  it('a responder that keeps the EC2 client bundles it from the copy with inlined schema keys', () => {
    expect(lambdaBundling([]).esbuildArgs?.['--alias:@aws-sdk/client-ec2']).toMatch(/\.build\/sdk\/@aws-sdk\+client-ec2@[\d.]+-[0-9a-f]{12}\/dist-es\/index\.js$/);
  });
});
