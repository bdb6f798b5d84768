import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS request that went through the proxy: `ec2:CreateSnapshots`, `dynamodb:UpdateItem`, `sts:AssumeRole`. */
export type Operation = string;

/**
 * A loopback HTTP proxy in front of the moto server that writes down each request's service (from its SigV4
 * credential scope) and operation (the query `Action`, or the JSON protocols' `X-Amz-Target`), then passes it on
 * unchanged. It answers nothing itself: every answer is moto's.
 */
export interface RecordingProxy {
  readonly endpoint: string;
  /** The operations recorded since the last call, in the order they arrived. */
  take(): Operation[];
  close(): Promise<void>;
}

/** Reads of AWS: the rest change something. (The ledger's and SNS's own writes are told apart by service.) */
export function isRead(operation: Operation): boolean {
  const name = operation.split(':')[1] ?? '';
  return /^(Describe|Get|List|Query|Scan|BatchGet|Receive|VerifyMac|GenerateMac)/.test(name);
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  let recorded: Operation[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    void bodyOf(incoming).then((body) => {
      recorded.push(operationOf(incoming, body));
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host },
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => {
        outgoing.writeHead(502);
        outgoing.end(`recording proxy: ${error.message}`);
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take: () => {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function bodyOf(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function operationOf(incoming: IncomingMessage, body: Buffer): Operation {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(incoming.headers.authorization ?? ''))?.[1];
  const target = incoming.headers['x-amz-target'];
  const action =
    typeof target === 'string'
      ? target.split('.').pop()
      : (new URLSearchParams(body.toString('utf8')).get('Action') ??
        new URL(incoming.url ?? '/', 'http://proxy').searchParams.get('Action') ??
        restOperation(incoming.method ?? 'GET', incoming.url ?? '/'));
  return `${scope ?? 'unsigned'}:${action}`;
}

/** The REST (JSON over paths) operations of GuardDuty and Security Hub the responders call, by method and path. */
const REST_OPERATIONS: readonly [string, RegExp, string][] = [
  ['GET', /^\/detector(\?|$)/, 'ListDetectors'],
  ['POST', /^\/detector\/[^/]+\/findings\/get$/, 'GetFindings'],
  ['POST', /^\/findings$/, 'GetFindings'],
  ['PATCH', /^\/findings\/batchupdate$/, 'BatchUpdateFindings'],
  ['POST', /^\/findings\/import$/, 'BatchImportFindings'],
];

function restOperation(method: string, url: string): string {
  return REST_OPERATIONS.find(([verb, path]) => verb === method && path.test(url))?.[2] ?? `${method} ${url}`;
}

/**
 * The writes to the resources a responder contains (IAM, EC2, Auto Scaling, ...): not its ledger, MACs or messages,
 * nor the suite's own reading of the messages (SQS).
 */
export function writesOf(operations: readonly Operation[]): Operation[] {
  return operations.filter((operation) => !isRead(operation) && !/^(dynamodb|sns|sqs|kms|sts):/.test(operation));
}
