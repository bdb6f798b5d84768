import type { Finding } from '../model/finding';

const MAX_VALUE_CHARS = 240;
const MAX_DIFFERENCES = 40;
// Values are attacker-influenced: control, bidi and zero-width characters are written as escapes, never as themselves.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * The fields the engine acts on, flattened to one value per name: what it writes to (the subject, the account and
 * Region, the partition it builds ARNs with), what decides whether it acts (type, sample, the Config rule and
 * evaluation) and what it records and updates (the finding id and ARN, the Security Hub finding it updates).
 * Severity, title, times, counts and activity are not compared: GuardDuty updates them, and AWS's version is used.
 */
export function actedOnFields(finding: Finding): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    id: finding.id,
    source: finding.source,
    type: finding.type,
    accountId: finding.accountId,
    region: finding.region,
    partition: finding.partition,
    arn: finding.arn,
    sample: finding.sample,
    resourceType: finding.resourceType,
  };
  for (const [key, value] of Object.entries(finding.subject)) fields[`subject.${key}`] = value;
  if (finding.config) {
    const { ruleName, ruleArn, compliance, resourceType, resourceId } = finding.config;
    Object.assign(fields, {
      'config.ruleName': ruleName,
      'config.ruleArn': ruleArn,
      'config.compliance': compliance,
      'config.resourceType': resourceType,
      'config.resourceId': resourceId,
    });
  }
  return fields;
}

/** Each field whose values differ, as `<field>: the payload says <value>, AWS says <value>`. */
export function differencesOf(payload: Record<string, unknown>, aws: Record<string, unknown>): string[] {
  const names = [...new Set([...Object.keys(payload), ...Object.keys(aws)])];
  const differences = names
    .filter((name) => payload[name] !== aws[name])
    .map((name) => `${name}: the payload says ${shownValue(payload[name])}, AWS says ${shownValue(aws[name])}`);
  return differences.length > MAX_DIFFERENCES
    ? [...differences.slice(0, MAX_DIFFERENCES), `and ${differences.length - MAX_DIFFERENCES} more`]
    : differences;
}

/**
 * One value for a message: JSON, unsafe characters escaped, at most 80 characters. A longer value keeps its start and
 * its end, where ARNs and ids differ (two findings' ARNs share their first 80 characters).
 */
export function shownValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const safe = text.replace(UNSAFE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const characters = Array.from(safe);
  if (characters.length <= MAX_VALUE_CHARS) return safe;
  const half = MAX_VALUE_CHARS / 2;
  return `${characters.slice(0, half).join('')}…${characters.slice(-half).join('')} (${characters.length} characters)`;
}

/** Free text for a reason (AWS's error messages, the parser's problems): one line, unsafe characters as spaces, capped. */
export function oneLineText(text: string, max = 600): string {
  const flat = text
    .replace(UNSAFE, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  const characters = Array.from(flat);
  return characters.length > max ? `${characters.slice(0, max - 1).join('')}…` : flat;
}
