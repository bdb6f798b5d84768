import * as z from 'zod';
import { ACCOUNT_ID } from './guardduty-event-schema';

const isoTimestamp = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 timestamp such as 2026-11-21T07:30:00.000Z' });
const optionalText = z.string().max(1024).optional().catch(undefined);

/** The `detail` of `Security Hub Findings - Imported` and `- Custom Action` events: up to 100 ASFF findings. */
export const securityHubDetailSchema = z.object({
  actionName: optionalText,
  findings: z.array(z.unknown(), { message: 'expected detail.findings as an array of ASFF findings' }).min(1, 'expected at least one finding').max(100, 'expected at most 100 findings'),
});

const resourceSchema = z.object({
  Type: z.string({ message: 'expected the resource type as a string' }).max(256),
  Id: z.string({ message: 'expected the resource id as a string' }).max(2048),
  Partition: optionalText,
  Region: optionalText,
  Details: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

/**
 * The ASFF fields Firebreak reads. `Types` and `Severity` at the top level can be changed by anyone allowed to
 * call BatchUpdateFindings: the finding type and severity are read from `FindingProviderFields` and
 * `ProductFields`, which only the finding provider sets.
 */
export const asffFindingSchema = z.object({
  SchemaVersion: optionalText,
  Id: z.string({ message: 'expected the finding Id as a string' }).min(1).max(512),
  ProductArn: z.string({ message: 'expected the ProductArn as a string' }).max(2048),
  ProductName: optionalText,
  CompanyName: optionalText,
  GeneratorId: optionalText,
  AwsAccountId: z.string().regex(ACCOUNT_ID, 'expected a 12-digit AWS account id'),
  Region: optionalText,
  Types: z.array(z.string()).optional().catch(undefined),
  CreatedAt: isoTimestamp,
  UpdatedAt: isoTimestamp,
  FirstObservedAt: isoTimestamp.optional().catch(undefined),
  LastObservedAt: isoTimestamp.optional().catch(undefined),
  Severity: z.object({ Label: optionalText, Normalized: z.number().optional().catch(undefined), Product: z.number().optional().catch(undefined) }).optional().catch(undefined),
  Title: z.string().max(1024).optional().catch(undefined),
  Description: optionalText,
  ProductFields: z.record(z.string(), z.string()).default({}),
  Resources: z.array(resourceSchema, { message: 'expected Resources as an array' }).min(1, 'expected at least one resource'),
  Workflow: z.object({ Status: optionalText }).optional().catch(undefined),
  RecordState: optionalText,
  Compliance: z.object({ Status: optionalText }).optional().catch(undefined),
  FindingProviderFields: z
    .object({
      Types: z.array(z.string()).optional().catch(undefined),
      Severity: z.object({ Label: optionalText, Original: optionalText, Product: z.number().optional().catch(undefined) }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  Sample: z.boolean().optional().catch(undefined),
});

export type AsffFinding = z.infer<typeof asffFindingSchema>;
export type AsffResource = z.infer<typeof resourceSchema>;
