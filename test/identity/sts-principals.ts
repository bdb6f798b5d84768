import { STSClient } from '@aws-sdk/client-sts';
import { signCallerProof } from '../../lib/cli/caller-proof';
import type { CallerProof, ProtectedOperation } from '../../lambdas/identity/request-binding';
import { FakeStsIdentity, type FakeStsPrincipal } from '../support/fake-sts-identity';
import { HOME_ACCOUNT } from '../support/settings';

export const REGION = 'us-east-1';
export const RELEASE_FUNCTION = 'Firebreak-Release';

/** A responder in the home account, signed in through a role (session credentials). */
export const ALICE: FakeStsPrincipal = {
  accessKeyId: 'ASIAIOSFODNN7ALICE01',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYALICEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLEALICESESSIONTOKEN',
  arn: `arn:aws:sts::${HOME_ACCOUNT}:assumed-role/IncidentResponder/alice`,
  account: HOME_ACCOUNT,
  userId: 'AROAEXAMPLEROLEID1234:alice',
};

/** A user of another AWS account: a valid signature, of the wrong account. */
export const MALLORY: FakeStsPrincipal = {
  accessKeyId: 'AKIAIOSFODNN7MALLORY',
  secretAccessKey: 'mALLoRYsEcReTkEyExAmPlE/0123456789abcd',
  arn: 'arn:aws:iam::444455556666:user/mallory',
  account: '444455556666',
  userId: 'AIDAEXAMPLEMALLORY01',
};

export function fakeSts(now: () => Date, principals: readonly FakeStsPrincipal[] = [ALICE, MALLORY]): FakeStsIdentity {
  return new FakeStsIdentity(principals, now);
}

const sha256 = new STSClient({ region: REGION }).config.sha256;

/** A proof as the CLI makes it, signed by `principal` at `at`. */
export function proofOf(
  sts: FakeStsIdentity,
  principal: FakeStsPrincipal,
  at: Date,
  operation: ProtectedOperation,
  functionName: string,
  request: Record<string, unknown>,
  region = REGION,
): Promise<CallerProof> {
  return signCallerProof(operation, functionName, request, {
    region,
    credentials: sts.credentials(principal.accessKeyId),
    sha256,
    now: () => at,
  });
}

/** A person of the home account signed in through the IncidentResponder role, known to the fake STS as `name`. */
export function homePrincipal(name: string): FakeStsPrincipal {
  const id = name.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return {
    accessKeyId: `ASIA${id}`.padEnd(20, '7'),
    secretAccessKey: `secret-of-${name}-0123456789abcdefghijklmn`,
    sessionToken: `session-token-of-${name}`,
    arn: `arn:aws:sts::${HOME_ACCOUNT}:assumed-role/IncidentResponder/${name}`,
    account: HOME_ACCOUNT,
    userId: `AROAEXAMPLEROLEID1234:${name}`,
  };
}
