import type { KnownBug } from './fault-world';

/**
 * Runs of the fault matrix that fail an invariant because of an engine bug, each run on its own as `it.failing`
 * (named by the bug) while the rest of the matrix must pass. Remove an entry when its bug is fixed: its `it.failing`
 * then fails and says so.
 */
export const KMS_OUTAGE_UNCONFIRMED =
  'a kms:GenerateMac outage during a delivery that writes: every write takes, but no confirmation or intent can be signed, so the only record is the lease\'s unsigned planned intent; the re-delivery finds the writes done and records them as "planned, never confirmed: release leaves it to a human", and no later delivery ever confirms them (the ledger never says applied, release cannot undo Firebreak\'s own writes, and the first message says not-contained although every write took)';

const kmsOutage = (scenario: string): KnownBug => ({ scenario, run: 'kms:GenerateMac#every 5xx', bug: KMS_OUTAGE_UNCONFIRMED });

/** Single-fault runs (test/engine/fault-injection.test.ts, fault-matrix-ec2, fault-matrix-sources). */
export const SINGLE_FAULT_BUGS: readonly KnownBug[] = [
  kmsOutage('IAM user with a long-term key'),
  kmsOutage('assumed-role session'),
  kmsOutage('EC2 instance in an Auto Scaling group'),
  kmsOutage('member-account IAM user (STS AssumeRole)'),
  kmsOutage('GuardDuty IAM user through Security Hub (BatchUpdateFindings)'),
];

/** Two faults per run (test/engine/fault-matrix-pairs.test.ts, seed 0x5eedf12e): the same KMS outage bug. */
export const PAIR_BUGS: readonly KnownBug[] = [
  { scenario: 'assumed-role session', run: 'dynamodb:UpdateItem#12 AccessDenied + kms:GenerateMac#every 5xx', bug: KMS_OUTAGE_UNCONFIRMED },
  { scenario: 'GuardDuty IAM user through Security Hub (BatchUpdateFindings)', run: 'guardDuty:GetFindings#1 5xx + kms:GenerateMac#every 5xx', bug: KMS_OUTAGE_UNCONFIRMED },
];

export const DUPLICATE_FAILURE_PAGES =
  'concurrent deliveries page once each: run-playbook.ts reports a failed source re-read (sourceRefusal) or a failed resource read as not-contained before it looks at the incident lease, so a delivery that does not hold the lease (its lease read said busy) still sends its own urgent NOT CONTAINED message; and the detector lookup in flight is shared (reread-guardduty-finding.ts), so one failed guardduty:ListDetectors pages once per concurrent delivery';

const duplicatePages = (scenario: string, run: string): KnownBug => ({ scenario, run, bug: DUPLICATE_FAILURE_PAGES });

/** Three concurrent deliveries (test/engine/fault-matrix-concurrent.test.ts, seed 0xc0c02026). */
export const CONCURRENT_BUGS: readonly KnownBug[] = [
  duplicatePages('IAM user with a long-term key', 'guardDuty:ListDetectors#1 timeout + dynamodb:UpdateItem#9 throttling'),
  duplicatePages('assumed-role session', 'dynamodb:UpdateItem#11 timeout + guardDuty:ListDetectors#1 timeout'),
  duplicatePages('Config access-keys-rotated', 'iam:ListUsers#3 throttling + iam:ListAccessKeys#4 throttling'),
  duplicatePages('member-account IAM user (STS AssumeRole)', 'guardDuty:ListDetectors#1 5xx + iam:UpdateAccessKey#1 throttling'),
  duplicatePages('member-account IAM user (STS AssumeRole)', 'guardDuty:GetFindings#1 AccessDenied + iam:GetUser#2 5xx'),
  duplicatePages('member-account IAM user (STS AssumeRole)', 'guardDuty:ListDetectors#1 AccessDenied'),
  duplicatePages('GuardDuty IAM user through Security Hub (BatchUpdateFindings)', 'guardDuty:ListDetectors#1 timeout'),
  duplicatePages('GuardDuty IAM user through Security Hub (BatchUpdateFindings)', 'iam:ListAccessKeys#2 5xx + guardDuty:ListDetectors#1 AccessDenied'),
  duplicatePages('GuardDuty IAM user through Security Hub (BatchUpdateFindings)', 'dynamodb:UpdateItem#7 5xx + guardDuty:ListDetectors#1 AccessDenied'),
];
