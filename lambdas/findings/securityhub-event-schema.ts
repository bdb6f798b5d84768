import * as z from 'zod/mini';
import { ACCOUNT_ID } from './guardduty-event-schema';

const isoTimestamp = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 timestamp such as 2026-11-21T07:30:00.000Z',
});
const optionalText = z.catch(z.optional(z.string().check(z.maxLength(1024))), undefined);

/** The `detail` of `Security Hub Findings - Imported` and `- Custom Action` events: up to 100 ASFF findings. */
export const securityHubDetailSchema = z.object({
  actionName: optionalText,
  findings: z
    .array(z.unknown(), { message: 'expected detail.findings as an array of ASFF findings' })
    .check(z.minLength(1, 'expected at least one finding'), z.maxLength(100, 'expected at most 100 findings')),
});

const resourceSchema = z.object({
  Type: z.string({ message: 'expected the resource type as a string' }).check(z.maxLength(256)),
  Id: z.string({ message: 'expected the resource id as a string' }).check(z.maxLength(2048)),
  Partition: optionalText,
  Region: optionalText,
  Details: z.catch(z.optional(z.record(z.string(), z.unknown())), undefined),
});

/**
 * The ASFF fields Firebreak reads. `Types` and `Severity` at the top level can be changed by anyone allowed to
 * call BatchUpdateFindings: the finding type and severity are read from `FindingProviderFields` and
 * `ProductFields`, which only the finding provider sets.
 */
export const asffFindingSchema = z.object({
  SchemaVersion: optionalText,
  Id: z.string({ message: 'expected the finding Id as a string' }).check(z.minLength(1), z.maxLength(512)),
  ProductArn: z.string({ message: 'expected the ProductArn as a string' }).check(z.maxLength(2048)),
  ProductName: optionalText,
  CompanyName: optionalText,
  GeneratorId: optionalText,
  AwsAccountId: z.string().check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id')),
  Region: optionalText,
  Types: z.catch(z.optional(z.array(z.string())), undefined),
  CreatedAt: isoTimestamp,
  UpdatedAt: isoTimestamp,
  FirstObservedAt: z.catch(z.optional(isoTimestamp), undefined),
  LastObservedAt: z.catch(z.optional(isoTimestamp), undefined),
  Severity: z.catch(
    z.optional(
      z.object({
        Label: optionalText,
        Normalized: z.catch(z.optional(z.number()), undefined),
        Product: z.catch(z.optional(z.number()), undefined),
      }),
    ),
    undefined,
  ),
  Title: z.catch(z.optional(z.string().check(z.maxLength(1024))), undefined),
  Description: optionalText,
  ProductFields: z._default(z.record(z.string(), z.string()), {}),
  Resources: z
    .array(resourceSchema, { message: 'expected Resources as an array' })
    .check(z.minLength(1, 'expected at least one resource')),
  Workflow: z.catch(z.optional(z.object({ Status: optionalText })), undefined),
  RecordState: optionalText,
  Compliance: z.catch(z.optional(z.object({ Status: optionalText })), undefined),
  FindingProviderFields: z.catch(
    z.optional(
      z.object({
        Types: z.catch(z.optional(z.array(z.string())), undefined),
        Severity: z.catch(
          z.optional(
            z.object({
              Label: optionalText,
              Original: optionalText,
              Product: z.catch(z.optional(z.number()), undefined),
            }),
          ),
          undefined,
        ),
      }),
    ),
    undefined,
  ),
  Sample: z.catch(z.optional(z.boolean()), undefined),
});

export type AsffFinding = z.infer<typeof asffFindingSchema>;
export type AsffResource = z.infer<typeof resourceSchema>;
