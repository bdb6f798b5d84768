/**
 * GuardDuty marks generated sample findings in `service.additionalInfo`: as `sample: true` in EventBridge
 * events, or as a JSON string in `additionalInfo.value` in GetFindings output. Any sign of a sample counts:
 * a false positive here only costs a write, a false negative could act on placeholder data.
 */
export function isSampleFinding(additionalInfo: unknown, title: string | undefined): boolean {
  if (title?.trimStart().toUpperCase().startsWith('[SAMPLE]')) return true;
  if (additionalInfo === null || typeof additionalInfo !== 'object') return false;
  const info = additionalInfo as Record<string, unknown>;
  if (isTruthyFlag(info.sample)) return true;
  if (typeof info.value === 'string') {
    try {
      const decoded: unknown = JSON.parse(info.value);
      return (
        decoded !== null && typeof decoded === 'object' && isTruthyFlag((decoded as Record<string, unknown>).sample)
      );
    } catch {
      return info.value.includes('"sample":true');
    }
  }
  return false;
}

function isTruthyFlag(value: unknown): boolean {
  return value === true || value === 'true' || value === 'True';
}
