import type { AwsClients } from '../lambdas/aws/aws-clients';

export interface CallLog {
  calls: number;
  /** The largest number of calls in flight at once. */
  maxInFlight: number;
}

/**
 * Every call through these clients waits `latencyMs` before it reaches the fake, as a network round trip would.
 * `onSettled` runs after each call with the call's depth: the number of sequential round trips up to and including it
 * (one more than the deepest call that had finished when it started), so the caller can notice the moment
 * containment takes effect and count the round trips exactly, whatever the CPU time between calls.
 */
export function withLatency(
  clients: AwsClients,
  latencyMs: number,
  onSettled: (depth: number) => void,
  log: CallLog,
): AwsClients {
  let inFlight = 0;
  let deepestSettled = 0;
  for (const name of ['iam', 'ec2', 'autoScaling', 'dynamodb', 'sns', 'kms', 'guardDuty', 'securityHub'] as const) {
    if (!clients[name]) continue;
    const client = clients[name] as unknown as { send: (command: object) => Promise<unknown> };
    const send = client.send.bind(client);
    client.send = async (command: object) => {
      log.calls += 1;
      const depth = deepestSettled + 1;
      inFlight += 1;
      log.maxInFlight = Math.max(log.maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, latencyMs));
        return await send(command);
      } finally {
        inFlight -= 1;
        deepestSettled = Math.max(deepestSettled, depth);
        onSettled(depth);
      }
    };
  }
  return clients;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
