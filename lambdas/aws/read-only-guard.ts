import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MiddlewareStack,
} from '@smithy/types';

/**
 * Operation names that only read. A prefix match alone is not enough: a few Get* operations mint credentials
 * (STS GetSessionToken, GetFederationToken) and are refused by name, like every operation outside these prefixes
 * (Update*, Put*, Create*, Modify*, Revoke*, Enter*, Generate*, AssumeRole*, ...).
 */
export const READ_ONLY_PREFIXES = ['Describe', 'Get', 'List'] as const;

/** Prefix-matching operations that are not plain reads: they issue credentials or tokens (all of them STS). */
export const REFUSED_READS: ReadonlySet<string> = new Set([
  'GetSessionToken',
  'GetFederationToken',
  'GetWebIdentityToken',
  'GetDelegatedAccessToken',
]);

/** STS mints credentials: of its operations only these read, whatever new Get* operations the service adds. */
export const STS_READS: ReadonlySet<string> = new Set(['GetCallerIdentity', 'GetAccessKeyInfo']);

export interface ReadOnlyGuardOptions {
  /**
   * Operations allowed on this one client besides the reads: the live plan's STS client may call AssumeRole when the
   * user asks for a role (with a read-only session policy). Default: none.
   */
  readonly alsoAllow?: readonly string[];
  /** Every call the guard let through, in order (`iam:GetUser`); the live plan prints it. */
  readonly log?: string[];
  /** Every call the guard refused (`iam:UpdateAccessKey`), even where a caller catches the error. */
  readonly refused?: string[];
}

/** A call the read-only guard refused before it was sent. Never caught and skipped: the run stops with it. */
export class ReadOnlyViolationError extends Error {
  override readonly name = 'ReadOnlyViolationError';

  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    super(
      `Refused ${service}:${operation}: this client is read-only (allowed: operations starting with ` +
        `${READ_ONLY_PREFIXES.join(', ')}); nothing was sent to AWS. A live plan must never write: report this as a bug.`,
    );
  }
}

/** `UpdateAccessKeyCommand` -> `UpdateAccessKey`; the SDK names commands in the handler context. */
export function operationOf(commandName: string | undefined): string {
  return (commandName ?? '').replace(/Command$/, '');
}

/** `IAMClient` -> `iam`, `AutoScalingClient` -> `autoscaling`: the IAM action prefix of the service. */
export function serviceOf(clientName: string | undefined): string {
  return (clientName ?? 'unknown').replace(/Client$/, '').toLowerCase();
}

/** Pure: whether an operation may pass the guard. An unknown (empty) name never passes. */
export function isAllowed(operation: string, alsoAllow: readonly string[] = [], service?: string): boolean {
  if (alsoAllow.includes(operation)) return true;
  if (REFUSED_READS.has(operation)) return false;
  if (service?.toLowerCase() === 'sts') return STS_READS.has(operation);
  return READ_ONLY_PREFIXES.some(
    (prefix) =>
      operation.startsWith(prefix) && operation.length > prefix.length && /^[A-Z]/.test(operation.slice(prefix.length)),
  );
}

export const READ_ONLY_GUARD_NAME = 'firebreakReadOnlyGuard';

/** Something with an SDK v3 middleware stack: every generated client. */
export interface HasMiddlewareStack {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any client's input and output types
  readonly middlewareStack: MiddlewareStack<any, any>;
}

/**
 * Adds the guard as the first middleware of the client (initialize step, high priority): a refused command fails
 * before serialization, signing or any network I/O. Returns the client.
 */
export function guardReadOnly<T extends HasMiddlewareStack>(client: T, options: ReadOnlyGuardOptions = {}): T {
  client.middlewareStack.add(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the middleware is generic over every command
    (next: InitializeHandler<any, any>, context: HandlerExecutionContext) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the middleware is generic over every command
      async (args: InitializeHandlerArguments<any>) => {
        const operation = operationOf(context.commandName);
        const service = serviceOf(context.clientName);
        if (!isAllowed(operation, options.alsoAllow, service)) {
          options.refused?.push(`${service}:${operation || '(unnamed command)'}`);
          throw new ReadOnlyViolationError(service, operation || '(unnamed command)');
        }
        options.log?.push(`${service}:${operation}`);
        return next(args);
      },
    { step: 'initialize', priority: 'high', name: READ_ONLY_GUARD_NAME, override: true },
  );
  return client;
}
