import * as z from 'zod';
import { ACCOUNT_ID, REGION } from './guardduty-event-schema';

const isoTimestamp = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 timestamp such as 2026-11-21T07:30:00.000Z' });
const COMPLIANCE = z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'], {
  message: 'expected COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE or INSUFFICIENT_DATA',
});

const evaluationSchema = z.object({
  complianceType: COMPLIANCE,
  resultRecordedTime: isoTimestamp,
  configRuleInvokedTime: isoTimestamp.optional().catch(undefined),
  annotation: z.string().max(1024).nullish().catch(undefined),
});

export const configDetailSchema = z.object({
  configRuleName: z.string().regex(/^[\w-]{1,128}$/, 'expected a Config rule name of letters, digits, "_" or "-"'),
  configRuleARN: z.string().max(512).optional().catch(undefined),
  awsAccountId: z.string().regex(ACCOUNT_ID, 'expected a 12-digit AWS account id'),
  awsRegion: z.string().regex(REGION, 'expected an AWS Region such as us-east-1'),
  resourceType: z.string().regex(/^AWS::[A-Za-z0-9]*::[A-Za-z0-9]+$/, 'expected a Config resource type such as AWS::EC2::SecurityGroup'),
  resourceId: z.string().regex(/^[\w.:/=+@-]{1,256}$/, 'expected a Config resource id'),
  newEvaluationResult: evaluationSchema,
  oldEvaluationResult: evaluationSchema.partial().optional().catch(undefined),
  notificationCreationTime: isoTimestamp.optional().catch(undefined),
});

export type ConfigDetail = z.infer<typeof configDetailSchema>;
