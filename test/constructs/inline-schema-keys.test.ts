import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { inlineSchemaKeys, schemaKeysInlinedCopy } from '../../lib/constructs/inline-schema-keys';

describe('SDK schema keys written in place', () => {
  it('replaces computed keys named by a string constant of the file, and leaves the others', () => {
    const source = [
      'const _eQN = "ec2QueryName";',
      'const _xN = "xmlName";',
      'export var A$ = [3, n0, _A, 0, [_G], [[() => B, { [_eQN]: `GroupId`, [_xN]: _gS }]]];',
      'var other = { [dynamic]: 1 };',
    ].join('\n');
    const { text, inlined } = inlineSchemaKeys(source);
    expect(inlined).toBe(2);
    expect(text).toContain('{ ["ec2QueryName"]: `GroupId`, ["xmlName"]: _gS }');
    expect(text).toContain('{ [dynamic]: 1 }');
    expect(text).toContain('const _eQN = "ec2QueryName";');
  });

  it('leaves the same characters alone in a regular expression, a template or a string, and refuses a constant declared twice', () => {
    const source = [
      'const _p = "pattern";',
      'const re = /^[_p]:x$/;',
      'const t = `[_p]: ${1}`;',
      "const q = '[_p]:';",
      'var A$ = [{ [_p]: 1 }, { a: 1, [_p]: 2 }];',
    ].join('\n');
    const { text, inlined } = inlineSchemaKeys(source);
    expect(inlined).toBe(2);
    expect(text).toContain('/^[_p]:x$/');
    expect(text).toContain('`[_p]: ${1}`');
    expect(text).toContain("'[_p]:'");
    expect(text).toContain('[{ ["pattern"]: 1 }, { a: 1, ["pattern"]: 2 }]');
    expect(() => inlineSchemaKeys('const _p = "a";\nconst _p = "b";')).toThrow(
      'schema key constant _p is declared twice',
    );
  });

  it('a copy left without its completion mark, and the staging folder of a dead process, are replaced', () => {
    // A folder of its own: the other test files synthesize from the shared one at the same time.
    const buildDir = mkdtempSync(join(tmpdir(), 'firebreak-sdk-copy-'));
    try {
      const copy = schemaKeysInlinedCopy('@aws-sdk/client-ec2', buildDir);
      const target = dirname(dirname(copy));
      rmSync(join(target, '.complete'));
      const deadStaging = `${target}.999999999.1`;
      mkdirSync(deadStaging, { recursive: true });
      writeFileSync(join(deadStaging, 'partial'), '');
      expect(schemaKeysInlinedCopy('@aws-sdk/client-ec2', buildDir)).toBe(copy);
      expect(existsSync(join(target, '.complete'))).toBe(true);
      expect(existsSync(deadStaging)).toBe(false);
      expect(readdirSync(buildDir)).toEqual([target.split('/').pop()]);
    } finally {
      rmSync(buildDir, { recursive: true, force: true });
    }
  });

  it('the EC2 client bundled from the copy leaves out the shapes it does not use', () => {
    const bundled = (entry: string) =>
      buildSync({
        stdin: {
          contents: `import { EC2Client } from ${JSON.stringify(entry)}; export const client = EC2Client;`,
          resolveDir: __dirname,
        },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        minify: true,
        mainFields: ['module', 'main'],
        write: false,
        logLevel: 'silent',
      }).outputFiles[0]!.contents.length;
    const copy = schemaKeysInlinedCopy('@aws-sdk/client-ec2');
    expect(copy).toMatch(/\.build\/sdk\/@aws-sdk\+client-ec2@[\d.]+-[0-9a-f]{12}\/dist-es\/index\.js$/);
    expect(schemaKeysInlinedCopy('@aws-sdk/client-ec2')).toBe(copy);
    expect(bundled(copy)).toBeLessThan(bundled('@aws-sdk/client-ec2') / 2);
  });
});
