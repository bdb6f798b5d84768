import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { DRILL_TAG_KEY, drillUserName } from '../../lambdas/findings/drill-finding';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { signCallerProof, type SignProofOptions } from '../../lib/cli/caller-proof';
import { runDrill } from '../../lib/cli/drill';
import { drillRequest, type DrillInvoke } from '../../lib/cli/drill-inject';
import { renderDrillReport } from '../../lib/cli/drill-render-report';
import { deployedFunctions, functionNamed, invokeBundle, type DeployedFunction } from './support/deployed-functions';
import { destroyClients, motoClients, type MotoClients } from './support/moto-clients';
import { MOTO_CREDENTIALS, MOTO_REGION } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { drainMessages, stackReferences } from './support/read-back';
import { startRecordingProxy, writesOf, type RecordingProxy } from './support/recording-proxy';
import { seedStackResources, type StackResources } from './support/seed';
import { onlyPlaybooks, synthesizeStack } from './support/synthesized-stack';

// `firebreak drill` end to end: the CLI's own code (canaries, measuring, verifying, releasing, cleaning up) with the
// person's clients on moto, and an invoker that runs the responder and release bundles as `cdk synth` writes them
// (template environment, AWS_ENDPOINT_URL at moto) with the caller proof the CLI signs: the path of production
// except Lambda's Invoke itself.

/** Lambda's Invoke, as the bundles run here: `Firebreak-<logical id>` is the function name they are given. */
function bundleInvoker(
  functions: readonly DeployedFunction[],
  endpoint: string,
  sha256: SignProofOptions['sha256'],
): DrillInvoke {
  return async (operation, functionName, request) => {
    const fn = functions.find((candidate) => `Firebreak-${candidate.logicalId}` === functionName);
    if (!fn) throw new Error(`no function ${functionName} in the synthesized stack`);
    const callerProof = await signCallerProof(operation, functionName, request, {
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
      sha256,
    });
    const [outcome] = (await invokeBundle(fn, endpoint, [{ ...request, callerProof }])).outcomes;
    if (outcome?.error) {
      const result = { errorType: outcome.error.name, errorMessage: outcome.error.message };
      return { functionError: 'Unhandled', result, body: JSON.stringify(result) };
    }
    return { result: outcome?.result ?? null, body: JSON.stringify(outcome?.result ?? null) };
  };
}

describeOnMoto('firebreak drill against the synthesized responder and release bundles, on moto', (moto) => {
  let clients: MotoClients;
  let functions: DeployedFunction[];
  let seeded: StackResources;
  let proxy: RecordingProxy;
  let subnetId: string;
  let responderFunction: string;
  let releaseFunction: string;

  beforeAll(async () => {
    const stack = synthesizeStack({
      name: 'drill',
      bundle: true,
      playbooks: onlyPlaybooks('compromised-iam-credentials'),
    });
    clients = motoClients(moto().endpoint);
    seeded = await seedStackResources(clients, stack.template);
    functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
    responderFunction = `Firebreak-${functionNamed(functions, 'compromised-iam-credentials').logicalId}`;
    releaseFunction = `Firebreak-${functionNamed(functions, 'Release').logicalId}`;
    const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }));
    const subnet = await clients.ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '10.40.1.0/24' }),
    );
    subnetId = subnet.Subnet!.SubnetId!;
    proxy = await startRecordingProxy(moto().endpoint);
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    destroyClients(clients);
  });

  afterEach(async () => {
    await drainMessages(clients, seeded.queueUrl);
    proxy.take();
  });

  const invoke = () => bundleInvoker(functions, proxy.endpoint, clients.sts.config.sha256);
  const ledger = () => new DynamoDbLedger(clients.dynamodb, seeded.tableName, 400);

  it('creates the canaries, contains, measures, verifies, releases and deletes them; the report says each', async () => {
    const report = await runDrill(
      { iam: clients.iam, ec2: clients.ec2, ledger: ledger(), invoke: invoke() },
      { responderFunction, releaseFunction, label: 'contract suite', subnetId, pollMs: 20, settleMs: 10_000 },
    );
    const text = renderDrillReport(report);
    // The report of this run, for the closing note (.build/ is git-ignored).
    writeFileSync(join(__dirname, '..', '..', '.build', 'contract', 'drill-report.txt'), `${text}\n`);
    expect({ ok: report.ok, text }).toMatchObject({ ok: true });
    expect(report.phases.map((phase) => `${phase.name}: ${phase.status}`)).toEqual([
      'create canaries: ok',
      'inject: ok',
      'containment effective: ok',
      'message: ok',
      'verify: ok',
      'release: ok',
      'verify release: ok',
      'clean up: ok',
    ]);
    expect(report.timeToContainMs).toBeGreaterThan(0);
    expect(report.timeToMessageMs).toBeGreaterThan(0);
    expect(report.verified.every((check) => check.ok)).toBe(true);
    expect(report.cleanedUp.map((item) => `${item.status} ${item.resource.split(' ')[0]}`).sort()).toEqual([
      'deleted IAM',
      'deleted access',
      'deleted network',
    ]);

    // The responder's writes: exactly the playbook's, on the canary (the release bundle's are the undo).
    const messages = (await drainMessages(clients, seeded.queueUrl)).map(
      (body) => JSON.parse(body) as Record<string, unknown>,
    );
    expect(messages[0]).toMatchObject({
      drill: { id: report.drillId },
      kind: 'firebreak.outcome',
      status: 'contained',
      finding: expect.objectContaining({ id: `firebreak-drill-${report.drillId}` }),
    });
    expect(messages).toHaveLength(2);
    const record = await ledger().getIncident(report.incidentId!);
    expect(record).toMatchObject({ status: 'contained', releasedBy: expect.stringMatching(/^arn:aws:/) });
    await expect(clients.iam.send(new GetUserCommand({ UserName: report.canary.userName }))).rejects.toThrow(
      /cannot be found|NoSuchEntity/,
    );
    const enis = await clients.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: `tag:${DRILL_TAG_KEY}`, Values: [report.drillId] }] }),
    );
    expect(enis.NetworkInterfaces ?? []).toEqual([]);
  }, 180_000);

  it('a user without the drill tag: the responder changes nothing and sends one urgent message; the CLI deletes nothing', async () => {
    const drillId = '20261203-untagged';
    const userName = drillUserName(drillId);
    await clients.iam.send(new CreateUserCommand({ UserName: userName, Tags: [{ Key: 'team', Value: 'payments' }] }));
    const key = (await clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!.AccessKeyId!;

    const answer = await invoke()('drill', responderFunction, drillRequest(drillId, { userName, accessKeyId: key }));
    expect(answer.result).toMatchObject({
      errorType: 'DrillRefusedError',
      errorMessage: expect.stringContaining(`does not carry the tag ${DRILL_TAG_KEY}`),
    });
    expect(writesOf(proxy.take())).toEqual([]);
    const keys = await clients.iam.send(new ListAccessKeysCommand({ UserName: userName }));
    expect(keys.AccessKeyMetadata!.map((metadata) => metadata.Status)).toEqual(['Active']);
    expect((await clients.iam.send(new ListUserPoliciesCommand({ UserName: userName }))).PolicyNames).toEqual([]);
    const messages = await drainMessages(clients, seeded.queueUrl);
    expect(messages.map((body) => JSON.parse(body) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ kind: 'firebreak.drill-refused', userName }),
    ]);

    // The CLI with that drill id: its canary cannot be created (the name is taken), and the user is not deleted.
    const report = await runDrill(
      { iam: clients.iam, ledger: ledger(), invoke: invoke() },
      { responderFunction, releaseFunction, drillId, pollMs: 20, settleMs: 1_000 },
    );
    expect(report.ok).toBe(false);
    expect(report.phases[0]).toMatchObject({ name: 'create canaries', status: 'failed' });
    expect(report.phases.find((phase) => phase.name === 'inject')).toMatchObject({ status: 'skipped' });
    expect(report.cleanedUp).toEqual([
      {
        resource: `IAM user ${userName}`,
        status: 'refused',
        detail: `not deleted: it does not carry the tag ${DRILL_TAG_KEY}; the drill deletes only its own canaries`,
      },
    ]);
    expect((await clients.iam.send(new GetUserCommand({ UserName: userName }))).User?.UserName).toBe(userName);
  }, 120_000);
});
