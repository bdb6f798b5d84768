import { STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import { GET_CALLER_IDENTITY_BODY } from '../../lambdas/identity/request-binding';

/** A principal the fake knows, with its credentials, as STS would. */
export interface FakeStsPrincipal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Session credentials stop working at this time (STS then answers ExpiredToken). */
  readonly expiresAt?: Date;
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

export interface FakeStsCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const SHA256 = new STSClient({ region: 'us-east-1' }).config.sha256;
const STS_URL = /^https:\/\/sts\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/$/;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function errorXml(status: number, code: string, message: string): Response {
  const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>${code}</Code>
    <Message>${message}</Message>
  </Error>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ErrorResponse>
`;
  return new Response(xml, { status, headers: { 'content-type': 'text/xml' } });
}

function identityXml(principal: FakeStsPrincipal): Response {
  const xml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${principal.arn}</Arn>
    <UserId>${principal.userId}</UserId>
    <Account>${principal.account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;
  return new Response(xml, { status: 200, headers: { 'content-type': 'text/xml' } });
}

/**
 * STS's GetCallerIdentity as a fetch function, for the principals it is given: it recomputes the SigV4 signature
 * of the request it receives with the principal's secret key (the same signer the SDK uses, over exactly the
 * headers the request says it signed), and answers the caller's identity, or STS's error XML: InvalidClientTokenId
 * for an unknown key, ExpiredToken for expired session credentials, SignatureDoesNotMatch for a signature that does
 * not match (or is more than 15 minutes old). A URL that is not an STS endpoint is a network error. Every call is kept.
 */
export class FakeStsIdentity {
  readonly calls: FakeStsCall[] = [];
  private readonly principals = new Map<string, FakeStsPrincipal>();

  constructor(
    principals: readonly FakeStsPrincipal[],
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const principal of principals) this.principals.set(principal.accessKeyId, principal);
  }

  /** The credentials of a principal, for signing as that person would. */
  credentials(accessKeyId: string): AwsCredentialIdentity {
    const principal = this.principals.get(accessKeyId);
    if (!principal) throw new Error(`fake STS: no principal with key ${accessKeyId}`);
    return {
      accessKeyId,
      secretAccessKey: principal.secretAccessKey,
      ...(principal.sessionToken ? { sessionToken: principal.sessionToken } : {}),
    };
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((init?.headers ?? {}) as Record<string, string>))
      headers[name.toLowerCase()] = value;
    const body = typeof init?.body === 'string' ? init.body : '';
    const method = init?.method ?? 'GET';
    this.calls.push({ url, method, headers, body });
    const endpoint = STS_URL.exec(url);
    if (!endpoint) throw new TypeError(`fetch failed: fake STS has no server at ${url}`);
    const host = new URL(url).host;
    if (method !== 'POST') return errorXml(400, 'InvalidAction', 'Could not find operation for this request');

    const auth = AUTHORIZATION.exec(headers.authorization ?? '');
    if (!auth) return errorXml(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
    const [, keyId, , scopeRegion, scopeService, signedList] = auth as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const principal = this.principals.get(keyId);
    if (!principal || (principal.sessionToken ?? '') !== (headers['x-amz-security-token'] ?? ''))
      return errorXml(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    const now = this.now();
    if (principal.expiresAt && principal.expiresAt <= now)
      return errorXml(403, 'ExpiredToken', 'The security token included in the request is expired');

    const date = AMZ_DATE.exec(headers['x-amz-date'] ?? '');
    if (!date)
      return errorXml(
        403,
        'IncompleteSignature',
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    const signingDate = new Date(
      Date.UTC(
        Number(date[1]),
        Number(date[2]) - 1,
        Number(date[3]),
        Number(date[4]),
        Number(date[5]),
        Number(date[6]),
      ),
    );
    if (Math.abs(now.getTime() - signingDate.getTime()) > 15 * 60_000) {
      return errorXml(
        403,
        'SignatureDoesNotMatch',
        `Signature expired: ${headers['x-amz-date']} is now earlier than ` +
          `${new Date(now.getTime() - 15 * 60_000).toISOString()} (${now.toISOString()} - 15 min.)`,
      );
    }
    if (scopeRegion !== endpoint[1] || scopeService !== 'sts')
      return errorXml(
        403,
        'SignatureDoesNotMatch',
        `Credential should be scoped to a valid region, not '${scopeRegion}'.`,
      );

    // The canonical request over exactly the headers the caller signed, with the host the request went to.
    const signed = signedList.split(';');
    const canonical: Record<string, string> = {};
    for (const name of signed) canonical[name] = name === 'host' ? host : (headers[name] ?? '');
    const unsignable = new Set(
      ['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'].filter((name) => !signed.includes(name)),
    );
    const signer = new SignatureV4({
      service: 'sts',
      region: scopeRegion,
      credentials: this.credentials(keyId),
      sha256: SHA256,
    });
    const recomputed = await signer.sign(
      { method, protocol: 'https:', hostname: host, path: '/', query: {}, headers: canonical, body },
      { signingDate, unsignableHeaders: unsignable },
    );
    if (recomputed.headers.authorization !== headers.authorization) {
      return errorXml(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your ' +
          'AWS Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    if (body !== GET_CALLER_IDENTITY_BODY)
      return errorXml(400, 'InvalidAction', `Could not find operation for this request`);
    return identityXml(principal);
  };
}
