import * as z from 'zod';

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const FINDING_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const FINDING_TYPE = /^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.!&_-]{1,200}$/;
const PARTITION = /^aws(-[a-z]+)*$/;

const isoTimestamp = z.iso.datetime({ offset: true, message: 'expected an ISO-8601 timestamp such as 2026-11-21T07:30:00.000Z' });

/** Informational fields: a wrong type makes them absent, never rejects the finding. */
const optionalText = z.string().max(1024).optional().catch(undefined);

export const envelopeSchema = z.object({
  source: z.string({ message: 'expected the event source as a string' }),
  'detail-type': z.string({ message: 'expected the detail-type as a string' }),
  id: z.string().min(1).max(128).optional().catch(undefined),
  account: z.string().optional().catch(undefined),
  region: z.string().optional().catch(undefined),
  time: z.string().optional().catch(undefined),
  detail: z.unknown(),
});

export const accessKeyDetailsSchema = z.object({
  accessKeyId: optionalText,
  principalId: optionalText,
  userName: optionalText,
  userType: optionalText,
});

const remoteIpSchema = z
  .object({
    ipAddressV4: optionalText,
    ipAddressV6: optionalText,
    country: z.object({ countryName: optionalText }).optional().catch(undefined),
    organization: z.object({ asnOrg: optionalText, org: optionalText, isp: optionalText }).optional().catch(undefined),
  })
  .optional()
  .catch(undefined);

const apiCallSchema = z
  .object({
    api: optionalText,
    serviceName: optionalText,
    // The API reference documents a string; some events carry an object.
    userAgent: z.union([z.string().max(1024), z.object({ fullUserAgent: optionalText, userAgent: optionalText })]).optional().catch(undefined),
    remoteIpDetails: remoteIpSchema,
  })
  .optional()
  .catch(undefined);

export const guardDutyDetailSchema = z.object({
  schemaVersion: z.string().optional().catch(undefined),
  accountId: z.string().regex(ACCOUNT_ID, 'expected a 12-digit AWS account id'),
  region: z.string().regex(REGION, 'expected an AWS Region such as us-east-1'),
  partition: z.string().regex(PARTITION, 'expected an AWS partition such as aws'),
  id: z.string().regex(FINDING_ID, 'expected a finding id of 1-128 letters, digits, ".", "_", ":" or "-"'),
  arn: z.string().max(2048).optional().catch(undefined),
  type: z.string().regex(FINDING_TYPE, 'expected a GuardDuty finding type such as UnauthorizedAccess:IAMUser/TorIPCaller'),
  title: z.string().max(1024).optional().catch(undefined),
  severity: z
    .number({ message: 'expected a number from 1 to 10' })
    .min(0.1, 'expected a number from 1 to 10')
    .max(10, 'expected a number from 1 to 10'),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  resource: z.object(
    {
      resourceType: z.string({ message: 'expected the resource type as a string' }).regex(/^[A-Za-z0-9]{1,64}$/, 'expected a GuardDuty resource type such as AccessKey or Instance'),
      accessKeyDetails: z.unknown().optional(),
      instanceDetails: z.unknown().optional(),
    },
    { message: 'expected the resource object' },
  ),
  service: z.object(
    {
      serviceName: optionalText,
      resourceRole: optionalText,
      additionalInfo: z.unknown().optional(),
      eventFirstSeen: isoTimestamp.optional().catch(undefined),
      eventLastSeen: isoTimestamp.optional().catch(undefined),
      count: z.number().int().nonnegative().optional().catch(undefined),
      action: z
        .object({ actionType: optionalText, awsApiCallAction: apiCallSchema })
        .optional()
        .catch(undefined),
    },
    { message: 'expected the service object' },
  ),
});

export type GuardDutyDetail = z.infer<typeof guardDutyDetailSchema>;
