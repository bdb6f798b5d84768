import { configEvaluationKey } from '../ledger/incident-id';
import type { IncidentSummary, Ledger } from '../ledger/ledger';
import type { Finding } from '../model/finding';
import { describeSubject } from '../kinds/describe-subject';
import type { Outcome } from '../model/outcome';

const DAY_MS = 86_400_000;
const RECURRENCE_WINDOW_MS = 30 * DAY_MS;

export interface RecordContext {
  readonly ledger: Ledger | undefined;
  readonly playbook: string;
  readonly retentionDays: number;
  readonly now: () => Date;
  /** Where a failed write is reported: it never stops the message or the other writes. */
  readonly problems: string[];
}

/** The record phase: the incident's ledger row beside the message, then whether a person was told. */
export interface IncidentRecord {
  /** The incident as handled, written while the message goes out. */
  written(): Promise<void>;
  /** Told (notifiedAt), or not told (notifyFailedAt): the next delivery then sends the whole story. */
  told(fields: { readonly notifiedAt?: string; readonly notifyFailedAt?: string }): Promise<void>;
  /** The Config evaluation linked to its incident: a later COMPLIANT evaluation finds it to report it resolved. */
  linkConfig(finding: Finding): Promise<void>;
}

/** Undefined when the outcome writes no incident: no ledger, skipped, a duplicate, or refused at its source. */
export function incidentRecord(outcome: Outcome, context: RecordContext): IncidentRecord | undefined {
  const { ledger, problems } = context;
  // A payload its source does not confirm never writes the incident's record: it may name a real incident.
  const refusedAtSource = outcome.steps.some((step) => step.action === 'confirm-finding');
  const incidentId = outcome.incidentId;
  if (!ledger || !incidentId || outcome.status === 'skipped' || outcome.status === 'duplicate' || refusedAtSource)
    return undefined;
  const expiresAt = new Date(context.now().getTime() + context.retentionDays * DAY_MS);
  const put = (fields: { notifiedAt?: string; notifyFailedAt?: string }) =>
    ledger
      .putIncident(incidentSummary(outcome, context.playbook, fields), expiresAt)
      .catch((error: unknown) =>
        problems.push(`the incident was not recorded in the ledger: ${(error as Error).message}`),
      );
  return {
    written: async () => void (await put({})),
    told: async (fields) => void (await put(fields)),
    linkConfig: async (finding) =>
      void (await ledger
        .linkConfigIncident(configEvaluationKey(finding), incidentId, expiresAt)
        .catch((error: unknown) =>
          problems.push(`the Config evaluation was not linked to its incident: ${(error as Error).message}`),
        )),
  };
}

/** What the ledger records is the finding as its source returned it, when it was re-read. */
function incidentSummary(
  outcome: Outcome,
  playbook: string,
  fields: { notifiedAt?: string; notifyFailedAt?: string },
): IncidentSummary {
  const source = outcome.finding;
  return {
    incidentId: outcome.incidentId!,
    findingId: source.id,
    findingType: source.type,
    playbook,
    accountId: source.accountId,
    region: source.region,
    subject: describeSubject(source.subject),
    status: outcome.status,
    receivedAt: outcome.timings.receivedAt,
    ...(outcome.resourceArn ? { resourceArn: outcome.resourceArn } : {}),
    ...(source.firstSeen ? { firstSeen: source.firstSeen } : {}),
    ...(source.lastSeen ? { lastSeen: source.lastSeen } : {}),
    ...(outcome.timings.containedAt ? { containedAt: outcome.timings.containedAt } : {}),
    ...fields,
  };
}

export type Recurrence = Pick<Outcome, 'recurrence' | 'recurrenceChecked'>;

/**
 * Recurrence (same resource, another incident within 30 days), checked once per incident beside the message:
 * undefined when not checked (no ledger, not a first delivery) or when the check failed (`onError`).
 */
export function checkRecurrence(
  outcome: Outcome,
  context: Omit<RecordContext, 'problems' | 'playbook'>,
  onError: (error: Error) => void,
): Promise<Recurrence | undefined> | undefined {
  if (!context.ledger || !isFirstDelivery(outcome)) return undefined;
  return recurrenceOf(outcome, context.ledger, context.now(), context.retentionDays).catch((error: unknown) => {
    onError(error as Error);
    return undefined;
  });
}

function isFirstDelivery(outcome: Outcome): boolean {
  return (
    outcome.incidentId !== undefined &&
    outcome.resourceArn !== undefined &&
    outcome.previousStatus === undefined &&
    outcome.status !== 'skipped' &&
    outcome.status !== 'duplicate'
  );
}

/** Marks the resource's latest incident; a different incident of the same resource within 30 days is a recurrence. */
async function recurrenceOf(outcome: Outcome, ledger: Ledger, now: Date, retentionDays: number): Promise<Recurrence> {
  const previous = await ledger.markResourceIncident(
    outcome.resourceArn!,
    outcome.incidentId!,
    now,
    new Date(now.getTime() + retentionDays * DAY_MS),
  );
  const recent =
    previous &&
    previous.incidentId !== outcome.incidentId &&
    now.getTime() - Date.parse(previous.at) <= RECURRENCE_WINDOW_MS;
  return {
    recurrenceChecked: true,
    ...(recent ? { recurrence: { previousIncidentId: previous.incidentId, previousAt: previous.at } } : {}),
  };
}

/** Only after the record and the message may a concurrent delivery take the incident: it then finds this status. */
export async function endIncidentLease(outcome: Outcome, ledger: Ledger | undefined, now: () => Date): Promise<void> {
  if (ledger && outcome.incidentId && outcome.leaseOwner)
    await ledger.endLease(outcome.incidentId, outcome.leaseOwner, now()).catch(() => undefined);
}
