import { SINGLE_FAULT_BUGS } from '../support/fault-known-bugs';
import { singleFaultSuite } from '../support/fault-suites';

/** The fault matrix, one fault per run (see fault-injection.test.ts), for the EC2 instance playbook, the one with the most calls. */
singleFaultSuite(['EC2 instance in an Auto Scaling group'], SINGLE_FAULT_BUGS);
