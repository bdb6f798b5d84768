#!/usr/bin/env node
/* global require, module, process, __dirname */
// The AWS emulator of the contract suite (test/contract): moto in server mode, installed from the pinned
// test/contract/requirements.txt into .build/venv/ (git-ignored;
// .build/ is also outside ESLint's and Prettier's reach, which a venv's own .js files would fail). The venv is made when it is missing and made again when the
// requirements or the Python change (a hash stamp in the venv); otherwise this costs one hash and one stat.
//
//   node scripts/ensure-emulator.cjs          installs if needed, prints the moto server's Python
//   require('./scripts/ensure-emulator.cjs')  emulatorProblem(), ensureEmulator()
'use strict';

const { createHash } = require('node:crypto');
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const REQUIREMENTS = join(ROOT, 'test', 'contract', 'requirements.txt');
const VENV = join(ROOT, '.build', 'venv');
const STAMP = join(VENV, '.firebreak-requirements.sha256');
const LOCK = join(ROOT, '.build', 'venv.lock');
/** The oldest Python every pinned package installs on (some pins require 3.11). */
const MINIMUM_PYTHON = [3, 11];
const INSTALL_HINT =
  'install Python 3.11 or newer with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv; ' +
  'macOS: brew install python) and run npm test again';

/** The Python that makes the venv: $FIREBREAK_PYTHON, else python3 on PATH. */
function basePython() {
  return process.env.FIREBREAK_PYTHON || 'python3';
}

/**
 * Why the emulator cannot be installed on this machine (one line, with how to fix it), or undefined when it can.
 * Cheap: one `python3 -c` run, so the suite can decide to skip before any test starts.
 */
function emulatorProblem() {
  const python = basePython();
  const probe = spawnSync(python, ['-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  });
  if (probe.error) return `${python} is not on PATH; ${INSTALL_HINT}`;
  if (probe.status !== 0) {
    return `${python} has no venv module; ${INSTALL_HINT}`;
  }
  const version = probe.stdout.trim();
  const [major, minor] = version.split('.').map(Number);
  if (major < MINIMUM_PYTHON[0] || (major === MINIMUM_PYTHON[0] && minor < MINIMUM_PYTHON[1])) {
    return `${python} is Python ${version}, the pinned moto needs ${MINIMUM_PYTHON.join('.')} or newer; ${INSTALL_HINT}`;
  }
  return undefined;
}

/** What the venv is built from: the requirements and the Python that made it. */
function wantedStamp() {
  const version = execFileSync(basePython(), ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' });
  return createHash('sha256').update(readFileSync(REQUIREMENTS)).update(version).digest('hex');
}

function venvPython() {
  return join(VENV, 'bin', 'python');
}

function isCurrent(stamp) {
  return existsSync(venvPython()) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === stamp;
}

/** Holds .build/venv.lock while `work` runs, so that parallel test workers build the venv once. */
function withLock(work) {
  mkdirSync(join(ROOT, '.build'), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than the longest install is left by a killed run.
      if (Date.now() - statSync(LOCK).mtimeMs > 10 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`${LOCK} is still held after 10 minutes: remove it if no install runs`, { cause: error });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * The venv's Python, with moto[server] installed exactly as pinned; builds the venv first when it is missing or stale.
 * Throws with pip's output when the install fails.
 */
function ensureEmulator({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const problem = emulatorProblem();
  if (problem) throw new Error(problem);
  const stamp = wantedStamp();
  if (isCurrent(stamp)) return venvPython();
  return withLock(() => {
    if (isCurrent(stamp)) return venvPython();
    log(
      'Firebreak: installing the AWS emulator (moto, pinned in test/contract/requirements.txt) into .build/venv/ ...',
    );
    const started = Date.now();
    rmSync(VENV, { recursive: true, force: true });
    run(basePython(), ['-m', 'venv', VENV]);
    run(venvPython(), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]);
    run(venvPython(), ['-m', 'pip', 'check', '--disable-pip-version-check']);
    writeFileSync(STAMP, `${stamp}\n`);
    log(`Firebreak: emulator installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return venvPython();
  });
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT });
  if (result.error || result.status !== 0) {
    throw new Error(
      `Firebreak: \`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
        `${result.stdout ?? ''}${result.stderr ?? ''}`,
    );
  }
}

module.exports = { emulatorProblem, ensureEmulator, REQUIREMENTS, VENV };

if (require.main === module) {
  try {
    process.stdout.write(`${ensureEmulator()}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
