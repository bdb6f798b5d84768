import { loadPlaybooks } from '../../lib/playbooks';
import { lambdaBundling, releaseUnusedSdkClients, unusedSdkClients } from '../../lib/constructs/sdk-bundling';

const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;

describe('SDK clients left out of a responder bundle', () => {
  it('an IAM responder leaves out EC2, Auto Scaling and Security Hub; it keeps GuardDuty (re-reads its finding) and KMS (record MACs)', () => {
    expect(unusedSdkClients(playbook('compromised-iam-credentials'), { securityHubUpdates: false })).toEqual([
      '@aws-sdk/client-ec2',
      '@aws-sdk/client-auto-scaling',
      '@aws-sdk/client-securityhub',
    ]);
  });

  it('an EC2 responder keeps EC2 and Auto Scaling; Security Hub updates keep their client', () => {
    expect(unusedSdkClients(playbook('compromised-ec2-instance'), { securityHubUpdates: true })).toEqual([]);
  });

  it('a Config responder leaves out GuardDuty (nothing to re-read there), keeps KMS, and keeps Security Hub when it takes its events', () => {
    expect(unusedSdkClients(playbook('config-restricted-ssh'), { securityHubUpdates: false })).toEqual([
      '@aws-sdk/client-auto-scaling',
      '@aws-sdk/client-securityhub',
      '@aws-sdk/client-guardduty',
    ]);
    expect(
      unusedSdkClients(playbook('config-restricted-ssh'), { securityHubUpdates: false, securityHubEvents: true }),
    ).toEqual(['@aws-sdk/client-auto-scaling', '@aws-sdk/client-guardduty']);
    expect(unusedSdkClients(playbook('config-notify-only'), { securityHubUpdates: false })).not.toContain(
      '@aws-sdk/client-kms',
    );
  });

  it('release keeps KMS (it verifies record MACs), never GuardDuty, and Security Hub only with the custom actions', () => {
    expect(releaseUnusedSdkClients()).toEqual(['@aws-sdk/client-securityhub', '@aws-sdk/client-guardduty']);
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
    expect(lambdaBundling([]).esbuildArgs?.['--alias:@aws-sdk/client-ec2']).toMatch(
      /\.build\/sdk\/@aws-sdk\+client-ec2@[\d.]+-[0-9a-f]{12}\/dist-es\/index\.js$/,
    );
  });
});
