import type { AwsClients } from '../aws/aws-clients';

type Sender = { send: (command: unknown, ...rest: unknown[]) => Promise<unknown> };

/** How long into a run a throttled call is still tried again: half the responder's 60 s timeout. */
export const THROTTLE_RETRY_MS = 30_000;

const FIRST_WAIT_MS = 1_000;
const LONGEST_WAIT_MS = 8_000;
const THROTTLED = /Throttl|RequestLimitExceeded|TooManyRequests|SlowDown/i;

/**
 * `clients` whose IAM, EC2 and Auto Scaling calls are tried again when AWS throttled them and the SDK's standard retry
 * gave up (its attempts spent, `$metadata.attempts`): after a wait with full jitter that doubles from 1 s up to 8 s,
 * until `until` (epoch ms, Date.now). A throttled request was refused before AWS acted on it, so a write is as safe to
 * send again as a read. The SDK's few attempts fit a moment's burst; per-API token buckets refilled at 5 a second need
 * seconds, and a step that fails on one fails the invocation, which Lambda retries only a minute later.
 */
export function withThrottleRetry(clients: AwsClients, until: number): AwsClients {
  const wrapped = new Map<'iam' | 'ec2' | 'autoScaling', unknown>();
  const get = (name: 'iam' | 'ec2' | 'autoScaling') => {
    if (!wrapped.has(name)) wrapped.set(name, retrying(clients[name] as unknown as Sender, until));
    return wrapped.get(name) as never;
  };
  return new Proxy(clients, {
    get(target, property, receiver) {
      if (property === 'iam' || property === 'ec2' || property === 'autoScaling') return get(property);
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

function retrying(client: Sender, until: number): Sender {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return async (command: unknown, ...rest: unknown[]) => {
        for (let attempt = 0; ; attempt += 1) {
          try {
            return await target.send(command, ...rest);
          } catch (error) {
            const wait = Math.random() * Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** attempt);
            if (!throttledAfterRetries(error) || Date.now() + wait > until) throw error;
            await new Promise((resolve) => setTimeout(resolve, wait));
          }
        }
      };
    },
  });
}

/** A throttling answer the SDK's own retry strategy already tried again (or could not: its retry quota was spent). */
function throttledAfterRetries(error: unknown): boolean {
  const { name, $metadata } = (error ?? {}) as { name?: string; $metadata?: { attempts?: number } };
  return THROTTLED.test(name ?? '') && typeof $metadata?.attempts === 'number';
}
