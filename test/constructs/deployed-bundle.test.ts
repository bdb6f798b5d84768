import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { loadPlaybooks } from '../../lib/playbooks';
import { esbuildOptionsOf, lambdaBundling, unusedSdkClients } from '../../lib/constructs/sdk-bundling';

// The unit tests run the SDK's CommonJS build with mocked clients; the functions run its ES modules, bundled, with
// credentials from the environment only. This sends real, signed requests from such a bundle to a local server.

interface Seen {
  readonly target: string;
  readonly body: string;
  readonly authorization: string;
  readonly token: string;
}

const ANSWERS: Record<string, { type: string; body: string }> = {
  GetUser: {
    type: 'text/xml',
    body:
      '<GetUserResponse ' +
      'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>' +
      'alice</UserName><UserId>AIDAPROBEUSER</UserId><Arn>arn:aws:iam::111122223333:user/alice</Arn>' +
      '<CreateDate>2024-01-01T00:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetUserResponse>',
  },
  'DynamoDB_20120810.GetItem': { type: 'application/x-amz-json-1.0', body: '{"Item":{"pk":{"S":"incident#1"}}}' },
  DescribeInstances: {
    type: 'text/xml',
    body:
      '<DescribeInstancesResponse ' +
      'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r3</requestId><reservationSet><item><reservationId>r-1</reservationId>' +
      '<ownerId>111122223333</ownerId><instancesSet><item><instanceId>i-0probe</instanceId><networkInterfaceSet><item>' +
      '<networkInterfaceId>eni-0probe</networkInterfaceId><groupSet><item><groupId>sg-0web</groupId><groupName>web</groupName>' +
      '</item></groupSet></item></networkInterfaceSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>',
  },
  ModifyNetworkInterfaceAttribute: {
    type: 'text/xml',
    body:
      '<ModifyNetworkInterfaceAttributeResponse ' +
      'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r4</requestId><return>true</return></ModifyNetworkInterfaceAttributeResponse>',
  },
  Publish: {
    type: 'text/xml',
    body:
      '<PublishResponse ' +
      'xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>message-1</MessageId>' +
      '</PublishResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></PublishResponse>',
  },
};

async function requestOf(request: IncomingMessage): Promise<{ target: string; body: string }> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  const header = request.headers['x-amz-target'];
  return {
    target: typeof header === 'string' ? header : (new URLSearchParams(body).get('Action') ?? '(no action)'),
    body,
  };
}

describe('a responder bundle as deployed', () => {
  let dir: string;
  let server: Server;
  const seen: Seen[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-deployed-'));
    server = createServer((request, response) => {
      void requestOf(request).then(({ target, body }) => {
        seen.push({
          target,
          body,
          authorization: String(request.headers.authorization ?? ''),
          token: String(request.headers['x-amz-security-token'] ?? ''),
        });
        const answer = ANSWERS[target];
        response.writeHead(answer ? 200 : 400, { 'content-type': answer?.type ?? 'text/plain' });
        response.end(answer?.body ?? `unexpected ${target}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  /** The probe bundled as the responder of this playbook is, then `probe` run in a fresh Node process against the local server. */
  async function runBundled(
    playbookId: string,
    probe: 'probe' | 'probeEc2',
  ): Promise<{ result: unknown; bundle: string }> {
    const playbook = loadPlaybooks().find((candidate) => candidate.id === playbookId)!;
    const outfile = join(dir, `${playbookId}.js`);
    buildSync({
      ...esbuildOptionsOf(lambdaBundling(unusedSdkClients(playbook, { securityHubUpdates: false }))),
      entryPoints: [join(__dirname, '..', 'support', 'bundle-probe.ts')],
      outfile,
      logLevel: 'silent',
    });
    const { port } = server.address() as AddressInfo;
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'ASIAPROBEEXAMPLEKEY1',
      AWS_SECRET_ACCESS_KEY: 'probe-secret',
      AWS_SESSION_TOKEN: 'probe-session-token',
      AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-e', `require(${JSON.stringify(outfile)}).${probe}().then((r) => process.stdout.write(JSON.stringify(r)))`],
      { env },
    );
    return { result: JSON.parse(stdout), bundle: outfile };
  }

  it('signs with the environment credentials and reads query, XML and JSON answers; a left-out client fails clearly', async () => {
    const { result, bundle: outfile } = await runBundled('compromised-iam-credentials', 'probe');
    expect(result).toEqual({
      userId: 'AIDAPROBEUSER',
      item: { pk: { S: 'incident#1' } },
      messageId: 'message-1',
      ec2: 'Firebreak: this function was bundled without @aws-sdk/client-ec2, because its playbook grants no permission that uses it',
    });
    expect(seen.map((request) => request.target)).toEqual(['GetUser', 'DynamoDB_20120810.GetItem', 'Publish']);
    for (const request of seen) {
      expect(request.authorization).toContain('Credential=ASIAPROBEEXAMPLEKEY1/');
      expect(request.token).toBe('probe-session-token');
    }
    // The SDK's default chain (profiles, SSO, web identity, instance metadata) is not in the bundle.
    const chain = 'defaultProvider::fromSSO';
    expect(
      readFileSync(require.resolve('@aws-sdk/credential-provider-node/dist-es/defaultProvider.js'), 'utf8'),
    ).toContain(chain);
    expect(readFileSync(outfile, 'utf8')).not.toContain(chain);
  });

  it('the EC2 client, bundled from the copy with inlined schema keys, writes EC2 query names and reads XML sets', async () => {
    const { result } = await runBundled('compromised-ec2-instance', 'probeEc2');
    expect(result).toEqual({ instanceId: 'i-0probe', groups: [{ GroupId: 'sg-0web', GroupName: 'web' }] });
    expect(seen.map((request) => request.target)).toEqual(['DescribeInstances', 'ModifyNetworkInterfaceAttribute']);
    expect(new URLSearchParams(seen[0]!.body).get('InstanceId.1')).toBe('i-0probe');
    expect(new URLSearchParams(seen[1]!.body).get('SecurityGroupId.1')).toBe('sg-0quarantine');
    expect(new URLSearchParams(seen[1]!.body).get('NetworkInterfaceId')).toBe('eni-0probe');
  });
});

describe('the SDK clients a deployed bundle holds', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'firebreak-clients-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** lambdas/aws/aws-clients.ts bundled as this playbook's responder is bundled. */
  function clientsBundle(playbookId: string): string {
    const playbook = loadPlaybooks().find((candidate) => candidate.id === playbookId)!;
    const outfile = join(dir, `${playbookId}.js`);
    buildSync({
      ...esbuildOptionsOf(lambdaBundling(unusedSdkClients(playbook, { securityHubUpdates: false }))),
      entryPoints: [join(__dirname, '..', '..', 'lambdas', 'aws', 'aws-clients.ts')],
      outfile,
      logLevel: 'silent',
    });
    return readFileSync(outfile, 'utf8');
  }

  it('a GuardDuty responder holds the GuardDuty and KMS clients; a Config responder holds KMS only', () => {
    // The endpoint rule set of each client names its service's endpoint; KMS's JSON protocol targets TrentService.
    const guardDutyResponder = clientsBundle('compromised-iam-credentials');
    expect(guardDutyResponder).toContain('https://guardduty');
    expect(guardDutyResponder).toContain('TrentService');
    const configResponder = clientsBundle('config-restricted-ssh');
    expect(configResponder).not.toContain('https://guardduty');
    expect(configResponder).toContain('TrentService');
  });
});
