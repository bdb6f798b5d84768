/* global require, module, process */
// Jest's globalSetup: where the contract suite cannot run (no python3), says so in one line before the tests start.
// The suite's files then skip; under CI (CI=true) they fail instead (test/contract/support/on-moto.ts).
'use strict';

const { emulatorProblem } = require('../../../scripts/ensure-emulator.cjs');

module.exports = async function contractSuiteNotice() {
  const problem = emulatorProblem();
  if (!problem) return;
  const what = process.env.CI === 'true' ? 'FAILS under CI' : 'is skipped';
  process.stderr.write(`\nFirebreak: the contract suite (test/contract, on the moto emulator) ${what}: ${problem}\n`);
};
