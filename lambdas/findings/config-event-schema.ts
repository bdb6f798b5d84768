import * as z from 'zod/mini';
import { ACCOUNT_ID, REGION } from './guardduty-event-schema';

const isoTimestamp = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 timestamp such as 2026-11-21T07:30:00.000Z',
});
const COMPLIANCE = z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'], {
  message: 'expected COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA',
});

const evaluationSchema = z.object({
  complianceType: COMPLIANCE,
  resultRecordedTime: isoTimestamp,
  configRuleInvokedTime: z.catch(z.optional(isoTimestamp), undefined),
  annotation: z.catch(z.nullish(z.string().check(z.maxLength(1024))), undefined),
});

export const configDetailSchema = z.object({
  configRuleName: z
    .string()
    .check(z.regex(/^[\w-]{1,128}$/, 'expected a Config rule name of letters, digits, "_" or "-"')),
  configRuleARN: z.catch(z.optional(z.string().check(z.maxLength(512))), undefined),
  awsAccountId: z.string().check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id')),
  awsRegion: z.string().check(z.regex(REGION, 'expected an AWS Region such as us-east-1')),
  resourceType: z
    .string()
    .check(
      z.regex(/^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$/, 'expected a Config resource type such as AWS::EC2::SecurityGroup'),
    ),
  resourceId: z.string().check(z.regex(/^[\w.:/=+@-]{1,256}$/, 'expected a Config resource id')),
  newEvaluationResult: evaluationSchema,
  oldEvaluationResult: z.catch(z.optional(z.partial(evaluationSchema)), undefined),
  notificationCreationTime: z.catch(z.optional(isoTimestamp), undefined),
});

export type ConfigDetail = z.infer<typeof configDetailSchema>;
