/** How the deployed function is invoked (read from the synthesized template: bench/deployed-bundles.ts). */
export interface AsyncInvokeSettings {
  /** Reserved concurrency: at most this many invocations at once; the rest wait in Lambda's event queue. */
  readonly concurrency: number;
  /** MaximumRetryAttempts of the function's event invoke config: retries after a function error, then the DLQ. */
  readonly retryAttempts: number;
  /** Lambda's waits before the first and second retry of a failed event: "one minute, then two minutes". */
  readonly retryDelaysMs: readonly number[];
  /** The function's timeout: an invocation still running then is a function error. */
  readonly timeoutMs: number;
}

export interface AsyncInvokeResult<E> {
  readonly invocations: number;
  /** Invocations that ended in an error (thrown, or past the timeout): each is retried or sent to the DLQ. */
  readonly failedInvocations: number;
  readonly timedOut: number;
  /** Events whose every attempt failed: what the on-failure destination (the dead-letter queue) receives. */
  readonly deadLetters: readonly E[];
}

/**
 * Lambda's asynchronous invocation of a function with reserved concurrency, as EventBridge uses it: events wait in
 * Lambda's queue (throttled invocations are retried by Lambda for up to the maximum event age, never lost), at most
 * `concurrency` run at once, each on its own execution environment (whose SDK clients it keeps), and an event whose
 * invocation fails is retried `retryAttempts` times after the documented delays before it goes to the DLQ.
 *
 * An invocation past the timeout counts as failed (as Lambda ends it); the bench cannot stop its promise, so its
 * environment takes no new event until the promise settles (Lambda would start a fresh one; the bench keeps the count).
 */
export async function invokeAsync<E>(
  events: readonly E[],
  settings: AsyncInvokeSettings,
  invoke: (event: E, environment: number, attempt: number) => Promise<void>,
): Promise<AsyncInvokeResult<E>> {
  const ready: { event: E; attempt: number }[] = events.map((event) => ({ event, attempt: 0 }));
  const waiting: { event: E; attempt: number; at: number }[] = [];
  const deadLetters: E[] = [];
  let invocations = 0;
  let failedInvocations = 0;
  let timedOut = 0;
  let running = 0;
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((resume) => resume());
  const nextChange = () => new Promise<void>((resolve) => waiters.push(resolve));
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const worker = async (environment: number) => {
    for (;;) {
      const now = performance.now();
      for (let index = waiting.length - 1; index >= 0; index -= 1) {
        if (waiting[index]!.at <= now) ready.push(...waiting.splice(index, 1));
      }
      const next = ready.shift();
      if (next) {
        running += 1;
        invocations += 1;
        const work = invoke(next.event, environment, next.attempt).then(
          () => 'ok' as const,
          () => 'error' as const,
        );
        const outcome = await Promise.race([work, sleep(settings.timeoutMs).then(() => 'timeout' as const)]);
        if (outcome === 'timeout') {
          timedOut += 1;
          await work;
        }
        if (outcome !== 'ok') {
          failedInvocations += 1;
          if (next.attempt < settings.retryAttempts) {
            const delay = settings.retryDelaysMs[next.attempt] ?? settings.retryDelaysMs.at(-1) ?? 60_000;
            waiting.push({ event: next.event, attempt: next.attempt + 1, at: performance.now() + delay });
          } else deadLetters.push(next.event);
        }
        running -= 1;
        changed();
        continue;
      }
      if (waiting.length > 0) {
        const earliest = Math.min(...waiting.map((entry) => entry.at));
        await Promise.race([sleep(Math.max(0, earliest - performance.now())), nextChange()]);
        continue;
      }
      if (running > 0) {
        await nextChange();
        continue;
      }
      changed();
      return;
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, (_, environment) => worker(environment)));
  return { invocations, failedInvocations, timedOut, deadLetters };
}
