import * as z from 'zod/mini';
import { showValue } from '../common/describe-issues';

export const PLAYBOOK_ID = /^[a-z][a-z0-9-]{2,47}$/;
const TYPE_PREFIX = /^[A-Za-z]+(:[A-Za-z0-9]*(\/[A-Za-z0-9.!&_-]*)?)?$/;

/** Approval mode: how long a plan waits for a human, and what happens then. */
export const approvalSchema = z.strictObject({
  timeoutMinutes: z
    .number({ message: 'expected a whole number of minutes from 1 to 1440' })
    .check(
      z.int('expected a whole number of minutes from 1 to 1440'),
      z.minimum(1, 'expected a whole number of minutes from 1 to 1440'),
      z.maximum(1440, 'expected a whole number of minutes from 1 to 1440'),
      z.describe('Minutes a plan waits for approve or deny'),
    ),
  onTimeout: z
    .enum(['contain', 'drop'], { message: 'expected "contain" or "drop"' })
    .check(
      z.describe(
        'contain: apply the plan (re-read, through every gate); drop: never apply it, notify that the approval expired',
      ),
    ),
});

export type ApprovalSettings = z.infer<typeof approvalSchema>;

export const playbookSchema = z
  .strictObject({
    id: z
      .string()
      .check(z.regex(PLAYBOOK_ID, 'expected 3-48 lower-case letters, digits or "-", starting with a letter')),
    description: z.string().check(z.minLength(1, 'expected a description'), z.maxLength(1000)),
    trigger: z.discriminatedUnion(
      'source',
      [
        z.strictObject({
          source: z.literal('guardduty'),
          resourceTypes: z
            .array(
              z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'expected a GuardDuty resource type such as AccessKey')),
            )
            .check(
              z.minLength(1, 'expected at least one resource type'),
              z.describe('GuardDuty resource.resourceType values that start this playbook'),
            ),
          findingTypePrefixes: z
            .array(
              z
                .string()
                .check(
                  z.minLength(3),
                  z.maxLength(200),
                  z.regex(TYPE_PREFIX, 'expected the start of a finding type such as UnauthorizedAccess:IAMUser/'),
                ),
            )
            .check(
              z.minLength(1, 'expected at least one finding-type prefix'),
              z.describe('Prefixes matched against detail.type'),
            ),
          minimumSeverity: z
            .number({ message: 'expected a number from 1 to 10' })
            .check(
              z.minimum(1, 'expected a number from 1 to 10'),
              z.maximum(10, 'expected a number from 1 to 10'),
              z.describe('Findings below this severity are not delivered'),
            ),
        }),
        z.strictObject({
          source: z.literal('config'),
          configRules: z
            .array(
              z
                .string()
                .check(
                  z.regex(/^(\*|[\w-]{1,128})$/, 'expected a Config rule identifier such as restricted-ssh, or "*"'),
                ),
            )
            .check(
              z.minLength(1, 'expected at least one Config rule identifier'),
              z.describe(
                'Config rule identifiers, matched with or without a prefix or suffix ' +
                  '(securityhub-restricted-ssh-a1b2c3); "*": every rule no other playbook handles',
              ),
            ),
          resourceTypes: z
            .optional(
              z
                .array(
                  z
                    .string()
                    .check(
                      z.regex(
                        /^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$/,
                        'expected a Config resource type such as AWS::EC2::SecurityGroup',
                      ),
                    ),
                )
                .check(z.minLength(1, 'expected at least one resource type')),
            )
            .check(z.describe('Config resource types this playbook acts on; absent: any')),
        }),
      ],
      { message: 'expected trigger.source "guardduty" or "config"' },
    ),
    mode: z
      .enum(['enforce', 'dry-run', 'approve'], { message: 'expected "enforce", "dry-run" or "approve"' })
      .check(
        z.describe(
          'enforce: contain; dry-run: plan and notify only; approve: plan, notify, and contain once a human approves',
        ),
      ),
    approval: z.optional(approvalSchema).check(z.describe('Required when mode is approve, rejected otherwise')),
    steps: z
      .array(
        z.strictObject({
          action: z.string().check(z.minLength(1), z.describe('The id of a registered action')),
          with: z.optional(z.record(z.string(), z.unknown())).check(z.describe("The action's parameters")),
          after: z
            .optional(z.array(z.string().check(z.minLength(1))))
            .check(
              z.describe(
                'Actions of earlier steps whose writes must finish before this step writes; steps otherwise write concurrently',
              ),
            ),
        }),
      )
      .check(z.describe('Empty for a notify-only playbook: the message carries the manual steps')),
  })
  .check(z.describe('A Firebreak playbook: what starts it, whether it writes, and the ordered containment steps'));

export type Playbook = z.infer<typeof playbookSchema>;
export type PlaybookMode = Playbook['mode'];

/** Raised for a playbook that does not validate; each problem names the file and the field. */
export class PlaybookInvalidError extends Error {
  override readonly name = 'PlaybookInvalidError';

  constructor(
    readonly origin: string,
    readonly problems: readonly string[],
  ) {
    super(`Playbook ${origin} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

/** `approval` is required with mode approve and rejected with any other mode; each problem names the field and value. */
export function approvalProblems(mode: PlaybookMode, approval: ApprovalSettings | undefined, prefix = ''): string[] {
  if (mode === 'approve' && !approval)
    return [
      `${prefix}approval: required when mode is "approve" ({ timeoutMinutes: 1-1440, onTimeout: "contain" or "drop" }), got nothing`,
    ];
  if (mode !== 'approve' && approval)
    return [
      `${prefix}approval: only allowed when mode is "approve", got ${showValue(approval)} with mode ${showValue(mode)}`,
    ];
  return [];
}

export type GuardDutyTrigger = Extract<Playbook['trigger'], { source: 'guardduty' }>;
export type ConfigTrigger = Extract<Playbook['trigger'], { source: 'config' }>;

/**
 * Config rules deployed by conformance packs or Security Hub carry a prefix or a suffix
 * (`securityhub-restricted-ssh-a1b2c3`): an identifier matches the name alone or between hyphens.
 */
export function configRuleMatches(ruleName: string, identifier: string): boolean {
  if (identifier === '*') return true;
  return (
    ruleName === identifier ||
    ruleName.startsWith(`${identifier}-`) ||
    ruleName.endsWith(`-${identifier}`) ||
    ruleName.includes(`-${identifier}-`)
  );
}
