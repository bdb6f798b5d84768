import {
  DeleteRolePolicyCommand,
  GetAccessKeyLastUsedCommand,
  ListUsersCommand,
  DeleteUserPolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeKey {
  id: string;
  status: 'Active' | 'Inactive';
  created?: Date;
  lastUsed?: Date;
}

export interface FakeUser {
  id: string;
  path?: string;
  tags?: Record<string, string>;
  keys?: FakeKey[];
  policies?: Record<string, string>;
}

export interface FakeRole {
  id: string;
  path?: string;
  tags?: Record<string, string>;
  policies?: Record<string, string>;
}

/** Commands that change IAM state: tests assert none of them ran where nothing may be written. */
export const IAM_WRITE_COMMANDS = [
  UpdateAccessKeyCommand,
  PutUserPolicyCommand,
  PutRolePolicyCommand,
  DeleteUserPolicyCommand,
  DeleteRolePolicyCommand,
  TagUserCommand,
  TagRoleCommand,
] as const;

function noSuchEntity(what: string): NoSuchEntityException {
  return new NoSuchEntityException({ message: `The ${what} cannot be found.`, $metadata: { httpStatusCode: 404 } });
}

/**
 * A stateful in-memory IAM for one account, behind aws-sdk-client-mock: tests check end states (the key is
 * Inactive, the policy is there), not only call sequences. `failOn` injects an error at one command.
 */
export class FakeIam {
  readonly client = new IAMClient({ region: 'us-east-1' });
  readonly mock: AwsClientStub<IAMClient>;
  readonly users = new Map<string, FakeUser>();
  readonly roles = new Map<string, FakeRole>();
  /** Instance profile name -> role name. */
  readonly instanceProfiles = new Map<string, string>();
  private readonly failures = new Map<string, { error: Error; times: number }>();

  constructor(readonly accountId = '111122223333') {
    this.mock = mockClient(this.client);
    this.wire();
  }

  addUser(name: string, user: FakeUser): this {
    this.users.set(name, { keys: [], policies: {}, tags: {}, path: '/', ...user });
    return this;
  }

  addRole(name: string, role: FakeRole): this {
    this.roles.set(name, { policies: {}, tags: {}, path: '/', ...role });
    return this;
  }

  addInstanceProfile(name: string, roleName: string): this {
    this.instanceProfiles.set(name, roleName);
    return this;
  }

  /** The next `times` calls of the command fail with `error`. */
  failOn(commandName: string, error: Error, times = Number.POSITIVE_INFINITY): this {
    this.failures.set(commandName, { error, times });
    return this;
  }

  user(name: string): FakeUser {
    const user = this.users.get(name);
    if (!user) throw new Error(`test setup: no user ${name}`);
    return user;
  }

  role(name: string): FakeRole {
    const role = this.roles.get(name);
    if (!role) throw new Error(`test setup: no role ${name}`);
    return role;
  }

  /** The number of calls that could have changed state. */
  writeCalls(): number {
    const writes = new Set<unknown>(IAM_WRITE_COMMANDS);
    return this.mock.calls().filter((call) => writes.has(call.args[0].constructor)).length;
  }

  private maybeFail(commandName: string): void {
    const failure = this.failures.get(commandName);
    if (!failure || failure.times <= 0) return;
    failure.times -= 1;
    throw failure.error;
  }

  private findUser(name: string | undefined): FakeUser {
    const user = name ? this.users.get(name) : undefined;
    if (!user) throw noSuchEntity(`user with name ${name}`);
    return user;
  }

  private findRole(name: string | undefined): FakeRole {
    const role = name ? this.roles.get(name) : undefined;
    if (!role) throw noSuchEntity(`role with name ${name}`);
    return role;
  }

  private arn(kind: 'user' | 'role', path: string | undefined, name: string): string {
    return `arn:aws:iam::${this.accountId}:${kind}${path ?? '/'}${name}`;
  }

  private wire(): void {
    // A command the fake does not model fails loudly instead of answering nothing.
    this.mock.onAnyCommand().callsFake((input: unknown) => {
      throw new Error(`FakeIam does not model this command (input ${JSON.stringify(input)})`);
    });
    this.mock.on(ListUsersCommand).callsFake((input: { Marker?: string; MaxItems?: number }) => {
      this.maybeFail('ListUsers');
      const names = [...this.users.keys()].sort();
      const start = input.Marker ? Number(input.Marker) : 0;
      const size = input.MaxItems ?? 100;
      const page = names.slice(start, start + size);
      const more = start + size < names.length;
      return {
        Users: page.map((name) => {
          const user = this.users.get(name)!;
          return {
            UserName: name,
            UserId: user.id,
            Arn: this.arn('user', user.path, name),
            Path: user.path,
            CreateDate: new Date(0),
          };
        }),
        IsTruncated: more,
        ...(more ? { Marker: String(start + size) } : {}),
      };
    });
    this.mock.on(GetAccessKeyLastUsedCommand).callsFake((input: { AccessKeyId?: string }) => {
      this.maybeFail('GetAccessKeyLastUsed');
      for (const [name, user] of this.users) {
        const key = (user.keys ?? []).find((candidate) => candidate.id === input.AccessKeyId);
        if (key)
          return {
            UserName: name,
            AccessKeyLastUsed: {
              ...(key.lastUsed ? { LastUsedDate: key.lastUsed } : {}),
              ServiceName: 'N/A',
              Region: 'N/A',
            },
          };
      }
      throw noSuchEntity(`Access Key with id ${input.AccessKeyId}`);
    });
    this.mock.on(DeleteUserPolicyCommand).callsFake((input: { UserName?: string; PolicyName?: string }) => {
      this.maybeFail('DeleteUserPolicy');
      const user = this.findUser(input.UserName);
      if (user.policies?.[input.PolicyName!] === undefined)
        throw noSuchEntity(`user policy with name ${input.PolicyName}`);
      delete user.policies[input.PolicyName!];
      return {};
    });
    this.mock.on(DeleteRolePolicyCommand).callsFake((input: { RoleName?: string; PolicyName?: string }) => {
      this.maybeFail('DeleteRolePolicy');
      const role = this.findRole(input.RoleName);
      if (role.policies?.[input.PolicyName!] === undefined)
        throw noSuchEntity(`role policy with name ${input.PolicyName}`);
      delete role.policies[input.PolicyName!];
      return {};
    });
    const tagList = (tags: Record<string, string> | undefined) =>
      Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    this.mock.on(GetUserCommand).callsFake((input: { UserName?: string }) => {
      this.maybeFail('GetUser');
      const user = this.findUser(input.UserName);
      return {
        User: {
          UserName: input.UserName,
          UserId: user.id,
          Arn: this.arn('user', user.path, input.UserName!),
          Path: user.path,
          CreateDate: new Date(0),
          Tags: tagList(user.tags),
        },
      };
    });
    this.mock.on(GetRoleCommand).callsFake((input: { RoleName?: string }) => {
      this.maybeFail('GetRole');
      const role = this.findRole(input.RoleName);
      return {
        Role: {
          RoleName: input.RoleName,
          RoleId: role.id,
          Arn: this.arn('role', role.path, input.RoleName!),
          Path: role.path,
          CreateDate: new Date(0),
          Tags: tagList(role.tags),
        },
      };
    });
    this.mock.on(GetInstanceProfileCommand).callsFake((input: { InstanceProfileName?: string }) => {
      this.maybeFail('GetInstanceProfile');
      const roleName = input.InstanceProfileName ? this.instanceProfiles.get(input.InstanceProfileName) : undefined;
      if (roleName === undefined) throw noSuchEntity(`Instance Profile ${input.InstanceProfileName}`);
      const role = this.findRole(roleName);
      return {
        InstanceProfile: {
          InstanceProfileName: input.InstanceProfileName,
          InstanceProfileId: 'AIPAEXAMPLEPROFILE01',
          Arn: `arn:aws:iam::${this.accountId}:instance-profile/${input.InstanceProfileName}`,
          Path: '/',
          CreateDate: new Date(0),
          Roles: [
            {
              RoleName: roleName,
              RoleId: role.id,
              Arn: this.arn('role', role.path, roleName),
              Path: role.path ?? '/',
              CreateDate: new Date(0),
            },
          ],
        },
      };
    });
    this.mock.on(ListAccessKeysCommand).callsFake((input: { UserName?: string }) => {
      this.maybeFail('ListAccessKeys');
      const user = this.findUser(input.UserName);
      return {
        AccessKeyMetadata: (user.keys ?? []).map((key) => ({
          UserName: input.UserName,
          AccessKeyId: key.id,
          Status: key.status,
          CreateDate: key.created,
        })),
      };
    });
    this.mock
      .on(UpdateAccessKeyCommand)
      .callsFake((input: { UserName?: string; AccessKeyId?: string; Status?: 'Active' | 'Inactive' }) => {
        this.maybeFail('UpdateAccessKey');
        const key = (this.findUser(input.UserName).keys ?? []).find((candidate) => candidate.id === input.AccessKeyId);
        if (!key) throw noSuchEntity(`Access Key with id ${input.AccessKeyId}`);
        key.status = input.Status!;
        return {};
      });
    this.mock.on(GetUserPolicyCommand).callsFake((input: { UserName?: string; PolicyName?: string }) => {
      this.maybeFail('GetUserPolicy');
      const document = this.findUser(input.UserName).policies?.[input.PolicyName!];
      if (document === undefined) throw noSuchEntity(`user policy with name ${input.PolicyName}`);
      return { UserName: input.UserName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
    });
    this.mock
      .on(PutUserPolicyCommand)
      .callsFake((input: { UserName?: string; PolicyName?: string; PolicyDocument?: string }) => {
        this.maybeFail('PutUserPolicy');
        const user = this.findUser(input.UserName);
        user.policies = { ...user.policies, [input.PolicyName!]: input.PolicyDocument! };
        return {};
      });
    this.mock.on(GetRolePolicyCommand).callsFake((input: { RoleName?: string; PolicyName?: string }) => {
      this.maybeFail('GetRolePolicy');
      const document = this.findRole(input.RoleName).policies?.[input.PolicyName!];
      if (document === undefined) throw noSuchEntity(`role policy with name ${input.PolicyName}`);
      return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
    });
    this.mock
      .on(PutRolePolicyCommand)
      .callsFake((input: { RoleName?: string; PolicyName?: string; PolicyDocument?: string }) => {
        this.maybeFail('PutRolePolicy');
        const role = this.findRole(input.RoleName);
        role.policies = { ...role.policies, [input.PolicyName!]: input.PolicyDocument! };
        return {};
      });
    this.mock
      .on(TagUserCommand)
      .callsFake((input: { UserName?: string; Tags?: { Key?: string; Value?: string }[] }) => {
        this.maybeFail('TagUser');
        const user = this.findUser(input.UserName);
        user.tags = { ...user.tags, ...Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key!, tag.Value!])) };
        return {};
      });
    this.mock
      .on(TagRoleCommand)
      .callsFake((input: { RoleName?: string; Tags?: { Key?: string; Value?: string }[] }) => {
        this.maybeFail('TagRole');
        const role = this.findRole(input.RoleName);
        role.tags = { ...role.tags, ...Object.fromEntries((input.Tags ?? []).map((tag) => [tag.Key!, tag.Value!])) };
        return {};
      });
    this.mock.on(ListUserTagsCommand).callsFake((input: { UserName?: string }) => {
      this.maybeFail('ListUserTags');
      return { Tags: tagList(this.findUser(input.UserName).tags) };
    });
    this.mock.on(ListRoleTagsCommand).callsFake((input: { RoleName?: string }) => {
      this.maybeFail('ListRoleTags');
      return { Tags: tagList(this.findRole(input.RoleName).tags) };
    });
  }
}
