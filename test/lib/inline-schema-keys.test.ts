import { buildSync } from 'esbuild';
import { inlineSchemaKeys, schemaKeysInlinedCopy } from '../../lib/inline-schema-keys';

describe('SDK schema keys written in place', () => {
  it('replaces computed keys named by a string constant of the file, and leaves the others', () => {
    const source = ['const _eQN = "ec2QueryName";', 'const _xN = "xmlName";', 'export var A$ = [3, n0, _A, 0, [_G], [[() => B, { [_eQN]: `GroupId`, [_xN]: _gS }]]];', 'var other = { [dynamic]: 1 };'].join('\n');
    const { text, inlined } = inlineSchemaKeys(source);
    expect(inlined).toBe(2);
    expect(text).toContain('{ ["ec2QueryName"]: `GroupId`, ["xmlName"]: _gS }');
    expect(text).toContain('{ [dynamic]: 1 }');
    expect(text).toContain('const _eQN = "ec2QueryName";');
  });

  it('the EC2 client bundled from the copy leaves out the shapes it does not use', () => {
    const bundled = (entry: string) => buildSync({ stdin: { contents: `import { EC2Client } from ${JSON.stringify(entry)}; export const client = EC2Client;`, resolveDir: __dirname }, bundle: true, platform: 'node', format: 'cjs', minify: true, mainFields: ['module', 'main'], write: false, logLevel: 'silent' }).outputFiles[0]!.contents.length;
    const copy = schemaKeysInlinedCopy('@aws-sdk/client-ec2');
    expect(copy).toMatch(/\.build\/sdk\/@aws-sdk\+client-ec2@[\d.]+\/dist-es\/index\.js$/);
    expect(schemaKeysInlinedCopy('@aws-sdk/client-ec2')).toBe(copy);
    expect(bundled(copy)).toBeLessThan(bundled('@aws-sdk/client-ec2') / 2);
  });
});
