import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../lambdas/aws/aws-clients';
import {
  MemberRoleUnavailableError,
  SessionPolicyMissingError,
  createClientFactory,
  roleSessionName,
  type AssumedSession,
  type ClientFactoryOptions,
} from '../../lambdas/aws/client-factory';
import { releaseSessionPolicy, responderSessionPolicy } from '../../lambdas/pipeline/playbook-permissions';
import { loadPlaybooks } from '../../lib/playbooks';
import { accessDenied } from '../support/aws-errors';

const NOW = new Date('2026-11-21T08:00:00.000Z');
const playbook = (id: string) => loadPlaybooks().find((candidate) => candidate.id === id)!;
const IAM_POLICY = responderSessionPolicy(playbook('compromised-iam-credentials'));

type FactoryOptions = Partial<Pick<ClientFactoryOptions, 'memberRoleName' | 'sessionPolicy' | 'onAssumed'>>;

function factory(options: FactoryOptions = { memberRoleName: 'FirebreakResponder', sessionPolicy: IAM_POLICY }) {
  const sts = new STSClient({ region: 'eu-west-1' });
  const stsMock = mockClient(sts);
  const regions: string[] = [];
  const home = createAwsClients('us-east-1');
  const made = createClientFactory(home, {
    homeAccountId: '111122223333',
    partition: 'aws',
    ...options,
    now: () => NOW,
    stsFor: (region) => {
      regions.push(region);
      return sts;
    },
  });
  return { made, stsMock, regions, home };
}

const credentials = (expiresInMs: number) => ({
  Credentials: {
    AccessKeyId: 'ASIAMEMBEREXAMPLE001',
    SecretAccessKey: 'secret',
    SessionToken: 'token',
    Expiration: new Date(NOW.getTime() + expiresInMs),
  },
});

describe('client factory', () => {
  it('same account: no assume-role; the function credentials, IAM shared, EC2 in the finding Region', async () => {
    const { made, stsMock, home } = factory();
    const clients = await made.forTarget('111122223333', 'eu-west-1', 'f1');
    expect(stsMock.calls()).toHaveLength(0);
    expect(clients.iam).toBe(home.iam);
    expect(await clients.ec2.config.region()).toBe('eu-west-1');
    expect(await made.forTarget('111122223333', 'eu-west-1', 'f2')).toBe(clients);
  });

  it('another account: assumes the member role once through the Regional STS endpoint, with the finding id in the session name, and reuses it', async () => {
    const { made, stsMock, regions } = factory();
    stsMock.on(AssumeRoleCommand).resolves(credentials(3_600_000));
    const first = await made.forTarget('444455556666', 'eu-west-1', '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47');
    const second = await made.forTarget('444455556666', 'eu-west-1', 'another-finding');
    expect(second).toBe(first);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::444455556666:role/FirebreakResponder',
      RoleSessionName: 'firebreak-8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
      DurationSeconds: 3600,
      Policy: IAM_POLICY,
    });
    expect(regions).toEqual(['eu-west-1']);
    const identity = await first.ec2.config.credentials();
    expect(identity.accessKeyId).toBe('ASIAMEMBEREXAMPLE001');
    expect(await first.ec2.config.region()).toBe('eu-west-1');
  });

  it('another Region of the same account is another session', async () => {
    const { made, stsMock } = factory();
    stsMock.on(AssumeRoleCommand).resolves(credentials(3_600_000));
    await made.forTarget('444455556666', 'eu-west-1', 'f');
    await made.forTarget('444455556666', 'us-east-1', 'f');
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('credentials about to expire are refreshed', async () => {
    const { made, stsMock } = factory();
    stsMock.on(AssumeRoleCommand).resolves(credentials(30_000));
    await made.forTarget('444455556666', 'eu-west-1', 'f');
    await made.forTarget('444455556666', 'eu-west-1', 'f');
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('AccessDenied names the account and the role to deploy', async () => {
    const { made, stsMock } = factory();
    stsMock.on(AssumeRoleCommand).rejects(accessDenied('sts:AssumeRole'));
    const error = await made.forTarget('444455556666', 'eu-west-1', 'f').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MemberRoleUnavailableError);
    expect((error as Error).message).toContain(
      'Cannot assume arn:aws:iam::444455556666:role/FirebreakResponder in account 444455556666 (AccessDenied: ' +
        'User is not authorized to perform: sts:AssumeRole): deploy the Firebreak member-account stack',
    );
  });

  it('without a configured member role, another account is a clear error, not an attempt', async () => {
    const { made, stsMock } = factory({ sessionPolicy: IAM_POLICY });
    await expect(made.forTarget('444455556666', 'eu-west-1', 'f')).rejects.toThrow('no member role is configured');
    expect(stsMock.calls()).toHaveLength(0);
  });

  it('session names fit STS: at most 64 characters of [\\w+=,.@-]', () => {
    expect(roleSessionName('x'.repeat(200))).toHaveLength(64);
    expect(roleSessionName('a/b c')).toBe('firebreak-a-b-c');
  });

  describe('session policy', () => {
    it("AssumeRole carries the factory's session policy: the responder's playbook, nothing more", async () => {
      const policy = responderSessionPolicy(playbook('config-restricted-ssh'));
      const { made, stsMock } = factory({ memberRoleName: 'FirebreakResponder', sessionPolicy: policy });
      stsMock.on(AssumeRoleCommand).resolves(credentials(3_600_000));
      await made.forTarget('444455556666', 'eu-west-1', 'f');
      expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Policy).toBe(policy);
    });

    it("a policy given to forTarget replaces the factory's (release: the union for the incident it releases)", async () => {
      const { made, stsMock } = factory();
      stsMock.on(AssumeRoleCommand).resolves(credentials(3_600_000));
      const release = releaseSessionPolicy(['iam-deactivate-access-key', 'iam-tag-principal']);
      await made.forTarget('444455556666', 'eu-west-1', 'f', release);
      expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input.Policy).toBe(release);
    });

    it('sessions are cached per policy: another policy is another session, never the cached one', async () => {
      const { made, stsMock } = factory({ memberRoleName: 'FirebreakResponder' });
      stsMock
        .on(AssumeRoleCommand)
        .resolvesOnce(credentials(3_600_000))
        .resolves({ Credentials: { ...credentials(3_600_000).Credentials, AccessKeyId: 'ASIAMEMBEREXAMPLE002' } });
      const ec2Release = releaseSessionPolicy(['ec2-isolate-network']);
      const iamRelease = releaseSessionPolicy(['iam-deactivate-access-key']);
      const first = await made.forTarget('444455556666', 'eu-west-1', 'f1', ec2Release);
      const second = await made.forTarget('444455556666', 'eu-west-1', 'f2', iamRelease);
      const again = await made.forTarget('444455556666', 'eu-west-1', 'f3', ec2Release);
      expect(second).not.toBe(first);
      expect(again).toBe(first);
      expect(stsMock.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.Policy)).toEqual([
        ec2Release,
        iamRelease,
      ]);
      expect((await second.iam.config.credentials()).accessKeyId).toBe('ASIAMEMBEREXAMPLE002');
    });

    it('no session policy at all: a member account is refused before STS is called (fail closed)', async () => {
      const { made, stsMock } = factory({ memberRoleName: 'FirebreakResponder' });
      const error = await made.forTarget('444455556666', 'eu-west-1', 'f').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SessionPolicyMissingError);
      expect((error as Error).message).toContain(
        'Refusing to assume arn:aws:iam::444455556666:role/FirebreakResponder in account 444455556666 without a session policy',
      );
      expect(stsMock.calls()).toHaveLength(0);
    });

    it('the home account needs no session policy: its own role is already the playbook role', async () => {
      const { made, stsMock } = factory({ memberRoleName: 'FirebreakResponder' });
      await made.forTarget('111122223333', 'eu-west-1', 'f');
      expect(stsMock.calls()).toHaveLength(0);
    });

    it("reports STS's PackedPolicySize for the logs, once per new session", async () => {
      const assumed: AssumedSession[] = [];
      const { made, stsMock } = factory({
        memberRoleName: 'FirebreakResponder',
        sessionPolicy: IAM_POLICY,
        onAssumed: (session) => assumed.push(session),
      });
      stsMock.on(AssumeRoleCommand).resolves({ ...credentials(3_600_000), PackedPolicySize: 7 });
      await made.forTarget('444455556666', 'eu-west-1', 'f');
      await made.forTarget('444455556666', 'eu-west-1', 'f');
      expect(assumed).toEqual([
        {
          accountId: '444455556666',
          region: 'eu-west-1',
          roleArn: 'arn:aws:iam::444455556666:role/FirebreakResponder',
          packedPolicySize: 7,
        },
      ]);
    });

    it('STS refusing the policy as too large says so, not "deploy the stack"', async () => {
      const { made, stsMock } = factory();
      stsMock.on(AssumeRoleCommand).rejects(
        Object.assign(new Error('Packed policy consumes 104% of allotted space, please use smaller policy.'), {
          name: 'PackedPolicyTooLarge',
        }),
      );
      const error = await made.forTarget('444455556666', 'eu-west-1', 'f').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MemberRoleUnavailableError);
      expect((error as Error).message).toContain(
        "(PackedPolicyTooLarge: Packed policy consumes 104% of allotted space, please use smaller policy.): STS refused the playbook's session policy",
      );
      expect((error as Error).message).not.toContain('deploy the Firebreak member-account stack');
    });
  });
});
