import { builtOnFirstUse, createAwsClients, withTargetClients } from '../../lambdas/aws/aws-clients';

describe('builtOnFirstUse', () => {
  it('builds each property when it is first read, once, and never the ones not read', () => {
    const built: string[] = [];
    const object = builtOnFirstUse<{ a: { name: string }; b: { name: string } }>({
      a: () => (built.push('a'), { name: 'a' }),
      b: () => (built.push('b'), { name: 'b' }),
    });
    expect(built).toEqual([]);
    const first = object.a;
    expect(object.a).toBe(first);
    expect(built).toEqual(['a']);
  });

  it('keeps a builder that throws unbuilt, so the next read tries again', () => {
    let attempts = 0;
    const object = builtOnFirstUse<{ a: number }>({
      a: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('not yet');
        return attempts;
      },
    });
    expect(() => object.a).toThrow('not yet');
    expect(object.a).toBe(2);
    expect(object.a).toBe(2);
  });
});

describe('createAwsClients and withTargetClients', () => {
  it('one client per service, reused; the target clients replace IAM, EC2 and Auto Scaling only', () => {
    const base = createAwsClients('us-east-1');
    const target = createAwsClients('eu-west-1');
    expect(base.iam).toBe(base.iam);
    const combined = withTargetClients(base, target);
    expect(combined.iam).toBe(target.iam);
    expect(combined.ec2).toBe(target.ec2);
    expect(combined.autoScaling).toBe(target.autoScaling);
    expect(combined.sns).toBe(base.sns);
    expect(combined.dynamodb).toBe(base.dynamodb);
    expect(combined.securityHub).toBe(base.securityHub);
  });
});
