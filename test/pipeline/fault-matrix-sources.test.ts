import { SINGLE_FAULT_BUGS } from '../support/fault-known-bugs';
import { singleFaultSuite } from '../support/fault-suites';

/**
 * The fault matrix, one fault per run (see fault-injection.test.ts), for the scenarios of the other services: a
 * member-account finding (STS AssumeRole with the playbook's session policy), a Config finding delivered through
 * Security Hub (re-read with securityhub:GetFindings, updated with BatchUpdateFindings), and a GuardDuty finding
 * delivered through Security Hub (re-read from GuardDuty, updated in Security Hub).
 */
singleFaultSuite(
  [
    'member-account IAM user (STS AssumeRole)',
    'Config restricted-ssh through Security Hub (GetFindings, BatchUpdateFindings)',
    'GuardDuty IAM user through Security Hub (BatchUpdateFindings)',
  ],
  SINGLE_FAULT_BUGS,
);
