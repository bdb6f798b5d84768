import {
  BINDING_HEADER,
  requestBinding,
  type BoundRequest,
  type CallerProof,
} from '../../lambdas/identity/request-binding';
import {
  CallerNotAuthenticatedError,
  verifyCallerProof,
  type VerifyCallerOptions,
} from '../../lambdas/identity/verify-caller';
import { stsEndpointOverride } from '../../lambdas/aws/endpoint-override';
import { FIXED_NOW, HOME_ACCOUNT } from '../support/settings';
import { ALICE, MALLORY, REGION, RELEASE_FUNCTION, fakeSts, proofOf } from './sts-principals';

const INCIDENT = '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47/user/ci-deploy/AKIAI44QH8DHBEXAMPLE';
const request = (incidentId = INCIDENT) => ({ incidentId, label: 'alice' });
const bound = (incidentId = INCIDENT): BoundRequest => ({
  operation: 'release',
  functionName: RELEASE_FUNCTION,
  request: request(incidentId),
});
const seconds = (n: number) => new Date(FIXED_NOW.getTime() + n * 1000);

function setup(now = FIXED_NOW) {
  const sts = fakeSts(() => now);
  const options: VerifyCallerOptions = {
    region: REGION,
    homeAccountId: HOME_ACCOUNT,
    fetch: sts.fetch,
    now: () => now,
  };
  const sign = (at = FIXED_NOW, principal = ALICE, incidentId = INCIDENT, region = REGION) =>
    proofOf(sts, principal, at, 'release', RELEASE_FUNCTION, request(incidentId), region);
  return { sts, options, sign };
}

async function refusal(proof: unknown, options: VerifyCallerOptions, target = bound()): Promise<string> {
  const error = await verifyCallerProof(proof, target, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CallerNotAuthenticatedError);
  return (error as Error).message;
}

describe('verifyCallerProof', () => {
  it("a proof the CLI signed: STS (recomputing the signature) names the caller, sent once to this Region's endpoint", async () => {
    const { sts, options, sign } = setup(seconds(20));
    const proof = await sign();
    expect(proof.headers[BINDING_HEADER]).toBe(requestBinding(bound()));
    expect(proof.headers.authorization).toContain(
      `SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;${BINDING_HEADER}`,
    );
    await expect(verifyCallerProof(proof, bound(), options)).resolves.toEqual({
      arn: ALICE.arn,
      account: HOME_ACCOUNT,
      userId: ALICE.userId,
    });
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      url: 'https://sts.us-east-1.amazonaws.com/',
      method: 'POST',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(sts.calls[0]!.headers.host).toBeUndefined(); // fetch sets it from the fixed URL
  });

  it('no proof at all (a payload with only a self-declared name) is refused', async () => {
    const { sts, options } = setup();
    expect(await refusal(undefined, options)).toMatch(/^callerProof: required .*got nothing/);
    expect(sts.calls).toHaveLength(0);
  });

  it('a proof bound to another incident is refused before STS is asked, naming both hashes', async () => {
    const { sts, options, sign } = setup();
    const proof = await sign(FIXED_NOW, ALICE, 'another-incident');
    const message = await refusal(proof, options);
    expect(message).toContain(`callerProof.headers.${BINDING_HEADER}: expected ${requestBinding(bound())}`);
    expect(message).toContain(`got "${requestBinding(bound('another-incident'))}"`);
    expect(message).toContain('another incident, operation or function');
    // ... and one for the approve operation, or another function, is no release proof either.
    expect(await refusal(proof, options, { ...bound('another-incident'), operation: 'approve' })).toContain(
      BINDING_HEADER,
    );
    expect(await refusal(await sign(), options, { ...bound(), functionName: 'Firebreak-responder-iam' })).toContain(
      BINDING_HEADER,
    );
    expect(sts.calls).toHaveLength(0);
  });

  it("a proof for a host other than this Region's STS is never fetched", async () => {
    const { options, sign } = setup();
    const sent: string[] = [];
    const spy: typeof fetch = async (input) => {
      sent.push(String(input));
      return new Response(
        '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:root</Arn><UserId>' +
          '111122223333</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>',
      );
    };
    const proof = await sign();
    const attacker = { ...options, fetch: spy };
    expect(await refusal({ ...proof, url: 'https://sts.attacker.example/' }, attacker)).toContain(
      'callerProof.url: expected https://sts.us-east-1.amazonaws.com/',
    );
    expect(await refusal({ ...proof, url: 'http://169.254.169.254/latest/meta-data/' }, attacker)).toContain(
      'callerProof.url',
    );
    expect(
      await refusal({ ...proof, headers: { ...proof.headers, host: 'sts.attacker.example' } }, attacker),
    ).toContain(
      'callerProof.headers.host: expected sts.us-east-1.amazonaws.com (the STS endpoint of this function\'s Region), got "sts.attacker.example"',
    );
    // Signed for another Region's STS: refused by name, never sent.
    expect(await refusal(await sign(FIXED_NOW, ALICE, INCIDENT, 'eu-west-1'), attacker)).toContain(
      'got "https://sts.eu-west-1.amazonaws.com/"',
    );
    expect(await refusal({ ...proof, body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=x' }, attacker)).toContain(
      'callerProof.body: expected exactly',
    );
    expect(sent).toEqual([]);
  });

  it("the deployment's endpoint override (an emulator) receives the proof; the proof must still name this Region's STS", async () => {
    const { sts, options, sign } = setup();
    const sent: string[] = [];
    const emulator = {
      ...options,
      stsEndpoint: 'http://127.0.0.1:5000/',
      fetch: (async (input, init) => {
        sent.push(String(input));
        // The emulator answers as STS of the Region would.
        return sts.fetch('https://sts.us-east-1.amazonaws.com/', init);
      }) as typeof fetch,
    };
    expect((await verifyCallerProof(await sign(), bound(), emulator)).arn).toBe(ALICE.arn);
    expect(sent).toEqual(['http://127.0.0.1:5000/']);
    expect(await refusal({ ...(await sign()), url: 'http://127.0.0.1:5000/' }, emulator)).toContain(
      'callerProof.url: expected https://sts.us-east-1.amazonaws.com/',
    );
  });

  it('the override comes from the environment only: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else none', () => {
    expect(stsEndpointOverride({})).toBeUndefined();
    expect(stsEndpointOverride({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' })).toBe('http://127.0.0.1:5000/');
    expect(
      stsEndpointOverride({
        AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
        AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:6000/',
      }),
    ).toBe('http://127.0.0.1:6000/');
  });

  it('a stale proof (or one from the future) is refused; within 5 minutes it is accepted', async () => {
    const sixMinutesLater = setup(seconds(6 * 60));
    expect(await refusal(await sixMinutesLater.sign(), sixMinutesLater.options)).toContain(
      'callerProof.headers.x-amz-date: signed at "20261121T080000Z", more than 5 minutes',
    );
    expect(await refusal(await sixMinutesLater.sign(seconds(12 * 60)), sixMinutesLater.options)).toContain(
      'more than 5 minutes',
    );
    expect(sixMinutesLater.sts.calls).toHaveLength(0);
    const fourMinutesLater = setup(seconds(4 * 60));
    await expect(
      verifyCallerProof(await fourMinutesLater.sign(), bound(), fourMinutesLater.options),
    ).resolves.toMatchObject({ arn: ALICE.arn });
  });

  it('a valid signature from another AWS account is refused', async () => {
    const { sts, options, sign } = setup();
    const message = await refusal(await sign(FIXED_NOW, MALLORY), options);
    expect(message).toBe(
      `callerProof: signed by ${MALLORY.arn}, of account 444455556666, not of this ` +
        `stack's account ${HOME_ACCOUNT}: only identities of the home account may release`,
    );
    expect(sts.calls).toHaveLength(1);
  });

  it('STS refusals are passed on: a changed signing time, a signature by the wrong key, expired session credentials', async () => {
    const { sts, options, sign } = setup(seconds(30));
    const proof = await sign();
    // Moved forward to look fresh: every local check passes, only the signature (recomputed by STS) tells.
    const moved: CallerProof = { ...proof, headers: { ...proof.headers, 'x-amz-date': '20261121T080010Z' } };
    expect(await refusal(moved, options)).toBe(
      'callerProof: STS did not accept it (HTTP 403, SignatureDoesNotMatch): The request signature we calculated does not match the ' +
        'signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
    const forged = {
      ...proof,
      headers: {
        ...proof.headers,
        authorization: proof.headers.authorization!.replace(/Signature=[0-9a-f]{64}/, `Signature=${'0'.repeat(64)}`),
      },
    };
    expect(await refusal(forged, options)).toContain('SignatureDoesNotMatch');
    const expiredSts = fakeSts(() => seconds(30), [{ ...ALICE, expiresAt: seconds(10) }]);
    expect(await refusal(proof, { ...options, fetch: expiredSts.fetch })).toBe(
      'callerProof: STS did not accept it (HTTP 403, ExpiredToken): The security token included in the request is expired',
    );
    expect(sts.calls).toHaveLength(2);
  });

  it('a binding header added after signing (not among SignedHeaders) is refused', async () => {
    const { sts, options } = setup();
    const unbound = await proofOf(sts, ALICE, FIXED_NOW, 'release', RELEASE_FUNCTION, request());
    // Re-sign without the header, then add it: the hash is right but STS never checked it.
    const { [BINDING_HEADER]: header, ...rest } = unbound.headers;
    const signedWithout = {
      ...unbound,
      headers: {
        ...rest,
        authorization: rest.authorization!.replace(`;${BINDING_HEADER}`, ''),
        [BINDING_HEADER]: header!,
      },
    };
    expect(await refusal(signedWithout, options)).toContain(`SignedHeaders must include ${BINDING_HEADER}`);
    expect(sts.calls).toHaveLength(0);
  });

  it('STS unreachable: refused, saying the caller is not known', async () => {
    const { options, sign } = setup();
    const down: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    expect(await refusal(await sign(), { ...options, fetch: down })).toBe(
      'callerProof: STS (https://sts.us-east-1.amazonaws.com/) could not be reached to check it, so the caller is not known: fetch failed',
    );
  });

  it('a function that does not know its home account accepts nobody', async () => {
    const { options, sign } = setup();
    expect(await refusal(await sign(), { ...options, homeAccountId: '' })).toContain('does not know its home account');
  });
});

describe('verifyCallerProof: odd header names', () => {
  it('headers named like Object properties are headers like any other (unsigned, so STS ignores them); a header given twice is refused', async () => {
    const { options, sign } = setup();
    const proof = await sign();
    await expect(
      verifyCallerProof({ ...proof, headers: { ...proof.headers, constructor: 'x' } }, bound(), options),
    ).resolves.toMatchObject({ arn: ALICE.arn });
    expect(
      await refusal({ ...proof, headers: { ...proof.headers, 'X-Amz-Date': proof.headers['x-amz-date']! } }, options),
    ).toContain('callerProof.headers: header x-amz-date given twice');
  });
});
