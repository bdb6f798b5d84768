import { PAIR_BUGS } from '../support/fault-known-bugs';
import { SCENARIOS } from '../support/fault-world';
import { pairSuite } from '../support/fault-suites';

/**
 * The fault matrix, two faults per run: for each scenario, 40 pairs of (call site x fault) of its recorded clean run
 * (outages included), sampled with a fixed seed, so every run of this file runs the same pairs. Invariants as in
 * fault-injection.test.ts.
 */
pairSuite(
  SCENARIOS.map((scenario) => scenario.name),
  40,
  0x5eed_f12e,
  PAIR_BUGS,
);
