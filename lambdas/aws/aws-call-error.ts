/** An AWS call that failed after the SDK's retries. The message names the call and the resource; `cause` keeps the SDK error. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  readonly errorCode: string;

  constructor(
    readonly operation: string,
    readonly resource: string,
    cause: unknown,
  ) {
    const code = errorCodeOf(cause);
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`${operation} on ${resource} failed: ${code}: ${message}`, { cause });
    this.errorCode = code;
  }
}

export function errorCodeOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const { name, Code } = error as { name?: unknown; Code?: unknown };
    if (typeof Code === 'string') return Code;
    if (typeof name === 'string') return name;
  }
  return 'UnknownError';
}

/** Runs one AWS call and names it in the error if it fails. */
export async function awsCall<T>(operation: string, resource: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AwsCallError(operation, resource, error);
  }
}

export function isNoSuchEntity(error: unknown): boolean {
  const code = errorCodeOf(error instanceof AwsCallError ? error.cause : error);
  return code === 'NoSuchEntityException' || code === 'NoSuchEntity';
}
