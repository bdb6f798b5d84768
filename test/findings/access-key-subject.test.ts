import { accessKeySubject } from '../../lambdas/findings/access-key-subject';
import { parseEvent } from '../../lambdas/findings/parse-event';
import { editedEvent } from '../support/fixtures';

const user = {
  accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
  principalId: 'AIDAJQABLZS4A3QDU576Q',
  userName: 'ci-deploy',
  userType: 'IAMUser',
};
const role = {
  accessKeyId: 'ASIAQ7RZ3EXAMPLE4K9D',
  principalId: 'AROAR2EXAMPLEJ5VW8PTQ:worker',
  userName: 'app-role',
  userType: 'AssumedRole',
};

describe('accessKeySubject routes by userType and key prefix', () => {
  it('an IAM user with a long-term key', () => {
    expect(accessKeySubject(user)).toEqual({
      kind: 'iam-user',
      userName: 'ci-deploy',
      principalId: user.principalId,
      accessKeyId: user.accessKeyId,
      credential: 'long-term',
    });
  });

  it('an IAM user with a temporary key', () => {
    expect(accessKeySubject({ ...user, accessKeyId: 'ASIAXJ4Z5EXAMPLE7Q2M' })).toMatchObject({
      kind: 'iam-user',
      credential: 'temporary',
    });
  });

  it('an assumed role splits the principal id into role id and session name', () => {
    expect(accessKeySubject(role)).toEqual({
      kind: 'assumed-role',
      roleName: 'app-role',
      roleId: 'AROAR2EXAMPLEJ5VW8PTQ',
      sessionName: 'worker',
      principalId: role.principalId,
      accessKeyId: role.accessKeyId,
    });
  });

  it.each([
    ['an unknown userType', { ...user, userType: 'AWSService' }, 'userType "AWSService"'],
    ['a missing userType', { ...user, userType: undefined }, 'userType undefined'],
    [
      'a placeholder key id',
      { ...user, accessKeyId: 'GeneratedFindingAccessKeyId' },
      'neither a long-term (AKIA) nor a temporary (ASIA)',
    ],
    ['a user name with a quote', { ...user, userName: 'ci"deploy' }, 'not a valid IAM user name'],
    ['a user name with a newline', { ...user, userName: 'ci\ndeploy' }, 'not a valid IAM user name'],
    ['a role with a long-term key', { ...role, accessKeyId: user.accessKeyId }, 'not a temporary (ASIA) key'],
    [
      'a role principal without session',
      { ...role, principalId: 'AROAR2EXAMPLEJ5VW8PTQ' },
      'not of the form AROA...:<session name>',
    ],
    [
      'a session name with a policy-breaking character',
      { ...role, principalId: 'AROAR2EXAMPLEJ5VW8PTQ:a"b' },
      'not of the form',
    ],
    ['details that are not an object', 'AKIA', 'userType undefined'],
  ])('%s is unsupported (never written to)', (_name, details, reason) => {
    const subject = accessKeySubject(details);
    expect(subject.kind).toBe('unsupported');
    expect(subject.kind === 'unsupported' && subject.reason).toContain(reason);
  });

  it('routes on the principal, not the finding type: an IAMUser-typed finding about a role is a role session', () => {
    const event = editedEvent('guardduty/iam-user-long-term-key', (e) => {
      e.detail.type = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom';
      e.detail.resource.accessKeyDetails = role;
    });
    const parsed = parseEvent(event);
    expect(parsed.kind === 'finding' && parsed.finding.subject.kind).toBe('assumed-role');
  });
});
