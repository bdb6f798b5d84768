import { describeIssues, showValue } from '../common/describe-issues';
import { configFromAsff } from './asff-config';
import { guardDutyFromAsff, type AsffResult } from './asff-guardduty';
import { FindingRejectedError } from './finding-rejected-error';
import { envelopeSchema } from './guardduty-event-schema';
import { asffFindingSchema, securityHubDetailSchema } from './securityhub-event-schema';
import { authenticateProduct } from './securityhub-product';

export const SECURITY_HUB_SOURCE = 'aws.securityhub';
export const FINDINGS_IMPORTED = 'Security Hub Findings - Imported';
export const CUSTOM_ACTION = 'Security Hub Findings - Custom Action';

export interface SecurityHubFindingResult {
  /** The finding's position in `detail.findings`, and its ASFF Id when it has one, for the logs. */
  readonly index: number;
  readonly asffId?: string;
  readonly result: AsffResult;
}

export type SecurityHubEvent =
  | { readonly kind: 'imported'; readonly findings: readonly SecurityHubFindingResult[] }
  | {
      readonly kind: 'custom-action';
      readonly actionTargetArn: string;
      readonly findings: readonly SecurityHubFindingResult[];
    }
  | { readonly kind: 'ignored'; readonly reason: string };

export function isSecurityHubEvent(event: unknown): boolean {
  return event !== null && typeof event === 'object' && (event as { source?: unknown }).source === SECURITY_HUB_SOURCE;
}

/**
 * Reads a Security Hub event: each of its findings (EventBridge sends up to 100 in one event) ends as a finding,
 * ignored with a reason (not GuardDuty's or Config's, already triaged, archived, not trusted), or rejected with the
 * fields that are wrong. None is dropped. A finding imported by anyone but GuardDuty or Config is ignored before
 * its shape is even read: it never reaches a playbook and cannot make Firebreak send a message.
 */
export function parseSecurityHubEvent(event: unknown): SecurityHubEvent {
  const envelope = envelopeSchema.safeParse(event);
  if (!envelope.success) throw new FindingRejectedError(describeIssues(envelope.error, event));
  const detailType = envelope.data['detail-type'];
  if (envelope.data.source !== SECURITY_HUB_SOURCE)
    throw new FindingRejectedError([
      `source: expected ${showValue(SECURITY_HUB_SOURCE)}, got ${showValue(envelope.data.source)}`,
    ]);
  if (detailType !== FINDINGS_IMPORTED && detailType !== CUSTOM_ACTION) {
    return {
      kind: 'ignored',
      reason: `a ${SECURITY_HUB_SOURCE} event of detail-type ${showValue(detailType)} is neither imported findings nor a custom action`,
    };
  }
  const detail = securityHubDetailSchema.safeParse(envelope.data.detail);
  if (!detail.success) throw new FindingRejectedError(describeIssues(detail.error, envelope.data.detail, 'detail'));
  const eventId = envelope.data.id ?? '(none)';
  const customAction = detailType === CUSTOM_ACTION;
  const findings = detail.data.findings.map((raw, index) => ({
    index,
    ...asffIdOf(raw),
    result: readFinding(raw, index, eventId, customAction),
  }));
  if (!customAction) return { kind: 'imported', findings };
  const resources = (event as { resources?: unknown }).resources;
  const target =
    Array.isArray(resources) && resources.length === 1 && typeof resources[0] === 'string' ? resources[0] : undefined;
  if (!target || !/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:action\/custom\/[A-Za-z0-9]{1,20}$/.test(target)) {
    throw new FindingRejectedError([
      `resources: expected the one custom action ARN (arn:<partition>:securityhub:<region>:<account>:action/custom/<id>), got ${showValue(resources)}`,
    ]);
  }
  return { kind: 'custom-action', actionTargetArn: target, findings };
}

function readFinding(raw: unknown, index: number, eventId: string, customAction: boolean): AsffResult {
  const where = `detail.findings[${index}]`;
  const productArn = raw !== null && typeof raw === 'object' ? (raw as { ProductArn?: unknown }).ProductArn : undefined;
  if (typeof productArn !== 'string')
    return {
      kind: 'ignored',
      reason: `${where}.ProductArn is ${showValue(productArn)}: the product cannot be authenticated`,
    };
  const parsed = asffFindingSchema.safeParse(raw);
  const named = parsed.success ? parsed.data : { ProductArn: productArn, ProductFields: {} };
  const check = authenticateProduct(named);
  if (check.kind === 'untrusted') return { kind: 'ignored', reason: `${where}: ${check.reason}` };
  if (!parsed.success) return { kind: 'rejected', problems: describeIssues(parsed.error, raw, where) };
  const asff = parsed.data;
  if (asff.RecordState === 'ARCHIVED')
    return { kind: 'ignored', reason: `${where} is archived (RecordState ARCHIVED)` };
  // Firebreak's own update (NOTIFIED) makes Security Hub send the finding again: only untriaged findings act, so
  // that update cannot start another run. A person choosing the custom action acts on the finding as it is.
  const workflow = asff.Workflow?.Status ?? 'NEW';
  if (!customAction && workflow !== 'NEW')
    return {
      kind: 'ignored',
      reason: `${where} has workflow status ${showValue(workflow)}: already triaged, only NEW findings start a playbook`,
    };
  const result =
    check.product.product === 'guardduty'
      ? guardDutyFromAsff(asff, check.product, eventId, raw)
      : configFromAsff(asff, check.product, eventId, raw);
  return result.kind === 'rejected'
    ? { kind: 'rejected', problems: result.problems.map((problem) => `${where}.${problem}`) }
    : result;
}

function asffIdOf(raw: unknown): { asffId?: string } {
  const id = raw !== null && typeof raw === 'object' ? (raw as { Id?: unknown }).Id : undefined;
  return typeof id === 'string' ? { asffId: id.slice(0, 512) } : {};
}
