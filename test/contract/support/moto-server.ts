import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';

// scripts/ is plain CommonJS (it runs before anything is compiled); its types are declared here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emulator = require('../../../scripts/ensure-emulator.cjs') as {
  emulatorProblem(): string | undefined;
  ensureEmulator(): string;
};

/** A moto server of its own: its state is shared by nobody else. */
export interface MotoServer {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL and the SDK clients' `endpoint`. */
  readonly endpoint: string;
  /** Stops the server and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
  /** Empties every service's state (moto's own reset API). */
  reset(): Promise<void>;
}

/** The account moto puts every resource in when the request's credentials are not from one of its AssumeRole answers. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'us-east-1';

/** Dummy credentials: moto accepts any, and nothing that signs with them can reach AWS. */
export const MOTO_CREDENTIALS = {
  accessKeyId: 'AKIAFIREBREAKCONTRACT',
  secretAccessKey: 'firebreak-contract-secret',
} as const;

const SERVE = join(__dirname, 'serve-moto.py');
const STARTUP_MS = 60_000;

/**
 * Why the contract suite cannot run here (python3 missing, too old, or without venv), or undefined. Under CI
 * (`CI=true`) a missing emulator is an error, never a skip: the caller fails instead.
 */
export function emulatorProblem(): string | undefined {
  return emulator.emulatorProblem();
}

/**
 * Installs the pinned moto into .build/venv/ when needed, starts `moto_server` on a free loopback port, and resolves once
 * it answers. The server exits with `stop()`, and by itself when this process ends (it watches its stdin).
 */
export async function startMoto(): Promise<MotoServer> {
  const python = emulator.ensureEmulator();
  const child = spawn(python, [SERVE, '0'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PYTHONUNBUFFERED: '1',
      // Without its ~1,300 default AMIs moto starts faster, and their snapshots (owned by other accounts, which
      // DescribeSnapshots OwnerIds=self does not filter out in moto) stay out of the account's snapshots.
      MOTO_EC2_LOAD_DEFAULT_AMIS: 'false',
    },
  });
  const endpoint = await listening(child);
  await answers(endpoint);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    stop: () => (stopped ??= stop(child)),
    reset: () => post(`${endpoint}/moto-api/reset`),
  };
}

/** The address werkzeug prints once the socket is bound ("Running on http://127.0.0.1:PORT"). */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`moto_server did not start within ${STARTUP_MS / 1000} s; it printed:\n${output}`));
    }, STARTUP_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const address = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (address) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stderr?.removeAllListeners('data');
        // Keep draining, so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(address);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited before it listened (${signal ?? `exit ${code}`}); it printed:\n${output}`));
    });
  });
}

async function answers(endpoint: string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    try {
      await get(`${endpoint}/moto-api/data.json`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`moto_server at ${endpoint} does not answer`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

function get(url: string): Promise<void> {
  return call(url, 'GET');
}

function post(url: string): Promise<void> {
  return call(url, 'POST');
}

function call(url: string, method: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 200 ? resolve() : reject(new Error(`${method} ${url}: HTTP ${response.statusCode}`)),
      );
    });
    sent.on('error', reject);
    sent.end();
  });
}
