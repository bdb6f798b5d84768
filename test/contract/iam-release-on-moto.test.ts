import { ListAccessKeysCommand, ListUserPoliciesCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { DynamoDbLedger } from '../../lambdas/ledger/dynamodb-ledger';
import { KmsRecordMac } from '../../lambdas/ledger/record-mac';
import { withRecordMacs } from '../../lambdas/ledger/verified-ledger';
import { handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import { parseResponderSettings } from '../../lambdas/pipeline/responder-settings';
import { loadEvent } from '../support/fixtures';
import { deployedFunctions, functionNamed, invokeBundle, type DeployedFunction } from './support/deployed-functions';
import { ledgerItems, releaseRequest } from './support/ledger-read-back';
import { destroyClients, motoClients, type MotoClients } from './support/moto-clients';
import { MOTO_ACCOUNT } from './support/moto-server';
import { describeOnMoto } from './support/on-moto';
import { drainMessages, stackReferences, withIds } from './support/read-back';
import { startRecordingProxy, writesOf, type RecordingProxy } from './support/recording-proxy';
import { seedIam, seedStackResources, type StackResources } from './support/seed';
import { synthesizeStack } from './support/synthesized-stack';

// Release of the IAM containment on moto. The containment runs in process as in containment-on-moto.test.ts (the
// deployed responder's guardduty:GetFindings re-read is missing from moto 5.2.5); the release runs as `cdk synth`
// bundles it, with a signed caller proof, as `firebreak release` sends it.

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describeOnMoto('release of the IAM containment, on moto (the release bundle, a signed caller proof)', (moto) => {
  let clients: MotoClients;
  let seeded: StackResources;
  let functions: DeployedFunction[];
  let proxy: RecordingProxy;

  beforeAll(async () => {
    const stack = synthesizeStack({
      name: 'iam-release',
      bundle: true,
      playbooks: { 'compromised-iam-credentials': { mode: 'enforce' }, 'compromised-ec2-instance': { enabled: false } },
    });
    clients = motoClients(moto().endpoint);
    seeded = await seedStackResources(clients, stack.template);
    functions = deployedFunctions(stack, stackReferences(stack.template, seeded));
    proxy = await startRecordingProxy(moto().endpoint);
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    destroyClients(clients);
  });

  it('compromised IAM key: release makes the key Active again and removes the deny; the tags and the record stay', async () => {
    const world = await seedIam(clients, 'ci-deploy');
    const settings = parseResponderSettings(
      functionNamed(functions, 'compromised-iam-credentials').environment.FIREBREAK_SETTINGS,
      'compromised-iam-credentials settings',
    );
    const viaProxy = motoClients(proxy.endpoint);
    const ledger = withRecordMacs(
      new DynamoDbLedger(viaProxy.dynamodb, seeded.tableName, settings.ledgerRetentionDays),
      new KmsRecordMac(viaProxy.kms, seeded.macKeyArn),
    );
    const event = withIds(loadEvent('guardduty/iam-user-long-term-key'), {
      '111122223333': MOTO_ACCOUNT,
      AKIAI44QH8DHBEXAMPLE: world.accessKeyIds[0],
      'ci-deploy': world.userName,
      AIDAJQABLZS4A3QDU576Q: world.userId,
    });
    const result = await handleEvent(event, {
      settings,
      clients: viaProxy,
      topicArn: seeded.topicArn,
      log: silent,
      ledger,
      invocationId: 'request-1',
    });
    destroyClients(viaProxy);
    if (result.kind !== 'handled') throw new Error(`expected a handled finding, got ${JSON.stringify(result)}`);
    expect(result.outcome.status).toBe('contained');
    const incidentId = result.outcome.incidentId!;
    expect(writesOf(proxy.take()).sort()).toEqual(['iam:PutUserPolicy', 'iam:TagUser', 'iam:UpdateAccessKey']);
    const tagsContained = (await clients.iam.send(new ListUserTagsCommand({ UserName: world.userName }))).Tags!;
    expect(tagsContained.some((tag) => tag.Key?.startsWith('firebreak:'))).toBe(true);
    await drainMessages(clients, seeded.queueUrl);

    const release = functionNamed(functions, 'Release');
    const released = await invokeBundle(release, proxy.endpoint, [await releaseRequest(clients, release, incidentId)]);
    expect(released.outcomes[0]).toMatchObject({ result: { kind: 'released' } });
    expect(writesOf(proxy.take()).sort()).toEqual(['iam:DeleteUserPolicy', 'iam:UpdateAccessKey']);

    const keys = (await clients.iam.send(new ListAccessKeysCommand({ UserName: world.userName }))).AccessKeyMetadata!;
    expect(Object.fromEntries(keys.map((key) => [key.AccessKeyId, key.Status]))).toEqual({
      [world.accessKeyIds[0]]: 'Active',
      [world.accessKeyIds[1]]: 'Active',
    });
    expect((await clients.iam.send(new ListUserPoliciesCommand({ UserName: world.userName }))).PolicyNames).toEqual([]);
    // The tags are evidence of what happened to the user: release keeps them.
    const tags = (await clients.iam.send(new ListUserTagsCommand({ UserName: world.userName }))).Tags!;
    expect(tags).toEqual(expect.arrayContaining(tagsContained));

    const kept = await ledgerItems(clients, seeded.tableName, incidentId);
    expect(kept.incident?.releasedBy?.S).toMatch(/^arn:aws:(sts|iam)::123456789012:/);
    expect(kept.steps).toHaveLength(3);
    expect(kept.incident?.releasedAt?.S).toBeDefined();
    expect(Object.fromEntries(kept.steps.map((step) => [step.action?.S, step.state?.S]))).toEqual({
      'iam-deactivate-access-key': 'released',
      'iam-revoke-user-sessions': 'released',
      // Marked released, though its release writes nothing (no iam:UntagUser above): the tags stay as evidence.
      'iam-tag-principal': 'released',
    });
    expect(kept.steps.every((step) => step.mac?.S)).toBe(true);
    expect(await drainMessages(clients, seeded.queueUrl)).toHaveLength(1);
  }, 90_000);
});
