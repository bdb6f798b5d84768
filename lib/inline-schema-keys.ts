import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const BUILD_DIR = join(__dirname, '..', '.build', 'sdk');

/**
 * The SDK's schema files name each shape's traits with computed keys (`{ [_eQN]: "GroupId" }`, where
 * `const _eQN = "ec2QueryName"`). The bundler cannot prove such an object literal free of side effects, so it keeps
 * every shape of the service: the EC2 client alone bundles to 850 KB whatever the commands used. With the key names
 * written in place (`{ ["ec2QueryName"]: "GroupId" }`) the same code means the same thing and unused shapes are left
 * out (the EC2 client: 300 KB). Returns the rewritten text and how many keys were written in place.
 */
export function inlineSchemaKeys(source: string): { text: string; inlined: number } {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/^const (_[A-Za-z0-9]+) = ("[^"\\\n]*");$/gm)) constants.set(match[1]!, match[2]!);
  let inlined = 0;
  const text = source.replace(/\[(_[A-Za-z0-9]+)\]:/g, (key, name: string) => {
    const value = constants.get(name);
    if (value === undefined) return key;
    inlined += 1;
    return `[${value}]:`;
  });
  return { text, inlined };
}

/**
 * The entry point of a copy of the SDK client package's ES modules with its schema keys inlined, made once per
 * package version under `.build/sdk/` and reused. The bundler is pointed at it with an alias (lib/sdk-bundling.ts);
 * its own imports resolve to the project's node_modules as the original's do.
 */
export function schemaKeysInlinedCopy(packageName: string): string {
  const packageDir = dirname(require.resolve(`${packageName}/package.json`));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const target = join(BUILD_DIR, `${packageName.replace('/', '+')}@${version}`);
  const entry = join(target, 'dist-es', 'index.js');
  if (existsSync(join(target, '.complete'))) return entry;
  // Built aside and renamed into place, so that concurrent synths never read a half-written copy.
  const staging = `${target}.${process.pid}.${Date.now()}`;
  try {
    cpSync(join(packageDir, 'dist-es'), join(staging, 'dist-es'), { recursive: true });
    cpSync(join(packageDir, 'package.json'), join(staging, 'package.json'));
    const schemasDir = join(staging, 'dist-es', 'schemas');
    let inlined = 0;
    for (const file of readdirSync(schemasDir).filter((name) => /^schemas_\d+\.js$/.test(name))) {
      const result = inlineSchemaKeys(readFileSync(join(schemasDir, file), 'utf8'));
      writeFileSync(join(schemasDir, file), result.text);
      inlined += result.inlined;
    }
    if (inlined === 0) throw new Error(`${packageName}@${version}: no schema keys to inline; the SDK's schema format changed, remove it from the inlined packages`);
    writeFileSync(join(staging, '.complete'), `${inlined} keys inlined\n`);
    // A copy only ever appears complete; if another synth renamed its copy first, this rename fails and that one is used.
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, '.complete'))) throw error;
  }
  return entry;
}
