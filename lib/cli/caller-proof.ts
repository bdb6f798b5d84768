import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, ChecksumConstructor, HashConstructor, Provider } from '@smithy/types';
import {
  BINDING_HEADER,
  GET_CALLER_IDENTITY_BODY,
  functionNameOf,
  requestBinding,
  stsHost,
  type CallerProof,
  type ProtectedOperation,
} from '../../lambdas/identity/request-binding';

export interface SignProofOptions {
  /** The Region of the function: the proof is for that Region's STS endpoint, and only that one. */
  readonly region: string;
  /** The person's own credentials (the Lambda client's, so the proof and the invoke are the same identity). */
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /** The SDK's SHA-256 (a client's `config.sha256`). */
  readonly sha256: ChecksumConstructor | HashConstructor;
  readonly now?: () => Date;
}

/**
 * A proof of who is calling, for the function to check with STS: a GetCallerIdentity request signed (SigV4) with the
 * caller's credentials, with the binding header (hash of the function, the operation and the payload) among the
 * signed headers. It is never sent by the CLI: the function sends it to STS itself. Anyone holding it can, within its
 * 5 minutes, only repeat this same request.
 */
export async function signCallerProof(
  operation: ProtectedOperation,
  functionName: string,
  request: Readonly<Record<string, unknown>>,
  options: SignProofOptions,
): Promise<CallerProof> {
  const hostname = stsHost(options.region);
  const signer = new SignatureV4({
    service: 'sts',
    region: options.region,
    credentials: options.credentials,
    sha256: options.sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname,
      path: '/',
      query: {},
      headers: {
        host: hostname,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        [BINDING_HEADER]: requestBinding({ operation, functionName: functionNameOf(functionName), request }),
      },
      body: GET_CALLER_IDENTITY_BODY,
    },
    { signingDate: (options.now ?? (() => new Date()))() },
  );
  return { url: `https://${hostname}/`, headers: { ...signed.headers }, body: GET_CALLER_IDENTITY_BODY };
}

export interface SignedInvokeAnswer {
  /** Lambda's FunctionError, when the function threw. */
  readonly functionError?: string;
  /** The function's answer, parsed from JSON where it is JSON. */
  readonly result: unknown;
  /** The answer as text, for messages. */
  readonly body: string;
}

/**
 * Invokes a Firebreak function synchronously with `request` and its caller proof, signed with the Lambda client's
 * own credentials for the client's Region. No SDK retry is wanted by the callers: a second invoke is only refused.
 */
export async function invokeWithCallerProof(
  lambda: LambdaClient,
  operation: ProtectedOperation,
  functionName: string,
  request: Readonly<Record<string, unknown>>,
  now?: () => Date,
): Promise<SignedInvokeAnswer> {
  const region = await lambda.config.region();
  const callerProof = await signCallerProof(operation, functionName, request, {
    region,
    credentials: lambda.config.credentials,
    sha256: lambda.config.sha256,
    ...(now ? { now } : {}),
  });
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify({ ...request, callerProof })),
    }),
  );
  const body = response.Payload ? new TextDecoder().decode(response.Payload) : 'null';
  let result: unknown;
  try {
    result = JSON.parse(body) as unknown;
  } catch {
    result = body;
  }
  return { ...(response.FunctionError ? { functionError: response.FunctionError } : {}), result, body };
}

/** "<errorType>: <errorMessage>" of a function error's answer. */
export function functionErrorText(answer: SignedInvokeAnswer): string {
  const { errorType, errorMessage } = (answer.result ?? {}) as { errorType?: string; errorMessage?: string };
  return `${errorType ?? answer.functionError}: ${errorMessage ?? answer.body}`;
}
