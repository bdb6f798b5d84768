/** A finding that cannot be trusted or read. Nothing is written for it; the problems name each field. */
export class FindingRejectedError extends Error {
  override readonly name = 'FindingRejectedError';

  constructor(
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Finding rejected, nothing was changed: ${problems.join('; ')}`, options);
  }
}
