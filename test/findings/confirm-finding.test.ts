import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AccessDeniedException, GuardDutyClient, InternalServerErrorException } from '@aws-sdk/client-guardduty';
import { InvalidAccessException, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AwsCallError } from '../../lambdas/aws/aws-call-error';
import { createFindingSourceClients } from '../../lambdas/aws/finding-source-clients';
import { confirmFinding, type Confirmation, type FindingSources } from '../../lambdas/findings/confirm-finding';
import type { Finding } from '../../lambdas/model/finding';
import { eventDetailOf } from '../../lambdas/findings/guardduty-event-detail';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { parseSecurityHubEvent } from '../../lambdas/findings/parse-securityhub-event';
/* eslint-disable @typescript-eslint/no-explicit-any -- fixture edits reach into untyped JSON */
import {
  apiJsonOf,
  FakeGuardDuty,
  FakeSecurityHub,
  fakeFindingSources,
  sdkFindingOf,
  SECURITY_DETECTOR_ID,
} from '../support/fake-guardduty';
import { editedEvent, loadEvent, loadFinding } from '../support/fixtures';

const GUARDDUTY_FIXTURES = readdirSync(join(__dirname, '..', 'fixtures', 'events', 'guardduty'))
  .filter((file) => file.endsWith('.json'))
  .map((file) => `guardduty/${file.slice(0, -'.json'.length)}`);
/** Every fixture that is a finding (the CloudTrail event of the same source is not one). */
const FINDING_FIXTURES = GUARDDUTY_FIXTURES.filter((name) => parseEvent(loadEvent(name)).kind === 'finding');

function withoutRaw(finding: Finding): Omit<Finding, 'raw'> {
  const { raw: _raw, ...rest } = finding;
  return rest;
}

function parsed(event: unknown): Finding {
  const result = parseEvent(event);
  if (result.kind !== 'finding') throw new Error(`not a finding: ${result.reason}`);
  return result.finding;
}

function viaSecurityHub(event: unknown): Finding {
  const result = parseSecurityHubEvent(event);
  const first = result.kind === 'ignored' ? undefined : result.findings[0]?.result;
  if (first?.kind !== 'finding') throw new Error(`not a finding: ${JSON.stringify(first ?? result)}`);
  return first.finding;
}

function expectKind<K extends Confirmation['kind']>(
  confirmation: Confirmation,
  kind: K,
): Extract<Confirmation, { kind: K }> {
  if (confirmation.kind !== kind)
    throw new Error(`expected ${kind}, got ${JSON.stringify({ ...confirmation, finding: undefined }, null, 1)}`);
  return confirmation as Extract<Confirmation, { kind: K }>;
}

/** A GuardDuty holding the genuine finding of `fixture`, and the sources confirmFinding reads it from. */
async function guardDutyWith(
  fixture: string,
  regions?: string[],
): Promise<{ fake: FakeGuardDuty; sources: FindingSources }> {
  const fake = new FakeGuardDuty(regions);
  await fake.addFixture(fixture);
  return { fake, sources: fakeFindingSources(fake) };
}

/** JSON without its nulls: the SDK reads a null member as absent. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== null)
        .map(([key, item]) => [key, withoutNulls(item)]),
    );
  return value;
}

describe('eventDetailOf: a GetFindings finding (SDK shape) back into the event detail parseEvent reads', () => {
  it('the fixture folder has the findings this suite is about', () => {
    expect(FINDING_FIXTURES.length).toBeGreaterThanOrEqual(10);
    expect(GUARDDUTY_FIXTURES.filter((name) => !FINDING_FIXTURES.includes(name))).toEqual([
      'guardduty/not-a-finding-cloudtrail',
    ]);
  });

  it.each(FINDING_FIXTURES)(
    '%s: the SDK deserializer and eventDetailOf are inverses over the whole detail',
    async (fixture) => {
      const detail = loadEvent(fixture).detail as Record<string, unknown>;
      const sdk = await sdkFindingOf(detail);
      // The fake's finding is in the SDK's shape: PascalCase, none of the event's names.
      expect(Object.keys(sdk).every((key) => /^[A-Z]/.test(key))).toBe(true);
      expect(Object.keys(sdk.Resource ?? {}).every((key) => /^[A-Z]/.test(key))).toBe(true);
      expect(eventDetailOf(sdk)).toEqual(withoutNulls(apiJsonOf(detail)));
    },
  );

  it('takes the JSON names from the SDK schema: names that are not the member name in camelCase, map keys, tag values', async () => {
    const wire = {
      id: 'f1',
      resource: {
        resourceType: 'Instance',
        instanceDetails: {
          instanceId: 'i-0abc123def4567890',
          productCodes: [{ productCodeId: 'abc123', productCodeType: 'marketplace' }],
          tags: [
            { key: 'Name', value: 'AKIAI44QH8DHBEXAMPLE' },
            { key: 'aws:cloudformation:stack-name', value: 'App' },
          ],
        },
      },
      service: {
        action: {
          awsApiCallAction: {
            api: 'GetObject',
            affectedResources: { 'AWS::S3::Bucket': 'example-bucket', 'AWS::IAM::Role': 'r' },
          },
          kubernetesApiCallAction: { sourceIPs: ['198.51.100.7'], requestUri: '/api' },
        },
        detection: {
          anomaly: {
            unusual: {
              behavior: {
                'AWS::IAM::User': {
                  userName: { profileType: 'FREQUENCY', profileSubtype: 'UNSEEN', observations: { text: ['x'] } },
                },
              },
            },
          },
        },
      },
    };
    const sdk = (await sdkFindingOf(wire)) as any;
    expect(sdk.Resource.InstanceDetails.ProductCodes).toEqual([{ Code: 'abc123', ProductType: 'marketplace' }]);
    expect(sdk.Service.Action.KubernetesApiCallAction.SourceIps).toEqual(['198.51.100.7']);
    expect(sdk.Service.Action.AwsApiCallAction.AffectedResources).toEqual({
      'AWS::S3::Bucket': 'example-bucket',
      'AWS::IAM::Role': 'r',
    });
    expect(eventDetailOf(sdk)).toEqual(wire);
  });

  it('writes timestamps the SDK made Dates as ISO-8601, and leaves out members the SDK model does not have', () => {
    const detail = eventDetailOf({
      Id: 'f1',
      Resource: {
        ResourceType: 'S3Bucket',
        S3BucketDetails: [{ Name: 'b', CreatedAt: new Date('2026-11-20T08:00:00Z') }],
      },
      NotAMember: 'x',
    } as any);
    expect(detail).toEqual({
      id: 'f1',
      resource: { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'b', createdAt: '2026-11-20T08:00:00.000Z' }] },
    });
  });
});

describe('confirmFinding: GuardDuty findings are re-read with guardduty:GetFindings', () => {
  it.each(FINDING_FIXTURES)('%s round-trips to an equal Finding', async (fixture) => {
    const { fake, sources } = await guardDutyWith(fixture);
    const payload = loadFinding(fixture);
    const confirmed = expectKind(await confirmFinding(payload, sources), 'confirmed');
    expect(withoutRaw(confirmed.finding)).toEqual(withoutRaw(payload));
    expect(confirmed.updated).toEqual([]);
    expect(confirmed.readFrom).toBe(`guardduty:GetFindings in us-east-1 (detector ${SECURITY_DETECTOR_ID})`);
    // The security account's detector, not the member detector named in the payload's ARN.
    expect(fake.calls('GetFindings')).toEqual([
      { region: 'us-east-1', input: { DetectorId: SECURITY_DETECTOR_ID, FindingIds: [payload.id] } },
    ]);
    // The confirmed finding's evidence is AWS's answer, not the payload.
    const raw = confirmed.finding.raw as { source: string; detail: { resource: unknown } };
    expect(raw).not.toBe(payload.raw);
    expect(raw.source).toBe('aws.guardduty');
    expect(raw.detail.resource).toEqual(eventDetailOf(fake.finding(payload.id)).resource);
  });

  it('a finding of a member account is read from the security account detector', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/other-account');
    const payload = loadFinding('guardduty/other-account');
    expect(payload.arn).toContain(':detector/0ec2b3f5d8a147c29e6b4d1a7f3c5e82/');
    expect(expectKind(await confirmFinding(payload, sources), 'confirmed').finding.accountId).toBe('444455556666');
    expect(fake.calls('GetFindings')[0]?.input.DetectorId).toBe(SECURITY_DETECTOR_ID);
  });

  it.each([
    [
      'a changed access key id',
      'guardduty/iam-user-long-term-key',
      (e: any) => (e.detail.resource.accessKeyDetails.accessKeyId = 'AKIAIOSFODNN7EXAMPLE'),
      ['subject.accessKeyId: the payload says "AKIAIOSFODNN7EXAMPLE", AWS says "AKIAI44QH8DHBEXAMPLE"'],
    ],
    [
      'a changed instance id',
      'guardduty/ec2-instance',
      (e: any) => (e.detail.resource.instanceDetails.instanceId = 'i-0fedcba9876543210'),
      ['subject.instanceId: the payload says "i-0fedcba9876543210", AWS says "i-0abc123def4567890"'],
    ],
    [
      'a changed account',
      'guardduty/iam-user-long-term-key',
      (e: any) => (e.detail.accountId = '444455556666'),
      ['accountId: the payload says "444455556666", AWS says "111122223333"'],
    ],
    [
      'a sample flag removed (additionalInfo.sample)',
      'guardduty/sample-iam-user',
      (e: any) => (e.detail.service.additionalInfo = { value: '{}', type: 'default' }),
      ['sample: the payload says false, AWS says true'],
    ],
    [
      'a sample flag removed (additionalInfo.value)',
      'guardduty/sample-value-string',
      (e: any) => (e.detail.service.additionalInfo.value = '{}'),
      ['sample: the payload says false, AWS says true'],
    ],
    [
      'another session of the role',
      'guardduty/assumed-role-session',
      (e: any) => (e.detail.resource.accessKeyDetails.principalId = 'AROAR2EXAMPLEJ5VW8PTQ:admin-session'),
      [
        'subject.sessionName: the payload says "admin-session", AWS says "i-0abc123def4567890"',
        'subject.principalId: the payload says "AROAR2EXAMPLEJ5VW8PTQ:admin-session", AWS says "AROAR2EXAMPLEJ5VW8PTQ:i-0abc123def4567890"',
      ],
    ],
    [
      'a changed finding type',
      'guardduty/iam-user-long-term-key',
      (e: any) => (e.detail.type = 'CredentialAccess:IAMUser/AnomalousBehavior'),
      [
        'type: the payload says "CredentialAccess:IAMUser/AnomalousBehavior", AWS says "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"',
      ],
    ],
  ])(
    'a forged payload with %s is a mismatch naming the field and both values',
    async (_what, fixture, edit, expected) => {
      const { sources } = await guardDutyWith(fixture);
      const mismatch = expectKind(await confirmFinding(parsed(editedEvent(fixture, edit)), sources), 'mismatch');
      expect([...mismatch.differences].sort()).toEqual([...expected].sort());
      // The finding reported is AWS's version, for the message.
      expect(withoutRaw(mismatch.finding)).toEqual(withoutRaw(loadFinding(fixture)));
      expect(mismatch.reason).toContain(expected[0]);
    },
  );

  it('an invented finding id is not found', async () => {
    const { sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const forged = parsed(
      editedEvent('guardduty/iam-user-long-term-key', (e) => (e.detail.id = '0123456789abcdef0123456789abcdef')),
    );
    const result = expectKind(await confirmFinding(forged, sources), 'not-found');
    expect(result.reason).toBe('GuardDuty in us-east-1 has no finding 0123456789abcdef0123456789abcdef');
  });

  it('a finding moved to another Region is not found there', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/iam-user-long-term-key', ['us-east-1', 'eu-west-1']);
    const forged = parsed(editedEvent('guardduty/iam-user-long-term-key', (e) => (e.detail.region = 'eu-west-1')));
    expectKind(await confirmFinding(forged, sources), 'not-found');
    expect(fake.calls('GetFindings').map((call) => call.region)).toEqual(['eu-west-1']);
  });

  it('an archived finding is archived, with AWS’s finding', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/ec2-instance');
    const payload = loadFinding('guardduty/ec2-instance');
    fake.archive(payload.id);
    const archived = expectKind(await confirmFinding(payload, sources), 'archived');
    expect(archived.reason).toBe(
      `GuardDuty has archived finding ${payload.id} (a person or a suppression rule closed it)`,
    );
    expect(archived.finding.subject).toEqual(payload.subject);
  });

  it('an archived finding whose payload was also changed is a mismatch: the forgery is what the message must say', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/ec2-instance');
    fake.archive(loadFinding('guardduty/ec2-instance').id);
    const forged = parsed(
      editedEvent(
        'guardduty/ec2-instance',
        (e) => (e.detail.resource.instanceDetails.instanceId = 'i-0fedcba9876543210'),
      ),
    );
    expectKind(await confirmFinding(forged, sources), 'mismatch');
  });

  it('a severity GuardDuty has raised since is AWS’s in the confirmed finding, and reported as updated', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const payload = loadFinding('guardduty/iam-user-long-term-key');
    fake.finding(payload.id).Severity = 8;
    const confirmed = expectKind(await confirmFinding(payload, sources), 'confirmed');
    expect(confirmed.finding).toMatchObject({ severity: 8, severityLabel: 'High' });
    expect(confirmed.updated).toEqual(['severity: the payload says 5, AWS now says 8']);
  });

  it('a forged lower severity (to slip under a threshold, or to look harmless) is replaced by AWS’s', async () => {
    const { sources } = await guardDutyWith('guardduty/ec2-instance');
    const forged = parsed(editedEvent('guardduty/ec2-instance', (e) => (e.detail.severity = 1)));
    expect(expectKind(await confirmFinding(forged, sources), 'confirmed').finding.severity).toBe(8);
  });

  it('a native payload that adds a Security Hub identity is a mismatch (the engine would update that Security Hub finding)', async () => {
    const { sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const payload = {
      ...loadFinding('guardduty/iam-user-long-term-key'),
      securityHub: {
        id: 'arn:aws:securityhub:us-east-1:111122223333:other',
        productArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      },
    };
    const mismatch = expectKind(await confirmFinding(payload, sources), 'mismatch');
    expect(mismatch.differences).toEqual([
      'securityHub.id: the payload says "arn:aws:securityhub:us-east-1:111122223333:other", AWS says nothing',
      'securityHub.productArn: the payload says "arn:aws:securityhub:us-east-1::product/aws/guardduty", AWS says nothing',
    ]);
  });

  it('a value in a difference is escaped and capped: control and bidi characters never reach the message as themselves', async () => {
    const { sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const genuine = loadFinding('guardduty/iam-user-long-term-key');
    const hostile = `ci-deploy\u202e\n\u0007${'x'.repeat(500)}`;
    const payload = { ...genuine, subject: { ...genuine.subject, userName: hostile } } as Finding;
    const mismatch = expectKind(await confirmFinding(payload, sources), 'mismatch');
    expect(mismatch.differences).toHaveLength(1);
    const [difference] = mismatch.differences;
    expect(difference).toMatch(
      /^subject\.userName: the payload says "ci-deploy\\u202e\\n\\u0007x+…x+" \(\d+ characters\), AWS says "ci-deploy"$/,
    );
    // eslint-disable-next-line no-control-regex
    expect(difference).not.toMatch(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
    expect(difference!.length).toBeLessThan(560);
  });

  it('an answer without the partition (optional in the API) takes it from AWS’s own finding ARN', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/ec2-instance');
    const payload = loadFinding('guardduty/ec2-instance');
    delete fake.finding(payload.id).Partition;
    expect(expectKind(await confirmFinding(payload, sources), 'confirmed').finding.partition).toBe('aws');
  });

  it('an answer the parser rejects is unreadable, never confirmed', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const payload = loadFinding('guardduty/iam-user-long-term-key');
    fake.finding(payload.id).Type = 'not a finding type';
    const result = expectKind(await confirmFinding(payload, sources), 'unreadable');
    expect(result.error.name).toBe('FindingRejectedError');
    expect(result.reason).toMatch(
      /^GuardDuty's answer could not be parsed: Finding rejected, nothing was changed: detail\.type: expected a GuardDuty finding type/,
    );
  });
});

describe('confirmFinding: AWS errors are unreadable, with the cause', () => {
  it('ListDetectors denied: unreadable, the SDK error kept as the cause, nothing else called', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const denied = new AccessDeniedException({
      message: 'User is not authorized to perform: guardduty:ListDetectors',
      Message: 'x',
      Type: 'x',
      $metadata: { httpStatusCode: 403 },
    });
    fake.failOn('ListDetectors', denied);
    const result = expectKind(
      await confirmFinding(loadFinding('guardduty/iam-user-long-term-key'), sources),
      'unreadable',
    );
    expect(result.error).toBeInstanceOf(AwsCallError);
    expect(result.error.cause).toBe(denied);
    expect((result.error as AwsCallError).errorCode).toBe('AccessDeniedException');
    expect(result.reason).toBe(
      "guardduty:ListDetectors on the security account's GuardDuty detector in us-east-1 failed: " +
        'AccessDeniedException: User is not authorized to perform: guardduty:ListDetectors',
    );
    expect(result.readFrom).toBe('guardduty:ListDetectors in us-east-1');
    expect(fake.calls('GetFindings')).toEqual([]);
  });

  it('GetFindings failing: unreadable with the cause, and the detector is listed again for the next finding', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const payload = loadFinding('guardduty/iam-user-long-term-key');
    const failure = new InternalServerErrorException({
      message: 'Internal server error',
      Message: 'x',
      Type: 'x',
      $metadata: { httpStatusCode: 500 },
    });
    fake.failOn('GetFindings', failure, 1);
    const result = expectKind(await confirmFinding(payload, sources), 'unreadable');
    expect(result.error.cause).toBe(failure);
    expect(result.reason).toBe(
      `guardduty:GetFindings on finding ${payload.id} (detector ${SECURITY_DETECTOR_ID}, ` +
        `us-east-1) failed: InternalServerErrorException: Internal server error`,
    );
    expectKind(await confirmFinding(payload, sources), 'confirmed');
    expect(fake.calls('ListDetectors')).toHaveLength(2);
  });

  it('no detector in the Region: unreadable, saying where GuardDuty must be enabled', async () => {
    const { sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const elsewhere = parsed(
      editedEvent('guardduty/iam-user-long-term-key', (e) => (e.detail.region = 'ap-southeast-2')),
    );
    const result = expectKind(await confirmFinding(elsewhere, sources), 'unreadable');
    expect(result.error.name).toBe('DetectorUnavailableError');
    expect(result.reason).toMatch(
      /^guardduty:ListDetectors in ap-southeast-2 lists no detector: enable GuardDuty in ap-southeast-2 in the security account/,
    );
  });

  it('a client that cannot be built (a bundle without the package) is unreadable, not a throw', async () => {
    const sources: FindingSources = {
      guardDutyFor: () => {
        throw new Error('Firebreak: this function was bundled without @aws-sdk/client-guardduty');
      },
      securityHubFor: () => new SecurityHubClient({ region: 'us-east-1' }),
    };
    const result = expectKind(await confirmFinding(loadFinding('guardduty/ec2-instance'), sources), 'unreadable');
    expect(result.reason).toContain('bundled without @aws-sdk/client-guardduty');
  });

  it('a Region that is not an AWS Region name is never used to build a client', async () => {
    const fake = new FakeGuardDuty();
    const payload = { ...loadFinding('guardduty/ec2-instance'), region: 'us-east-1.attacker.example' };
    const result = expectKind(await confirmFinding(payload, fakeFindingSources(fake)), 'unreadable');
    expect(result.reason).toBe(
      'the finding\'s Region "us-east-1.attacker.example" is not an AWS Region name: it was not re-read',
    );
    expect(fake.calls('ListDetectors')).toEqual([]);
  });
});

describe('confirmFinding: the detector id is cached per Region for the warm function', () => {
  it('one ListDetectors per client and Region, however many findings', async () => {
    const fake = new FakeGuardDuty(['us-east-1', 'eu-west-1']);
    for (const fixture of ['guardduty/iam-user-long-term-key', 'guardduty/ec2-instance', 'guardduty/root'])
      await fake.addFixture(fixture);
    await fake.addEventDetail({ ...(loadEvent('guardduty/federated-user').detail as object), region: 'eu-west-1' });
    const sources = fakeFindingSources(fake);
    for (const fixture of ['guardduty/iam-user-long-term-key', 'guardduty/ec2-instance', 'guardduty/root'])
      expectKind(await confirmFinding(loadFinding(fixture), sources), 'confirmed');
    const inIreland = parsed(editedEvent('guardduty/federated-user', (e) => (e.detail.region = 'eu-west-1')));
    expectKind(await confirmFinding(inIreland, sources), 'confirmed');
    expectKind(await confirmFinding(inIreland, sources), 'confirmed');
    expect(fake.calls('ListDetectors').map((call) => call.region)).toEqual(['us-east-1', 'eu-west-1']);
    expect(fake.calls('GetFindings')).toHaveLength(5);
  });

  it('a failed ListDetectors is not cached', async () => {
    const { fake, sources } = await guardDutyWith('guardduty/ec2-instance');
    fake.failOn(
      'ListDetectors',
      new InternalServerErrorException({ message: 'try again', Message: 'x', Type: 'x', $metadata: {} }),
      1,
    );
    expectKind(await confirmFinding(loadFinding('guardduty/ec2-instance'), sources), 'unreadable');
    expectKind(await confirmFinding(loadFinding('guardduty/ec2-instance'), sources), 'confirmed');
    expect(fake.calls('ListDetectors')).toHaveLength(2);
  });
});

describe('confirmFinding: findings that came through Security Hub', () => {
  it.each([
    ['securityhub/guardduty-iam-user-long-term-key', 'guardduty/iam-user-long-term-key'],
    ['securityhub/guardduty-ec2-instance', 'guardduty/ec2-instance'],
  ])(
    '%s (GuardDuty) is re-read from GuardDuty, keeping the Security Hub identity GuardDuty’s answer vouches for',
    async (asff, native) => {
      const { fake, sources } = await guardDutyWith(native);
      const securityHub = new FakeSecurityHub();
      const payload = viaSecurityHub(loadEvent(asff));
      const confirmed = expectKind(
        await confirmFinding(payload, { ...sources, securityHubFor: (region) => securityHub.clientFor(region) }),
        'confirmed',
      );
      expect(confirmed.finding).toMatchObject({
        via: 'securityhub',
        securityHub: payload.securityHub,
        eventId: payload.eventId,
        subject: payload.subject,
        id: payload.id,
      });
      expect(fake.calls('GetFindings')).toHaveLength(1);
      expect(securityHub.calls()).toEqual([]);
    },
  );

  it('a GuardDuty finding through Security Hub naming another Security Hub finding is a mismatch', async () => {
    const { sources } = await guardDutyWith('guardduty/iam-user-long-term-key');
    const genuine = viaSecurityHub(loadEvent('securityhub/guardduty-iam-user-long-term-key'));
    const other =
      'arn:aws:guardduty:us-east-1:111122223333:detector/6cc2b3e1a7d94f0e8b5a2c7d9e1f3a40/finding/e8cbd9a5b61c4f0e9a7d3b2c5e8f1a46';
    const mismatch = expectKind(
      await confirmFinding({ ...genuine, securityHub: { ...genuine.securityHub!, id: other } }, sources),
      'mismatch',
    );
    // Both ARNs share their first 80 characters: a whole ARN is shown, so where they differ is in the message.
    expect(mismatch.differences).toEqual([`securityHub.id: the payload says "${other}", AWS says "${genuine.arn}"`]);
  });

  describe('AWS Config findings: securityhub:GetFindings on the Id and ProductArn', () => {
    const FIXTURE = 'securityhub/config-restricted-ssh-non-compliant';

    function hubWith(edit?: (finding: any) => void): {
      hub: FakeSecurityHub;
      sources: FindingSources;
      guardDuty: FakeGuardDuty;
    } {
      const hub = new FakeSecurityHub();
      const held = hub.addFixture(FIXTURE);
      edit?.(held);
      const guardDuty = new FakeGuardDuty();
      return { hub, guardDuty, sources: fakeFindingSources(guardDuty, hub) };
    }

    it('round-trips to an equal Finding', async () => {
      const { hub, guardDuty, sources } = hubWith();
      const payload = viaSecurityHub(loadEvent(FIXTURE));
      const confirmed = expectKind(await confirmFinding(payload, sources), 'confirmed');
      expect(withoutRaw(confirmed.finding)).toEqual(withoutRaw(payload));
      expect(confirmed.readFrom).toBe('securityhub:GetFindings in us-east-1');
      expect(hub.calls()).toEqual([
        {
          region: 'us-east-1',
          input: {
            Filters: {
              Id: [{ Value: payload.securityHub!.id, Comparison: 'EQUALS' }],
              ProductArn: [{ Value: payload.securityHub!.productArn, Comparison: 'EQUALS' }],
            },
            MaxResults: 10,
          },
        },
      ]);
      expect(guardDuty.calls('ListDetectors')).toEqual([]);
    });

    it('a forged security group is a mismatch', async () => {
      const { sources } = hubWith();
      const forged = viaSecurityHub(
        editedEvent(
          FIXTURE,
          (e) =>
            (e.detail.findings[0].Resources[0].Id =
              'arn:aws:ec2:us-east-1:111122223333:security-group/sg-0fedcba9876543210'),
        ),
      );
      const mismatch = expectKind(await confirmFinding(forged, sources), 'mismatch');
      expect(mismatch.differences).toEqual(
        expect.arrayContaining([
          'subject.groupId: the payload says "sg-0fedcba9876543210", AWS says "sg-0123456789abcdef0"',
          'config.resourceId: the payload says "sg-0fedcba9876543210", AWS says "sg-0123456789abcdef0"',
        ]),
      );
    });

    it('an Id Security Hub does not hold is not found', async () => {
      const { sources } = hubWith();
      const forged = viaSecurityHub(
        editedEvent(FIXTURE, (e) => (e.detail.findings[0].Id = `${e.detail.findings[0].Id.slice(0, -4)}0000`)),
      );
      expectKind(await confirmFinding(forged, sources), 'not-found');
    });

    it('RecordState ARCHIVED is archived', async () => {
      const { sources } = hubWith((finding) => (finding.RecordState = 'ARCHIVED'));
      const archived = expectKind(await confirmFinding(viaSecurityHub(loadEvent(FIXTURE)), sources), 'archived');
      expect(archived.reason).toMatch(/\(RecordState ARCHIVED\)$/);
    });

    it('a workflow status Firebreak itself may have set since (NOTIFIED) is still confirmed', async () => {
      const { sources } = hubWith((finding) => (finding.Workflow = { Status: 'NOTIFIED' }));
      expectKind(await confirmFinding(viaSecurityHub(loadEvent(FIXTURE)), sources), 'confirmed');
    });

    it('a Security Hub error is unreadable, with the cause', async () => {
      const { hub, sources } = hubWith();
      const denied = new InvalidAccessException({
        message: 'Account 111122223333 is not subscribed to AWS Security Hub',
        $metadata: { httpStatusCode: 401 },
      });
      hub.failOn(denied);
      const result = expectKind(await confirmFinding(viaSecurityHub(loadEvent(FIXTURE)), sources), 'unreadable');
      expect(result.error.cause).toBe(denied);
      expect(result.reason).toMatch(
        /^securityhub:GetFindings on finding arn:aws:config:.* failed: InvalidAccessException: Account 111122223333 is not subscribed to AWS Security Hub$/,
      );
    });

    it('a finding that says it came through Security Hub without naming its Security Hub finding is not found, with no call', async () => {
      const { hub, sources } = hubWith();
      const { securityHub: _identity, ...payload } = viaSecurityHub(loadEvent(FIXTURE));
      expectKind(await confirmFinding(payload, sources), 'not-found');
      expect(hub.calls()).toEqual([]);
    });
  });
});

describe('confirmFinding: native AWS Config findings', () => {
  it('are not re-read, and say so', async () => {
    const fake = new FakeGuardDuty();
    const hub = new FakeSecurityHub();
    const result = expectKind(
      await confirmFinding(loadFinding('config/restricted-ssh-non-compliant'), fakeFindingSources(fake, hub)),
      'not-applicable',
    );
    expect(result.reason).toMatch(/^a native AWS Config compliance change is not re-read/);
    expect(fake.calls('ListDetectors')).toEqual([]);
    expect(hub.calls()).toEqual([]);
  });
});

describe('createFindingSourceClients', () => {
  it('builds each Region’s clients once, on first use, with the retry settings', async () => {
    const clients = createFindingSourceClients({ homeRegion: 'us-east-1' });
    const ireland = clients.guardDutyFor('eu-west-1');
    expect(clients.guardDutyFor('eu-west-1')).toBe(ireland);
    expect(clients.guardDutyFor('us-east-1')).not.toBe(ireland);
    expect(await ireland.config.region()).toBe('eu-west-1');
    expect(await ireland.config.maxAttempts()).toBe(3);
    const hub = clients.securityHubFor('eu-west-1');
    expect(clients.securityHubFor('eu-west-1')).toBe(hub);
    expect(await hub.config.region()).toBe('eu-west-1');
  });

  it('reuses the function’s own clients for the home Region, reading them only when first needed', () => {
    const guardDuty = new GuardDutyClient({ region: 'us-east-1' });
    const securityHub = new SecurityHubClient({ region: 'us-east-1' });
    const read: string[] = [];
    const home = {
      get guardDuty() {
        read.push('guardDuty');
        return guardDuty;
      },
      get securityHub() {
        read.push('securityHub');
        return securityHub;
      },
    };
    const clients = createFindingSourceClients({ homeRegion: 'us-east-1', home });
    expect(read).toEqual([]);
    expect(clients.guardDutyFor('us-east-1')).toBe(guardDuty);
    expect(clients.guardDutyFor('us-east-1')).toBe(guardDuty);
    expect(clients.securityHubFor('us-east-1')).toBe(securityHub);
    expect(clients.guardDutyFor('eu-west-1')).not.toBe(guardDuty);
    expect(read).toEqual(['guardDuty', 'securityHub']);
  });
});
