import { GetUserCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsClients } from '../../lambdas/aws/aws-clients';
import { buildSync } from 'esbuild';
import { withReadCache } from '../../lambdas/aws/read-cache';

function clients() {
  const iam = new IAMClient({ region: 'us-east-1' });
  const mock = mockClient(iam);
  return { mock, clients: { iam } as unknown as AwsClients };
}

describe('withReadCache', () => {
  it('makes an identical read once, also while the first is in flight', async () => {
    const { mock, clients: raw } = clients();
    mock
      .on(GetUserCommand)
      .resolves({ User: { UserName: 'u', UserId: 'AIDA1', Arn: 'arn', Path: '/', CreateDate: new Date() } });
    const cached = withReadCache(raw);
    const [a, b] = await Promise.all([
      cached.iam.send(new GetUserCommand({ UserName: 'u' })),
      cached.iam.send(new GetUserCommand({ UserName: 'u' })),
    ]);
    await cached.iam.send(new GetUserCommand({ UserName: 'u' }));
    expect(a).toBe(b);
    expect(mock.commandCalls(GetUserCommand)).toHaveLength(1);
  });

  it('reads again for another input', async () => {
    const { mock, clients: raw } = clients();
    mock.on(GetUserCommand).resolves({});
    const cached = withReadCache(raw);
    await cached.iam.send(new GetUserCommand({ UserName: 'u' }));
    await cached.iam.send(new GetUserCommand({ UserName: 'v' }));
    expect(mock.commandCalls(GetUserCommand)).toHaveLength(2);
  });

  it('forgets a failed read, so the next caller tries again', async () => {
    const { mock, clients: raw } = clients();
    mock.on(GetUserCommand).rejectsOnce(new Error('Throttling')).resolves({});
    const cached = withReadCache(raw);
    await expect(cached.iam.send(new GetUserCommand({ UserName: 'u' }))).rejects.toThrow('Throttling');
    await expect(cached.iam.send(new GetUserCommand({ UserName: 'u' }))).resolves.toEqual({});
    expect(mock.commandCalls(GetUserCommand)).toHaveLength(2);
  });

  it('never caches a write', async () => {
    const { mock, clients: raw } = clients();
    mock.on(UpdateAccessKeyCommand).resolves({});
    const cached = withReadCache(raw);
    const write = () =>
      cached.iam.send(new UpdateAccessKeyCommand({ UserName: 'u', AccessKeyId: 'AKIA', Status: 'Inactive' }));
    await write();
    await write();
    expect(mock.commandCalls(UpdateAccessKeyCommand)).toHaveLength(2);
  });
});

describe('withReadCache: answers for good', () => {
  it('keeps a definite client error (NoSuchEntity), so the same read is not sent again', async () => {
    const { mock, clients: raw } = clients();
    mock
      .on(GetUserCommand)
      .rejects(Object.assign(new Error('The user cannot be found'), { name: 'NoSuchEntity', $fault: 'client' }));
    const cached = withReadCache(raw);
    await expect(cached.iam.send(new GetUserCommand({ UserName: 'u' }))).rejects.toThrow('cannot be found');
    await expect(cached.iam.send(new GetUserCommand({ UserName: 'u' }))).rejects.toThrow('cannot be found');
    expect(mock.commandCalls(GetUserCommand)).toHaveLength(1);
  });

  it('forgets throttling, a client error worth another try', async () => {
    const { mock, clients: raw } = clients();
    mock
      .on(GetUserCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $fault: 'client' }))
      .resolves({});
    const cached = withReadCache(raw);
    await expect(cached.iam.send(new GetUserCommand({ UserName: 'u' }))).rejects.toThrow('Rate exceeded');
    await expect(cached.iam.send(new GetUserCommand({ UserName: 'u' }))).resolves.toEqual({});
  });
});

describe('withReadCache in a minified bundle', () => {
  it('still knows a read from a write when the bundler renamed the command classes', () => {
    const result = buildSync({
      stdin: {
        contents:
          "import { GetUserCommand } from '@aws-sdk/client-iam'; import { operationOf } from './lambdas/aws/read-cache'; export const " +
          "name = () => [new GetUserCommand({ UserName: 'u' }).constructor.name, operationOf(new GetUserCommand({ UserName: 'u' }))];",
        resolveDir: `${__dirname}/../..`,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      minify: true,
      write: false,
      logLevel: 'silent',
    });
    const module = { exports: {} as { name: () => [string, string] } };
    new Function('module', 'exports', 'require', result.outputFiles[0]!.text)(module, module.exports, require);
    const [className, operation] = module.exports.name();
    expect(className).not.toBe('GetUserCommand');
    expect(operation).toBe('GetUser');
  });
});
