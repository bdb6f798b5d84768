import type { FakeIam } from './fake-iam';

/** One realistic situation per action, shared by the action tests and the conformance tests. */
export interface ActionCase {
  readonly name: string;
  readonly action: string;
  readonly with?: Record<string, unknown>;
  readonly fixture: string;
  /** A world where the finding's principal exists and nothing is contained. */
  readonly world: (iam: FakeIam) => void;
  /** Makes the world already contained for this action. */
  readonly contain: (iam: FakeIam) => void;
  /** Reads the contained state from the fake; true once the action took effect. */
  readonly isContained: (iam: FakeIam) => boolean;
  /** The write command that applies the action. */
  readonly writeCommand: string;
}

const USER = 'ci-deploy';
const KEY = 'AKIAI44QH8DHBEXAMPLE';
const ROLE = 'app-server-role';
const ROLE_ID = 'AROAR2EXAMPLEJ5VW8PTQ';
const SESSION = 'i-0abc123def4567890';

const userWorld = (iam: FakeIam) => {
  iam.addUser(USER, { id: 'AIDAJQABLZS4A3QDU576Q', keys: [{ id: KEY, status: 'Active' }] });
};
const roleWorld = (iam: FakeIam) => {
  iam.addRole(ROLE, { id: ROLE_ID });
};
const denyBefore = (time: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': time } } }] });

export const ACTION_CASES: readonly ActionCase[] = [
  {
    name: 'deactivate the long-term key of an IAM user',
    action: 'iam-deactivate-access-key',
    fixture: 'guardduty/iam-user-long-term-key',
    world: userWorld,
    contain: (iam) => (iam.user(USER).keys![0]!.status = 'Inactive'),
    isContained: (iam) => iam.user(USER).keys![0]!.status === 'Inactive',
    writeCommand: 'UpdateAccessKey',
  },
  {
    name: "deny an IAM user's older sessions",
    action: 'iam-revoke-user-sessions',
    fixture: 'guardduty/iam-user-long-term-key',
    world: userWorld,
    contain: (iam) => (iam.user(USER).policies = { 'firebreak-deny-sessions-issued-before': denyBefore('2026-11-20T09:00:00Z') }),
    isContained: (iam) => iam.user(USER).policies?.['firebreak-deny-sessions-issued-before'] !== undefined,
    writeCommand: 'PutUserPolicy',
  },
  {
    name: 'deny one role session',
    action: 'iam-revoke-role-sessions',
    fixture: 'guardduty/assumed-role-session',
    world: roleWorld,
    contain: (iam) =>
      (iam.role(ROLE).policies = {
        [`firebreak-deny-session-${SESSION}`]: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'FirebreakDenyOneSession', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:userid': `${ROLE_ID}:${SESSION}` } } }],
        }),
      }),
    isContained: (iam) => iam.role(ROLE).policies?.[`firebreak-deny-session-${SESSION}`] !== undefined,
    writeCommand: 'PutRolePolicy',
  },
  {
    name: 'deny every older session of a role',
    action: 'iam-revoke-role-sessions',
    with: { scope: 'all-sessions-before-now' },
    fixture: 'guardduty/assumed-role-session',
    world: roleWorld,
    contain: (iam) => (iam.role(ROLE).policies = { 'firebreak-deny-sessions-issued-before': denyBefore('2026-11-20T14:00:00Z') }),
    isContained: (iam) => iam.role(ROLE).policies?.['firebreak-deny-sessions-issued-before'] !== undefined,
    writeCommand: 'PutRolePolicy',
  },
  {
    name: 'tag an IAM user',
    action: 'iam-tag-principal',
    fixture: 'guardduty/iam-user-long-term-key',
    world: userWorld,
    contain: (iam) => (iam.user(USER).tags = { 'firebreak:finding-id': '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47' }),
    isContained: (iam) => iam.user(USER).tags?.['firebreak:finding-id'] === '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
    writeCommand: 'TagUser',
  },
  {
    name: 'tag a role',
    action: 'iam-tag-principal',
    fixture: 'guardduty/assumed-role-session',
    world: roleWorld,
    contain: (iam) => (iam.role(ROLE).tags = { 'firebreak:finding-id': 'd4cbd7a0c3e24f1b8a6e9c0d2f5b7e18' }),
    isContained: (iam) => iam.role(ROLE).tags?.['firebreak:finding-id'] === 'd4cbd7a0c3e24f1b8a6e9c0d2f5b7e18',
    writeCommand: 'TagRole',
  },
];
