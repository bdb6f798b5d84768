import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const BUILD_DIR = join(__dirname, '..', '..', '.build', 'sdk');

/**
 * The SDK's schema files name each shape's traits with computed keys (`{ [_eQN]: "GroupId" }`, where
 * `const _eQN = "ec2QueryName"`). The bundler cannot prove such an object literal free of side effects, so it keeps
 * every shape of the service: the EC2 client alone bundles to 850 KB whatever the commands used. With the key names
 * written in place (`{ ["ec2QueryName"]: "GroupId" }`) the same code means the same thing and unused shapes are left
 * out (the EC2 client: 300 KB). Returns the rewritten text and how many keys were written in place.
 *
 * Only a key that opens an object literal or follows a comma is rewritten, so that the same characters inside a
 * string, a template or a regular expression stay as they are; the file must declare each constant once.
 */
export function inlineSchemaKeys(source: string): { text: string; inlined: number } {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/^const (_[A-Za-z0-9]+) = ("[^"\\\n]*");$/gm)) {
    if (constants.has(match[1]!))
      throw new Error(`schema key constant ${match[1]} is declared twice: not rewriting this file`);
    constants.set(match[1]!, match[2]!);
  }
  let inlined = 0;
  const text = source.replace(/([{,]\s*)\[(_[A-Za-z0-9]+)\]:/g, (key, before: string, name: string) => {
    const value = constants.get(name);
    if (value === undefined) return key;
    inlined += 1;
    return `${before}[${value}]:`;
  });
  return { text, inlined };
}

/**
 * The entry point of a copy of the SDK client package's ES modules with its schema keys inlined, made under
 * `.build/sdk/` and reused while neither the package nor this transform changes (both are in the copy's name). The
 * bundler is pointed at it with an alias (lib/sdk-bundling.ts); its own imports resolve to the project's node_modules
 * as the original's do.
 */
export function schemaKeysInlinedCopy(packageName: string, buildDir = BUILD_DIR): string {
  const packageDir = dirname(require.resolve(`${packageName}/package.json`));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const schemaFiles = readdirSync(join(packageDir, 'dist-es', 'schemas'))
    .filter((name) => /^schemas_\d+\.js$/.test(name))
    .sort();
  const fingerprint = createHash('sha256').update(readFileSync(__filename));
  for (const file of schemaFiles) fingerprint.update(readFileSync(join(packageDir, 'dist-es', 'schemas', file)));
  const target = join(
    buildDir,
    `${packageName.replace('/', '+')}@${version}-${fingerprint.digest('hex').slice(0, 12)}`,
  );
  const entry = join(target, 'dist-es', 'index.js');
  if (existsSync(join(target, '.complete'))) return entry;
  removeAbandoned(target, buildDir);
  // Built aside and renamed into place, so that concurrent synths never read a half-written copy.
  const staging = `${target}.${process.pid}.${Date.now()}`;
  try {
    cpSync(join(packageDir, 'dist-es'), join(staging, 'dist-es'), { recursive: true });
    cpSync(join(packageDir, 'package.json'), join(staging, 'package.json'));
    let inlined = 0;
    for (const file of schemaFiles) {
      const path = join(staging, 'dist-es', 'schemas', file);
      const result = inlineSchemaKeys(readFileSync(path, 'utf8'));
      writeFileSync(path, result.text);
      inlined += result.inlined;
    }
    if (inlined === 0)
      throw new Error(
        `${packageName}@${version}: no schema keys to inline; the SDK's schema format changed, remove it from the inlined packages`,
      );
    writeFileSync(join(staging, '.complete'), `${inlined} keys inlined\n`);
    // A copy only ever appears complete; if another synth renamed its copy first, this rename fails and that one is used.
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, '.complete')))
      throw new Error(
        `could not make ${target}: ${(error as Error).message}. Delete ${buildDir} and synthesize again.`,
        { cause: error },
      );
  }
  return entry;
}

/** A copy left without its completion mark (an interrupted delete) and staging folders of processes that died. */
function removeAbandoned(target: string, buildDir: string): void {
  // A complete copy appears whole, by rename, with its mark: a target without the mark was never complete.
  if (existsSync(target) && !existsSync(join(target, '.complete'))) rmSync(target, { recursive: true, force: true });
  if (!existsSync(buildDir)) return;
  const prefix = `${basename(target)}.`;
  for (const name of readdirSync(buildDir).filter((candidate) => candidate.startsWith(prefix))) {
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(join(buildDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
