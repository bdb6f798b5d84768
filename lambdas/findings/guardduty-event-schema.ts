import * as z from 'zod/mini';

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const FINDING_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const FINDING_TYPE = /^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.!&_-]{1,200}$/;
const PARTITION = /^aws(-[a-z]+)*$/;

const isoTimestamp = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 timestamp such as 2026-11-21T07:30:00.000Z',
});

/** Informational fields: a wrong type makes them absent, never rejects the finding. */
const optionalText = z.catch(z.optional(z.string().check(z.maxLength(1024))), undefined);

export const envelopeSchema = z.object({
  source: z.string({ message: 'expected the event source as a string' }),
  'detail-type': z.string({ message: 'expected the detail-type as a string' }),
  id: z.catch(z.optional(z.string().check(z.minLength(1), z.maxLength(128))), undefined),
  account: z.catch(z.optional(z.string()), undefined),
  region: z.catch(z.optional(z.string()), undefined),
  time: z.catch(z.optional(z.string()), undefined),
  detail: z.unknown(),
});

export const accessKeyDetailsSchema = z.object({
  accessKeyId: optionalText,
  principalId: optionalText,
  userName: optionalText,
  userType: optionalText,
});

const remoteIpSchema = z.catch(
  z.optional(
    z.object({
      ipAddressV4: optionalText,
      ipAddressV6: optionalText,
      country: z.catch(z.optional(z.object({ countryName: optionalText })), undefined),
      organization: z.catch(
        z.optional(z.object({ asnOrg: optionalText, org: optionalText, isp: optionalText })),
        undefined,
      ),
    }),
  ),
  undefined,
);

const apiCallSchema = z.catch(
  z.optional(
    z.object({
      api: optionalText,
      serviceName: optionalText,
      // The API reference documents a string; some events carry an object.
      userAgent: z.catch(
        z.optional(
          z.union([
            z.string().check(z.maxLength(1024)),
            z.object({ fullUserAgent: optionalText, userAgent: optionalText }),
          ]),
        ),
        undefined,
      ),
      remoteIpDetails: remoteIpSchema,
    }),
  ),
  undefined,
);

export const guardDutyDetailSchema = z.object({
  schemaVersion: z.catch(z.optional(z.string()), undefined),
  accountId: z.string().check(z.regex(ACCOUNT_ID, 'expected a 12-digit AWS account id')),
  region: z.string().check(z.regex(REGION, 'expected an AWS Region such as us-east-1')),
  partition: z.string().check(z.regex(PARTITION, 'expected an AWS partition such as aws')),
  id: z.string().check(z.regex(FINDING_ID, 'expected a finding id of 1-128 letters, digits, ".", "_", ":" or "-"')),
  arn: z.catch(z.optional(z.string().check(z.maxLength(2048))), undefined),
  type: z
    .string()
    .check(z.regex(FINDING_TYPE, 'expected a GuardDuty finding type such as UnauthorizedAccess:IAMUser/TorIPCaller')),
  title: z.catch(z.optional(z.string().check(z.maxLength(1024))), undefined),
  severity: z
    .number({ message: 'expected a number from 1 to 10' })
    .check(z.minimum(0.1, 'expected a number from 1 to 10'), z.maximum(10, 'expected a number from 1 to 10')),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  resource: z.object(
    {
      resourceType: z
        .string({ message: 'expected the resource type as a string' })
        .check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'expected a GuardDuty resource type such as AccessKey or Instance')),
      accessKeyDetails: z.optional(z.unknown()),
      instanceDetails: z.optional(z.unknown()),
    },
    { message: 'expected the resource object' },
  ),
  service: z.object(
    {
      serviceName: optionalText,
      resourceRole: optionalText,
      additionalInfo: z.optional(z.unknown()),
      eventFirstSeen: z.catch(z.optional(isoTimestamp), undefined),
      eventLastSeen: z.catch(z.optional(isoTimestamp), undefined),
      count: z.catch(z.optional(z.number().check(z.int(), z.nonnegative())), undefined),
      action: z.catch(z.optional(z.object({ actionType: optionalText, awsApiCallAction: apiCallSchema })), undefined),
    },
    { message: 'expected the service object' },
  ),
});

export type GuardDutyDetail = z.infer<typeof guardDutyDetailSchema>;
