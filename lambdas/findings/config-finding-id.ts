import { createHash } from 'node:crypto';

/**
 * One incident per rule, resource and evaluation. The same evaluation arrives natively (`resultRecordedTime`) and
 * through Security Hub (`UpdatedAt`, which Security Hub takes from `resultRecordedTime`): the time is written in
 * one canonical form so that both give the same id.
 */
export function configFindingId(rule: string, resourceType: string, resourceId: string, recordedAt: string): string {
  const time = Number.isNaN(Date.parse(recordedAt)) ? recordedAt : new Date(recordedAt).toISOString();
  return `config-${createHash('sha256').update(`${rule}|${resourceType}|${resourceId}|${time}`).digest('hex').slice(0, 32)}`;
}
