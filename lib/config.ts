import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { describeIssues } from '../lambdas/common/describe-issues';
import { approvalSchema } from '../lambdas/model/playbook';
import { arnPatternSchema } from '../lambdas/pipeline/responder-settings';
import { REGION } from '../lambdas/findings/guardduty-event-schema';

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const severity = z
  .number({ message: 'expected a number from 1 to 10' })
  .check(z.minimum(1, 'expected a number from 1 to 10'), z.maximum(10, 'expected a number from 1 to 10'));

const playbookOverrideSchema = z.strictObject({
  /** Overrides the playbook file's mode. */
  mode: z.optional(
    z.enum(['enforce', 'dry-run', 'approve'], { message: 'expected "enforce", "dry-run" or "approve"' }),
  ),
  /** With mode "approve": the approval timeout and default (required unless the playbook file has them). */
  approval: z.optional(approvalSchema),
  /** Overrides the playbook's minimum severity (and the global floor) for this playbook only. */
  minimumSeverity: z.optional(severity),
  /** Set false to deploy without this playbook. Default true. */
  enabled: z.optional(z.boolean({ message: 'expected true or false' })),
});

const regionSchema = z.string().check(z.regex(REGION, 'expected an AWS Region such as eu-west-1'));

const organizationSchema = z.strictObject({
  /** The AWS Organizations id: member roles trust only principals of this organization, the bus accepts only its accounts. */
  organizationId: z.string().check(z.regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id such as o-a1b2c3d4e5')),
  /** The fixed name of the role the member-account stack creates in every member account. */
  memberRoleName: z._default(
    z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name')),
    'FirebreakMemberResponder',
  ),
  /** Deploys the member-account stack to these OUs as a service-managed StackSet, and to accounts that join them later. */
  stackSet: z.optional(
    z.strictObject({
      organizationalUnitIds: z
        .array(
          z
            .string()
            .check(
              z.regex(
                /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/,
                'expected an OU id (ou-...) or the root id (r-...)',
              ),
            ),
        )
        .check(z.minLength(1, 'expected at least one OU id')),
      regions: z.array(regionSchema).check(z.minLength(1, 'expected at least one Region')),
      /** DELEGATED_ADMIN when the security account is a delegated administrator for StackSets; SELF in the management account. */
      callAs: z._default(
        z.enum(['SELF', 'DELEGATED_ADMIN'], { message: 'expected "SELF" or "DELEGATED_ADMIN"' }),
        'DELEGATED_ADMIN',
      ),
    }),
  ),
  /** Regions of the security account whose GuardDuty findings are forwarded to the home Region's bus. */
  forwardFromRegions: z._default(z.array(regionSchema), []),
});

const securityHubConfigSchema = z.strictObject({
  /** Turns the Security Hub integration on. Default false: nothing of it is deployed. */
  enabled: z._default(z.boolean({ message: 'expected true or false' }), false),
  /** Playbooks also start on `Security Hub Findings - Imported` events of GuardDuty and Config findings. Default true. */
  trigger: z._default(z.boolean({ message: 'expected true or false' }), true),
  /** After the message, set the finding's workflow to NOTIFIED with a note (BatchUpdateFindings). Default true. */
  updateFindings: z._default(z.boolean({ message: 'expected true or false' }), true),
  /** Also update native GuardDuty findings in Security Hub (their ASFF id is their ARN). Default false. */
  updateNativeFindings: z._default(z.boolean({ message: 'expected true or false' }), false),
  /** The custom actions "Firebreak: contain" and "Firebreak: release". Default true. */
  customActions: z._default(z.boolean({ message: 'expected true or false' }), true),
});

const alarmsSchema = z.strictObject({
  /** E-mail addresses subscribed to every alarm topic (each confirms once per topic, that is per stack). */
  emails: z._default(z.array(z.email({ message: 'expected an e-mail address' })), []),
  /** HTTPS endpoints subscribed to every alarm topic: a pager's CloudWatch/SNS integration URL (PagerDuty, Opsgenie). */
  httpsEndpoints: z._default(z.array(z.url({ protocol: /^https$/, message: 'expected an https:// URL' })), []),
});

export const configSchema = z.strictObject({
  /** E-mail addresses subscribed to the notification topic. Each must confirm the subscription once. */
  notificationEmails: z._default(z.array(z.email({ message: 'expected an e-mail address' })), []),
  /**
   * Who is paged when Firebreak itself fails (a dead-letter queue holds an event, a function errors or is throttled):
   * a topic apart from the notification topic, which may be what failed.
   */
  alarms: z._default(alarmsSchema, { emails: [], httpsEndpoints: [] }),
  /** ARN patterns (`*`, `?`) of principals Firebreak never changes, whatever a finding says. */
  protectedPrincipals: z._default(z.array(arnPatternSchema), []),
  /** A principal carrying this tag with the value `true` is not contained (the finding is still notified). */
  exemptionTagKey: z._default(
    z
      .string()
      .check(
        z.regex(
          /^[\p{L}\p{N} _.:/=+@-]{1,128}$/u,
          'expected a tag key of 1-128 letters, digits, spaces or _ . : / = + @ -',
        ),
      ),
    'firebreak:exempt',
  ),
  /** Global floor: no playbook acts below it unless its own override says so. */
  minimumSeverity: z.optional(severity),
  /** Per playbook id. */
  playbooks: z._default(z.record(z.string(), playbookOverrideSchema), {}),
  /** Concurrent executions reserved for (and capping) each responder, bounding the IAM and EC2 API call rate. */
  reservedConcurrency: z._default(
    z
      .number({ message: 'expected a whole number from 1 to 100' })
      .check(
        z.int('expected a whole number from 1 to 100'),
        z.minimum(1, 'expected a whole number from 1 to 100'),
        z.maximum(100, 'expected a whole number from 1 to 100'),
      ),
    5,
  ),
  /** The blast-radius breaker: enforced containments allowed per UTC clock hour before playbooks fall back to dry-run. */
  breaker: z._default(
    z.strictObject({
      maxPerAccountPerHour: z._default(
        z
          .number()
          .check(
            z.int('expected a whole number from 1 to 10000'),
            z.minimum(1, 'expected a whole number from 1 to 10000'),
            z.maximum(10_000, 'expected a whole number from 1 to 10000'),
          ),
        10,
      ),
      maxPerPlaybookPerHour: z._default(
        z
          .number()
          .check(
            z.int('expected a whole number from 1 to 10000'),
            z.minimum(1, 'expected a whole number from 1 to 10000'),
            z.maximum(10_000, 'expected a whole number from 1 to 10000'),
          ),
        25,
      ),
    }),
    { maxPerAccountPerHour: 10, maxPerPlaybookPerHour: 25 },
  ),
  /** Days the incident ledger keeps an incident (DynamoDB TTL). */
  ledgerRetentionDays: z._default(
    z
      .number()
      .check(
        z.int('expected a whole number of days'),
        z.minimum(1, 'expected 1 to 3650 days'),
        z.maximum(3650, 'expected 1 to 3650 days'),
      ),
    400,
  ),
  /** Hours a released incident is exempt from being contained again by a re-delivered finding. */
  releaseExemptionHours: z._default(
    z.number().check(z.minimum(0, 'expected 0 to 720 hours'), z.maximum(720, 'expected 0 to 720 hours')),
    24,
  ),
  /** Organization-wide deployment: member-account role, StackSet, forwarding. Absent: this account only. */
  organization: z.optional(organizationSchema),
  /** Security Hub: findings imported by GuardDuty and Config as a second trigger, workflow updates, custom actions. Absent: off. */
  securityHub: z.optional(securityHubConfigSchema),
  /** A second topic for AWS Chatbot (Slack, Teams) carrying each message in its custom notification format. Default off. */
  chat: z._default(z.strictObject({ enabled: z.boolean({ message: 'expected true or false' }) }), { enabled: false }),
  /** Days the responders' logs (the audit trail of every change) are kept. */
  logRetentionDays: z._default(
    z.number().check(
      z.refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    ),
    365,
  ),
});

export type FirebreakConfig = z.infer<typeof configSchema>;

export class ConfigInvalidError extends Error {
  override readonly name = 'ConfigInvalidError';

  constructor(
    readonly origin: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Configuration ${origin} is invalid:\n  - ${problems.join('\n  - ')}`, options);
  }
}

/** Validates configuration input; every problem names the key, the value received and what is allowed. */
export function parseConfig(input: unknown, origin: string, knownPlaybooks: readonly string[]): FirebreakConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigInvalidError(origin, describeIssues(parsed.error, input));
  const unknown = Object.keys(parsed.data.playbooks).filter((id) => !knownPlaybooks.includes(id));
  if (unknown.length > 0) {
    throw new ConfigInvalidError(
      origin,
      unknown.map(
        (id) =>
          `playbooks.${id}: expected one of the playbooks in playbooks/ (${knownPlaybooks.join(', ')}), got ${JSON.stringify(id)}`,
      ),
    );
  }
  return parsed.data;
}

export function loadConfig(path: string, knownPlaybooks: readonly string[]): FirebreakConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalidError(path, [`cannot read the file: ${(error as Error).message}`], { cause: error });
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigInvalidError(path, [`not valid JSON: ${(error as Error).message}`], { cause: error });
  }
  return parseConfig(input, path, knownPlaybooks);
}
