import type { Finding } from '../../model/finding';

/** The CloudTrail command that finds the events of one attribute in the finding's account and Region. */
export function cloudTrailLookup(finding: Finding, key: string, value: string): string {
  return (
    `aws cloudtrail lookup-events --region ${finding.region} ` +
    `--lookup-attributes AttributeKey=${key},AttributeValue=${value} (in account ${finding.accountId})`
  );
}
