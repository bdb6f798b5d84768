import type { Resource } from '../../model/resource';
import type { Resolution } from './define-kind';

/** Runs a resolve; an error that says the resource is gone becomes a mismatch with `reason`, any other is thrown. */
export async function mismatchIfGone<R extends Resource>(
  isGone: (error: unknown) => boolean,
  reason: string,
  resolve: () => Promise<Resolution<R>>,
): Promise<Resolution<R>> {
  try {
    return await resolve();
  } catch (error) {
    if (isGone(error)) return { kind: 'mismatch', reason };
    throw error;
  }
}
