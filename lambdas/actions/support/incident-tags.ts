import * as z from 'zod/mini';
import type { Finding } from '../../model/finding';
import { iamTimestamp } from './iam-policy-documents';
import { tagValue } from './tag-value';

/** The `with:` of a tagging step: the prefix of the tag keys Firebreak writes. */
export const tagParams = z.strictObject({
  keyPrefix: z._default(
    z.string().check(z.regex(/^[\w.:/=+@-]{1,100}$/, 'expected 1-100 letters, digits or _ . : / = + @ -')),
    'firebreak:',
  ),
});

export type TagParams = z.infer<typeof tagParams>;

/** The tags that mark a resource with its incident; `finding-id` first, the key re-deliveries check. */
export function incidentTags(finding: Finding, keyPrefix: string, status: string, now: Date): Record<string, string> {
  return {
    [`${keyPrefix}finding-id`]: tagValue(finding.id),
    [`${keyPrefix}finding-type`]: tagValue(finding.type),
    [`${keyPrefix}contained-at`]: iamTimestamp(now),
    [`${keyPrefix}status`]: status,
  };
}
