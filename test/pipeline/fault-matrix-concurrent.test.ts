import { CONCURRENT_BUGS } from '../support/fault-known-bugs';
import { SCENARIOS } from '../support/fault-world';
import { concurrentSuite } from '../support/fault-suites';

/**
 * Concurrent deliveries of the same finding (Promise.all, the same clock, as EventBridge and Lambda deliver at least
 * once): two and three at once without faults, and three at once with one or two seeded faults. Afterwards: exactly
 * one effect (no second snapshot, one deny policy put once, keys deactivated once), at most one message per outcome,
 * nothing silent, every record verifies; a later clean delivery completes the containment.
 */
concurrentSuite(
  SCENARIOS.map((scenario) => scenario.name),
  15,
  0xc0_c0_2026,
  CONCURRENT_BUGS,
);
