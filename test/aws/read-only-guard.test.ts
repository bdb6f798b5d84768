import { GetUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { HttpRequest, RequestHandler } from '@smithy/types';
import { createReadOnlyClients } from '../../lambdas/aws/read-only-clients';
import { guardReadOnly, isAllowed, ReadOnlyViolationError } from '../../lambdas/aws/read-only-guard';
import { FakeIam } from '../support/fake-iam';
import { fakeTransport } from '../support/fake-transport';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A transport that records each request and answers none: reaching it proves the guard let the call through. */
function recordingTransport() {
  const requests: HttpRequest[] = [];
  const handler = {
    handle: async (request: HttpRequest) => {
      requests.push(request);
      throw new Error('transport reached');
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as unknown as RequestHandler<HttpRequest, never>;
  return { requests, handler };
}

describe('isAllowed', () => {
  it.each([
    ['GetUser', true],
    ['ListAccessKeys', true],
    ['DescribeInstances', true],
    ['GetCallerIdentity', true],
    ['UpdateAccessKey', false],
    ['PutUserPolicy', false],
    ['ModifyNetworkInterfaceAttribute', false],
    ['CreateSnapshots', false],
    ['EnterStandby', false],
    ['AssumeRole', false],
    ['GetSessionToken', false],
    ['GetFederationToken', false],
    ['GetWebIdentityToken', false],
    ['GetDelegatedAccessToken', false],
    ['Get', false],
    ['Listen', false],
    ['', false],
  ])('%j -> %s', (operation, allowed) => {
    expect(isAllowed(operation)).toBe(allowed);
  });

  it('STS: only GetCallerIdentity and GetAccessKeyInfo, whatever Get* operations the service adds', () => {
    expect(isAllowed('GetCallerIdentity', [], 'sts')).toBe(true);
    expect(isAllowed('GetAccessKeyInfo', [], 'sts')).toBe(true);
    expect(isAllowed('GetSomeNewTokenKind', [], 'sts')).toBe(false);
    expect(isAllowed('AssumeRole', ['AssumeRole'], 'sts')).toBe(true);
    expect(isAllowed('GetUser', [], 'iam')).toBe(true);
  });

  it('allows an extra operation only where asked', () => {
    expect(isAllowed('AssumeRole', ['AssumeRole'])).toBe(true);
    expect(isAllowed('UpdateAccessKey', ['AssumeRole'])).toBe(false);
  });
});

describe('guardReadOnly on a real SDK client', () => {
  it('refuses a write before anything is sent, naming the command', async () => {
    const transport = recordingTransport();
    const refused: string[] = [];
    const iam = guardReadOnly(
      new IAMClient({
        region: 'us-east-1',
        credentials: CREDENTIALS,
        requestHandler: transport.handler,
        maxAttempts: 1,
      }),
      { refused },
    );
    const write = iam.send(
      new UpdateAccessKeyCommand({ UserName: 'ci-deploy', AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }),
    );
    await expect(write).rejects.toBeInstanceOf(ReadOnlyViolationError);
    await expect(write).rejects.toThrow('Refused iam:UpdateAccessKey');
    expect(transport.requests).toHaveLength(0);
    expect(refused).toEqual(['iam:UpdateAccessKey']);
  });

  it('lets a read through to the transport, signed as usual', async () => {
    const transport = recordingTransport();
    const log: string[] = [];
    const iam = guardReadOnly(
      new IAMClient({
        region: 'us-east-1',
        credentials: CREDENTIALS,
        requestHandler: transport.handler,
        maxAttempts: 1,
      }),
      { log },
    );
    await expect(iam.send(new GetUserCommand({ UserName: 'ci-deploy' }))).rejects.toThrow('transport reached');
    expect(transport.requests).toHaveLength(1);
    expect(String(transport.requests[0]!.body)).toContain('Action=GetUser');
    expect(log).toEqual(['iam:GetUser']);
  });

  it('refuses AssumeRole and GetSessionToken on STS unless AssumeRole is allowed on that client', async () => {
    const transport = recordingTransport();
    const sts = guardReadOnly(
      new STSClient({
        region: 'us-east-1',
        credentials: CREDENTIALS,
        requestHandler: transport.handler,
        maxAttempts: 1,
      }),
    );
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/x', RoleSessionName: 's' })),
    ).rejects.toThrow('Refused sts:AssumeRole');
    await expect(sts.send(new GetSessionTokenCommand({}))).rejects.toThrow('Refused sts:GetSessionToken');
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toThrow('transport reached');
    const assuming = guardReadOnly(
      new STSClient({
        region: 'us-east-1',
        credentials: CREDENTIALS,
        requestHandler: transport.handler,
        maxAttempts: 1,
      }),
      { alsoAllow: ['AssumeRole'] },
    );
    await expect(
      assuming.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/x', RoleSessionName: 's' })),
    ).rejects.toThrow('transport reached');
  });
});

describe('createReadOnlyClients', () => {
  it('guards every client it builds and records what a caller caught', async () => {
    const iam = new FakeIam().addUser('ci-deploy', {
      id: 'AIDAJQABLZS4A3QDU576Q',
      keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
    });
    const clients = createReadOnlyClients({ region: 'us-east-1', onClient: fakeTransport({ IAMClient: iam.client }) });
    await clients.iam
      .send(
        new UpdateAccessKeyCommand({ UserName: 'ci-deploy', AccessKeyId: 'AKIAI44QH8DHBEXAMPLE', Status: 'Inactive' }),
      )
      .catch(() => undefined);
    expect(clients.refused).toEqual(['iam:UpdateAccessKey']);
    expect(iam.mock.calls()).toHaveLength(0);
    expect(iam.users.get('ci-deploy')!.keys![0]!.status).toBe('Active');
    for (const client of [clients.iam, clients.ec2, clients.autoScaling, clients.sts, clients.sns, clients.dynamodb]) {
      expect(client.middlewareStack.identify().some((entry) => entry.startsWith('firebreakReadOnlyGuard'))).toBe(true);
    }
  });
});
