import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, type IpPermission } from '@aws-sdk/client-ec2';
import { BatchImportFindingsCommand, GetFindingsCommand, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { App } from 'aws-cdk-lib';
import { parseConfig } from '../../lib/config';
import { FirebreakStack } from '../../lib/constructs/firebreak-stack';
import { loadPlaybooks } from '../../lib/playbooks';
import { loadEvent } from '../support/fixtures';
import { deployedFunctions, functionNamed, invokeBundle, type DeployedFunction } from './support/deployed-functions';
import { ledgerItems } from './support/ledger-read-back';
import { destroyClients, motoClients, type MotoClients } from './support/moto-clients';
import { MOTO_ACCOUNT, MOTO_REGION } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { drainMessages, stackReferences, withIds } from './support/read-back';
import { startRecordingProxy, writesOf, type RecordingProxy } from './support/recording-proxy';
import { seedEc2, seedIam, seedStackResources, type Ec2World, type StackResources } from './support/seed';
import type { SynthesizedStack, Template } from './support/synthesized-stack';

// The Security Hub path of the Config restricted-ssh responder, as `cdk synth` bundles it: the ASFF finding is
// imported into moto's Security Hub (BatchImportFindings), the EventBridge `Security Hub Findings - Imported` event
// goes to the bundle, which re-reads the finding with securityhub:GetFindings (moto has it), revokes the rule,
// notifies, and then tries securityhub:BatchUpdateFindings, which moto 5.2.5 does not implement.

/**
 * synthesizeStack (support/synthesized-stack.ts) takes no Security Hub settings, so this is its synthesis with
 * `securityHub` on (custom actions off: their ARNs are not resources the suite seeds).
 */
function synthesizeWithSecurityHub(name: string): SynthesizedStack {
  const outdir = join(__dirname, '..', '..', '.build', 'contract', name);
  const playbooks = loadPlaybooks();
  const config = parseConfig(
    {
      notificationEmails: ['oncall@example.com'],
      protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*'],
      playbooks: { 'compromised-iam-credentials': { enabled: false }, 'compromised-ec2-instance': { enabled: false } },
      securityHub: { enabled: true, customActions: false },
    },
    'contract suite config',
    playbooks.map((playbook) => playbook.id),
  );
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new FirebreakStack(app, 'Firebreak', {
    env: { account: MOTO_ACCOUNT, region: MOTO_REGION },
    config,
    playbooks,
  });
  return { template: app.synth().getStackByName(stack.stackName).template as Template, outdir };
}

/** The fixture's `detail`: the ASFF findings of the event, which BatchImportFindings takes as they are. */
interface SecurityHubDetail {
  readonly findings: AwsSecurityFinding[];
}

describeOnMoto('the Security Hub path of the Config responders as cdk synth bundles them, on moto', (moto) => {
  let clients: MotoClients;
  let functions: DeployedFunction[];
  let seeded: StackResources;
  let ec2: Ec2World;
  let proxy: RecordingProxy;

  beforeAll(async () => {
    const stack = synthesizeWithSecurityHub('securityhub-responder');
    clients = motoClients(moto().endpoint);
    seeded = await seedStackResources(clients, stack.template);
    functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
    ec2 = await seedEc2(clients, await seedIam(clients));
    proxy = await startRecordingProxy(moto().endpoint);
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    destroyClients(clients);
  });

  const ingressOf = async (groupId: string) =>
    (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!
      .IpPermissions ?? [];
  const opensSsh = (rules: readonly IpPermission[]) =>
    rules.some((rule) => rule.FromPort === 22 && rule.IpRanges?.some((range) => range.CidrIp === '0.0.0.0/0'));

  it('restricted-ssh imported into Security Hub: re-read, rule revoked, one message; the missing BatchUpdateFindings is reported', async () => {
    const groupId = ec2.groupIds[0];
    const event = withIds(loadEvent('securityhub/config-restricted-ssh-non-compliant'), {
      '111122223333': MOTO_ACCOUNT,
      'sg-0123456789abcdef0': groupId,
      'vpc-0fedcba9876543210': ec2.vpcIds[0],
    });
    const finding = (event.detail as SecurityHubDetail).findings[0]!;
    const imported = await clients.securityHub.send(new BatchImportFindingsCommand({ Findings: [finding] }));
    expect(imported.FailedCount).toBe(0);
    const stored = await clients.securityHub.send(
      new GetFindingsCommand({ Filters: { Id: [{ Value: finding.Id, Comparison: 'EQUALS' }] } }),
    );
    expect(stored.Findings?.map((found) => found.Id)).toEqual([finding.Id]);
    proxy.take();

    const run = await invokeBundle(functionNamed(functions, 'config-restricted-ssh'), proxy.endpoint, [event]);
    const operations = proxy.take();
    expect(operations).toContain('securityhub:GetFindings');
    expect(writesOf(operations)).toEqual(['ec2:RevokeSecurityGroupIngress', 'securityhub:BatchUpdateFindings']);
    // The containment stands and the one message says "contained"; the update's failure is not in that message (it
    // was sent before the update) but in the invocation's error, which makes Lambda and EventBridge retry the event.
    expect(run.outcomes).toHaveLength(1);
    expect(run.outcomes[0]!.error?.name).toBe('ContainmentIncompleteError');
    expect(run.outcomes[0]!.error?.message).toMatch(
      /is contained; notified; failed: the Security Hub finding .* was not updated: securityhub:BatchUpdateFindings/,
    );
    expect(opensSsh(await ingressOf(groupId))).toBe(false);
    expect((await ingressOf(groupId)).map((rule) => rule.FromPort)).toEqual([443]);
    const messages = await drainMessages(clients, seeded.queueUrl);
    expect(messages).toHaveLength(1);
    const message = JSON.parse(messages[0]!) as { kind: string; status: string; incidentId: string };
    expect(message).toMatchObject({ kind: 'firebreak.outcome', status: 'contained' });
    expect(messages[0]).not.toContain('BatchUpdateFindings');
    const items = await ledgerItems(clients, seeded.tableName, message.incidentId);
    expect(items.incident).toMatchObject({ status: { S: 'contained' }, playbook: { S: 'config-restricted-ssh' } });
    expect(items.steps.map((step) => [step.action?.S, step.state?.S])).toEqual([
      ['ec2-revoke-open-ingress', 'applied'],
    ]);

    // The retry: no second revoke, no second message, and the update fails again, so the event fails again (after
    // EventBridge's retries it lands in the dead-letter queue).
    const retry = await invokeBundle(functionNamed(functions, 'config-restricted-ssh'), proxy.endpoint, [event]);
    expect(writesOf(proxy.take())).toEqual(['securityhub:BatchUpdateFindings']);
    expect(retry.outcomes[0]!.error?.name).toBe('ContainmentIncompleteError');
    expect(await drainMessages(clients, seeded.queueUrl)).toEqual([]);
    expect((await ledgerItems(clients, seeded.tableName, message.incidentId)).steps).toHaveLength(1);
  }, 90_000);
});
