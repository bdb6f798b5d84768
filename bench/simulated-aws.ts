import * as AutoScalingSdk from '@aws-sdk/client-auto-scaling';
import * as DynamoDbSdk from '@aws-sdk/client-dynamodb';
import * as Ec2Sdk from '@aws-sdk/client-ec2';
import * as GuardDutySdk from '@aws-sdk/client-guardduty';
import * as IamSdk from '@aws-sdk/client-iam';
import * as KmsSdk from '@aws-sdk/client-kms';
import * as SnsSdk from '@aws-sdk/client-sns';
import { HttpResponse } from '@smithy/core/transport';
import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  MiddlewareStack,
} from '@smithy/types';
import { RETRY_SETTINGS, type AwsClients } from '../lambdas/aws/aws-clients';
import { limitFor, type BucketLimit, type ThrottledService } from './throttle-limits';
import { throttlingResponse } from './throttle-responses';
import { TokenBucket } from './token-bucket';

export type ServiceName = 'iam' | 'ec2' | 'autoScaling' | 'dynamodb' | 'sns' | 'kms' | 'guardDuty';

/** What answers a service's commands: a stateful fake's client, or any object with `send`. */
export interface Answering {
  send(command: unknown): Promise<unknown>;
}

export type World = Readonly<Record<ServiceName, Answering>>;

/** One SDK call as the code made it (all its attempts). */
export interface RecordedCall {
  readonly service: ServiceName;
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** Whose call it is: the environment's tag when it was made (the finding a delivery handles). */
  readonly tag: string | undefined;
  /** Sequential round trips up to and including this call: one more than the deepest call settled when it started. */
  readonly depth: number;
  readonly sentAt: number;
  answeredAt: number;
  /** Attempts the SDK made, as its retry middleware reports them in `$metadata.attempts`. */
  attempts: number;
  /** Attempts answered with the service's throttling error. */
  throttled: number;
  /** The error the call ended with, by name; absent when it succeeded. */
  error?: string;
}

/** One Lambda execution environment: its own SDK clients (own retry quota), reused by every invocation it runs. */
export interface Environment {
  readonly clients: AwsClients;
  /** Set by the caller while an invocation runs: every call is recorded under it. */
  tag: string | undefined;
  /** The deepest call of the current invocation so far (sequential round trips). */
  deepest: number;
  inFlight: number;
  maxInFlight: number;
  /** Runs after each call settles (the time-to-contain bench checks the fakes' state here). */
  onSettled?: (call: RecordedCall) => void;
}

type EnvironmentState = Omit<Environment, 'clients'>;

/** Where each service's command classes are, to hand the fake a command of the class it matches on. */
const MODULES: Readonly<Record<ServiceName, Record<string, unknown>>> = {
  iam: IamSdk,
  ec2: Ec2Sdk,
  autoScaling: AutoScalingSdk,
  dynamodb: DynamoDbSdk,
  sns: SnsSdk,
  kms: KmsSdk,
  guardDuty: GuardDutySdk,
};

const throttledService = (service: ServiceName): ThrottledService | undefined =>
  service === 'iam' || service === 'ec2' || service === 'autoScaling' ? service : undefined;

export interface SimulatedAwsOptions {
  /** Every attempt takes this long: half to reach the service (where it is throttled or applied), half back. */
  readonly latencyMs: number;
  /** Answer over-limit EC2, IAM and Auto Scaling requests with their throttling errors (token buckets). */
  readonly throttle: boolean;
  /** The bucket of a request; default: the documented and assumed limits of throttle-limits.ts. */
  readonly limits?: typeof limitFor;
}

/**
 * AWS as the bench sees it: real SDK clients (the deployed retry settings: standard mode, 3 attempts), whose every
 * attempt waits the latency and is answered by a stateful fake, or, over a token bucket's limit, by the service's
 * throttling error sent through the SDK's own deserializer, so the SDK's own retry strategy sees exactly what AWS would
 * send. Nothing reaches the network: the last middleware before the deserializer answers, and the request handler only
 * ever answers throttling errors.
 */
export class SimulatedAws {
  readonly calls: RecordedCall[] = [];
  private readonly buckets = new Map<string, { limit: BucketLimit; bucket: TokenBucket }>();
  private requests = 0;

  constructor(
    private readonly world: World,
    private readonly options: SimulatedAwsOptions,
  ) {}

  /** A new execution environment with its own clients. */
  environment(): Environment {
    const state: EnvironmentState = { tag: undefined, deepest: 0, inFlight: 0, maxInFlight: 0 };
    const config = (service: ServiceName) => this.config(service);
    const clients: AwsClients = {
      iam: this.wire(new IamSdk.IAMClient(config('iam')), 'iam', state),
      ec2: this.wire(new Ec2Sdk.EC2Client(config('ec2')), 'ec2', state),
      autoScaling: this.wire(new AutoScalingSdk.AutoScalingClient(config('autoScaling')), 'autoScaling', state),
      dynamodb: this.wire(new DynamoDbSdk.DynamoDBClient(config('dynamodb')), 'dynamodb', state),
      sns: this.wire(new SnsSdk.SNSClient(config('sns')), 'sns', state),
      kms: this.wire(new KmsSdk.KMSClient(config('kms')), 'kms', state),
      guardDuty: this.wire(new GuardDutySdk.GuardDutyClient(config('guardDuty')), 'guardDuty', state),
    };
    return Object.assign(state, { clients });
  }

  /** Each bucket used, with the requests it let through and refused. */
  bucketStats(): { bucket: string; capacity: number; refillPerSecond: number; granted: number; refused: number }[] {
    return [...this.buckets.values()].map(({ limit, bucket }) => ({
      bucket: limit.bucket,
      capacity: limit.capacity,
      refillPerSecond: limit.refillPerSecond,
      granted: bucket.granted,
      refused: bucket.refused,
    }));
  }

  /** The deployed retry settings, fake credentials, and a request handler that only ever answers throttling errors. */
  private config(service: ServiceName) {
    const throttled = throttledService(service);
    return {
      ...RETRY_SETTINGS,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBENCHEXAMPLE', secretAccessKey: 'bench' },
      // Reached only by an attempt the buckets refused: the service's throttling error, for the SDK to deserialize.
      requestHandler: {
        handle: async () => ({ response: throttlingResponse(throttled ?? 'iam', this.requestId()) }),
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
        destroy: () => undefined,
      },
    };
  }

  private wire<
    T extends { readonly middlewareStack: MiddlewareStack<I, O> },
    I extends object,
    O extends MetadataBearer,
  >(client: T, service: ServiceName, environment: EnvironmentState): T {
    const module = MODULES[service];
    const throttled = throttledService(service);
    const records = new WeakMap<HandlerExecutionContext, RecordedCall>();
    const stack = client.middlewareStack;

    stack.add(
      (next: InitializeHandler<I, O>, context: HandlerExecutionContext) =>
        async (args: InitializeHandlerArguments<I>) => {
          const call: RecordedCall = {
            service,
            operation: operationOf(context),
            input: args.input as Readonly<Record<string, unknown>>,
            tag: environment.tag,
            depth: environment.deepest + 1,
            sentAt: performance.now(),
            answeredAt: Number.NaN,
            attempts: 0,
            throttled: 0,
          };
          records.set(context, call);
          this.calls.push(call);
          environment.inFlight += 1;
          environment.maxInFlight = Math.max(environment.maxInFlight, environment.inFlight);
          try {
            const result = await next(args);
            call.attempts = result.output.$metadata.attempts ?? 1;
            return result;
          } catch (error) {
            const failure = error as { name?: string; $metadata?: { attempts?: number } };
            call.error = failure.name ?? 'Error';
            call.attempts = failure.$metadata?.attempts ?? Math.max(1, call.attempts);
            throw error;
          } finally {
            call.answeredAt = performance.now();
            environment.inFlight -= 1;
            environment.deepest = Math.max(environment.deepest, call.depth);
            environment.onSettled?.(call);
          }
        },
      { step: 'initialize', priority: 'high', name: 'benchRecordCall' },
    );

    stack.add(
      (next: DeserializeHandler<I, O>, context: HandlerExecutionContext) =>
        async (args: DeserializeHandlerArguments<I>) => {
          const call = records.get(context);
          const half = this.options.latencyMs / 2;
          await sleep(half);
          const input = args.input as Readonly<Record<string, unknown>>;
          if (
            throttled &&
            this.options.throttle &&
            !this.take((this.options.limits ?? limitFor)(throttled, operationOf(context), input))
          ) {
            if (call) call.throttled += 1;
            await sleep(half);
            return next(args);
          }
          const Command = module[context.commandName ?? ''] as (new (input: object) => unknown) | undefined;
          if (!Command) throw new Error(`bench: no command ${context.commandName} in the ${service} client`);
          let output: unknown;
          let failure: unknown;
          try {
            output = await this.world[service].send(new Command(input));
          } catch (error) {
            failure = error;
          }
          await sleep(half);
          if (failure !== undefined) throw failure;
          const requestId = this.requestId();
          return {
            output: { ...(output as object), $metadata: { httpStatusCode: 200, requestId } } as unknown as O,
            response: new HttpResponse({ statusCode: 200, headers: { 'x-amzn-requestid': requestId } }),
          };
        },
      { step: 'deserialize', priority: 'high', name: 'benchAnswer' },
    );
    return client;
  }

  private take(limit: BucketLimit): boolean {
    let entry = this.buckets.get(limit.bucket);
    if (!entry) {
      entry = { limit, bucket: new TokenBucket(limit.capacity, limit.refillPerSecond, performance.now()) };
      this.buckets.set(limit.bucket, entry);
    }
    return entry.bucket.take(performance.now());
  }

  private requestId(): string {
    this.requests += 1;
    return `bench-${this.requests.toString(16).padStart(12, '0')}`;
  }
}

/** 'UpdateAccessKeyCommand' -> 'UpdateAccessKey'. */
export function operationOf(context: HandlerExecutionContext): string {
  return (context.commandName ?? '').replace(/Command$/, '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
