import type { AwsClients } from './aws-clients';

type Command = { input?: unknown; schema?: unknown };
type Sender = { send: (command: Command) => Promise<unknown> };

const READ = /^(Describe|Get|List)/;

/**
 * `clients` whose read calls (Describe*, Get*, List*) are made once per identical input: a read started early, before
 * the resource is resolved, is reused by the step that needs it, so the read costs no second round trip. A failed
 * read is forgotten, so the next caller tries again, unless AWS answered it for good (NoSuchEntity, not found,
 * access denied: a client error that is not throttling). Writes pass through untouched. For one invocation only: the
 * cached answers are as fresh as that invocation's first read.
 */
export function withReadCache(clients: AwsClients): AwsClients {
  const wrapped = new Map<keyof AwsClients, unknown>();
  const cache = new Map<string, Promise<unknown>>();
  const wrap = (name: keyof AwsClients) => {
    const client = clients[name] as unknown as Sender;
    return new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return (command: Command) => {
          const commandName = operationOf(command);
          if (!READ.test(commandName)) return target.send(command);
          const key = `${name}:${commandName}:${JSON.stringify(command.input ?? {})}`;
          let answer = cache.get(key);
          if (!answer) {
            answer = new Promise((resolve) => resolve(target.send(command)));
            cache.set(key, answer);
            answer.catch((error: unknown) => {
              if (!isDefiniteAnswer(error)) cache.delete(key);
            });
          }
          return answer;
        };
      },
    });
  };
  const get = (name: keyof AwsClients) => {
    if (!wrapped.has(name)) wrapped.set(name, wrap(name));
    return wrapped.get(name) as never;
  };
  return {
    get iam() {
      return get('iam');
    },
    get ec2() {
      return get('ec2');
    },
    get autoScaling() {
      return get('autoScaling');
    },
    get sns() {
      return get('sns');
    },
    get dynamodb() {
      return get('dynamodb');
    },
  };
}

/** A client error that asking again would not change; throttling and server errors are worth another try. */
function isDefiniteAnswer(error: unknown): boolean {
  const { name, $fault, $retryable } = (error ?? {}) as { name?: string; $fault?: string; $retryable?: unknown };
  return (
    $fault === 'client' && !$retryable && !/Throttl|RequestLimitExceeded|TooManyRequests|SlowDown/i.test(name ?? '')
  );
}

/**
 * The API operation a command calls (GetUser). The SDK's command schema names it; a minified bundle renames the
 * command classes, so the class name is only the fallback.
 */
export function operationOf(command: Command): string {
  const operation = Array.isArray(command.schema) ? (command.schema as unknown[])[2] : undefined;
  return typeof operation === 'string' ? operation : command.constructor.name.replace(/Command$/, '');
}
