import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** Bytes written to the function's log stream: what CloudWatch Logs ingests and bills. */
export interface LogBytes {
  bytes: number;
  lines: number;
}

/**
 * The responder's logger as deployed (lambdas/handlers/respond.ts: Powertools Logger, service `firebreak`, the
 * playbook and mode as persistent keys, level INFO, the Lambda context added), writing its JSON lines to a counter
 * instead of stdout. Every byte the Log interface produces is counted, exactly as Powertools formats it.
 */
export function countingLogger(playbook: string, mode: string, requestId: string): { logger: Logger; count: LogBytes } {
  const count: LogBytes = { bytes: 0, lines: 0 };
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      count.bytes += Buffer.byteLength(chunk);
      count.lines += 1;
      done();
    },
  });
  const logger = new Logger({ serviceName: 'firebreak', logLevel: 'INFO', persistentKeys: { playbook, mode } });
  // Powertools writes through its own Console on stdout; this one writes to the counter instead.
  Object.assign(logger, { console: new Console({ stdout: sink, stderr: sink }) });
  logger.addContext(lambdaContext(playbook, requestId));
  return { logger, count };
}

function lambdaContext(playbook: string, requestId: string): Context {
  const functionName = `Firebreak-${playbook}-Responder-Function1A2B3C4D5E6F`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/03/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The lines Lambda itself writes to the log group for each invocation (text log format, the function's default):
 * START, END and REPORT, with a request id of the real length.
 */
export function platformLogBytes(durationMs: number, maxMemoryMb = 95): number {
  const id = '8f5e6a1c-3b2d-4e7f-9a0b-1c2d3e4f5a6b';
  const lines = [
    `START RequestId: ${id} Version: $LATEST\n`,
    `END RequestId: ${id}\n`,
    `REPORT RequestId: ${id}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\t` +
      `Memory Size: 512 MB\tMax Memory Used: ${maxMemoryMb} MB\t\n`,
  ];
  return lines.reduce((total, line) => total + Buffer.byteLength(line), 0);
}
