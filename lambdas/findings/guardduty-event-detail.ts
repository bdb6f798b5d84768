import { Finding$, type Finding as SdkFinding } from '@aws-sdk/client-guardduty';
import { NormalizedSchema } from '@smithy/core/schema';

/**
 * A finding as guardduty:GetFindings returned it through the SDK (PascalCase members: `AccessKeyDetails`,
 * `IpAddressV4`), written back in the JSON names GuardDuty uses on the wire and in an EventBridge event's `detail`
 * (`accessKeyDetails`, `ipAddressV4`), so that Firebreak's own parser reads it.
 *
 * The names come from the SDK's schema of the Finding shape, not from a rule about letter case: the schema gives each
 * member's JSON name, including those that are not the member name with a small first letter (`ProductCode.Code` is
 * `productCodeId`, `KubernetesApiCallAction.SourceIps` is `sourceIPs`, `NetworkGeoLocation.Latitude` is `lat`), and
 * says which members are maps, whose keys are data and are kept as they are (`AffectedResources` keys such as
 * `AWS::S3::Bucket`). Lists of tags are lists of `{ Key, Value }` structures: their names change, their values never.
 * Timestamps the SDK turned into Dates are written as ISO-8601 strings. A member the schema does not know cannot have
 * come from the SDK's deserializer and is left out.
 */
export function eventDetailOf(finding: SdkFinding): Record<string, unknown> {
  const detail = toWire(NormalizedSchema.of(Finding$), finding);
  return isPlainObject(detail) ? detail : {};
}

function toWire(schema: NormalizedSchema, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (schema.isStructSchema()) {
    if (!isPlainObject(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, member] of schema.structIterator()) {
      if (!Object.prototype.hasOwnProperty.call(value, name)) continue;
      const converted = toWire(member, value[name]);
      if (converted !== undefined) out[jsonNameOf(name, member)] = converted;
    }
    return out;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) return undefined;
    const items = schema.getValueSchema();
    return value.map((item) => toWire(items, item));
  }
  if (schema.isMapSchema()) {
    if (!isPlainObject(value)) return undefined;
    const values = schema.getValueSchema();
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(values, item)]));
  }
  return value;
}

/** restJson1: the member's `jsonName` trait, else the member name itself. */
function jsonNameOf(memberName: string, member: NormalizedSchema): string {
  const jsonName = member.getMergedTraits().jsonName;
  return typeof jsonName === 'string' && jsonName !== '' ? jsonName : memberName;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
