import * as z from 'zod/mini';
import { describeIssues } from '../common/describe-issues';
import { ACCOUNT_ID } from '../findings/guardduty-event-schema';
import { playbookSchema } from '../model/playbook';

/** An ARN pattern: `*` matches any run of characters, `?` one character. */
export const arnPatternSchema = z
  .string()
  .check(
    z.regex(
      /^arn:(\*|aws[a-z-]*):[a-z0-9*?-]+:[a-z0-9*?-]*:(\d{12}|\*|\?*):.+$/,
      'expected an ARN pattern such as arn:aws:iam::*:role/BreakGlass*',
    ),
  );

/** Everything one responder function needs at run time; the CDK writes it into the function's environment. */
export const responderSettingsSchema = z.strictObject({
  playbook: playbookSchema,
  protectedPrincipals: z.array(arnPatternSchema),
  exemptionTagKey: z.string().check(z.minLength(1), z.maxLength(128)),
  /** The account Firebreak is deployed in; findings about other accounts are reported, not acted on, in this version. */
  homeAccountId: z.string().check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id')),
  /** Enforced containments allowed per UTC clock hour before the playbook falls back to dry-run for that scope. */
  breaker: z._default(
    z.strictObject({
      maxPerAccountPerHour: z.number().check(z.int(), z.minimum(1), z.maximum(10_000)),
      maxPerPlaybookPerHour: z.number().check(z.int(), z.minimum(1), z.maximum(10_000)),
    }),
    { maxPerAccountPerHour: 10, maxPerPlaybookPerHour: 25 },
  ),
  /** The member-account role to assume for findings about other accounts; absent: only this account is acted on. */
  memberRoleName: z.optional(z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name'))),
  /** For a catch-all Config playbook (`configRules: ['*']`): the rules other enabled playbooks handle, left to them. */
  excludeConfigRules: z.optional(z.array(z.string().check(z.regex(/^[\w-]{1,128}$/)))),
  /** Days the ledger keeps an incident (DynamoDB TTL). */
  ledgerRetentionDays: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(3650)), 400),
  /** Security Hub updates after the message (BatchUpdateFindings); absent: Security Hub is never written to. */
  securityHub: z.optional(z.strictObject({ updateFindings: z.boolean(), updateNativeFindings: z.boolean() })),
});

export type ResponderSettings = z.infer<typeof responderSettingsSchema>;

export class SettingsInvalidError extends Error {
  override readonly name = 'SettingsInvalidError';
}

export function parseResponderSettings(json: string | undefined, origin: string): ResponderSettings {
  if (!json)
    throw new SettingsInvalidError(`${origin} is not set: the function cannot know its playbook; redeploy the stack`);
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new SettingsInvalidError(`${origin} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = responderSettingsSchema.safeParse(input);
  if (!parsed.success)
    throw new SettingsInvalidError(`${origin} is invalid: ${describeIssues(parsed.error, input).join('; ')}`);
  return parsed.data;
}
