/** A request whose caller could not be authenticated: nothing was done. `problem` names the field and the value. */
export class CallerNotAuthenticatedError extends Error {
  override readonly name = 'CallerNotAuthenticatedError';
  constructor(
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(problem, options);
  }
}

/** Refuses the caller: throws CallerNotAuthenticatedError with `problem` (and `cause`, when there is one). */
export function refuse(problem: string, cause?: unknown): never {
  throw new CallerNotAuthenticatedError(problem, cause === undefined ? undefined : { cause });
}
