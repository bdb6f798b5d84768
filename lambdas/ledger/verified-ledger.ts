import type { AppliedStep, Incident, IncidentRecord, Ledger } from './ledger';
import { canonicalJson, type RecordMac } from './record-mac';

/** The record's name in the table, for messages: `STEP#001#iam-deactivate-access-key of incident <id>`. */
export function recordName(incidentId: string, step: Pick<AppliedStep, 'index' | 'action'>): string {
  return `STEP#${String(step.index).padStart(3, '0')}#${step.action} of incident ${incidentId}`;
}

/**
 * What a step record's MAC covers: everything release or a later delivery acts on (the write, the state it replaced,
 * whether it was confirmed, whether and when it was released) and where it belongs (incident, index, action), so a
 * valid record cannot be moved to another incident or step, an intent cannot be turned into a confirmed write, and
 * a release cannot be cleared (which would make a delivery skip the step as applied, or release undo it twice).
 * What a MAC cannot tell is an old genuine record put back whole (a replay): see docs/security.md.
 */
export function stepContent(incidentId: string, step: AppliedStep): string {
  // Through JSON first: the content must be the same before the write and after the table's JSON round trip.
  const json = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as unknown;
  return canonicalJson({
    record: 'firebreak.step/1',
    incidentId,
    index: step.index,
    action: step.action,
    state: step.releasedAt ? 'released' : step.unconfirmed ? 'intent' : 'applied',
    ...(step.releasedAt ? { releasedAt: step.releasedAt } : {}),
    summary: step.summary,
    write: json(step.write),
    replaced: json(step.replaced),
    appliedAt: step.appliedAt,
  });
}

/** What a release marker's MAC covers: the incident, when and by whom it was released, and the exemption it grants. */
export function releaseContent(incidentId: string, marker: ReleaseMarker): string {
  return canonicalJson({ record: 'firebreak.release/2', ...marker, incidentId });
}

/**
 * A release marker, with what the incident was when it was released (account, Region, subject, resource): an
 * exemption is honoured only for a finding of that same resource, so a link rewritten to point at another
 * incident's genuine release exempts nothing.
 */
export interface ReleaseMarker {
  readonly releasedAt: string;
  readonly releasedBy: string;
  readonly exemptUntil: string;
  readonly accountId: string;
  readonly region: string;
  readonly subject: string;
  readonly resourceArn?: string;
}

function markerOf(incident: Incident, releasedAt: string, releasedBy: string, exemptUntil: string): ReleaseMarker {
  return {
    releasedAt,
    releasedBy,
    exemptUntil,
    accountId: incident.accountId,
    region: incident.region,
    subject: incident.subject,
    ...(incident.resourceArn ? { resourceArn: incident.resourceArn } : {}),
  };
}

function unsigned(step: AppliedStep): AppliedStep {
  const { mac: _mac, integrity: _integrity, ...rest } = step;
  return rest;
}

/**
 * A ledger whose step records carry a MAC made with the ledger's KMS HMAC key: every intent and confirmation is
 * signed before it is written, and every record read is checked, so the engine and release can tell a record
 * Firebreak wrote from one someone else wrote or changed (`integrity`). Tentative intents (planned on a lease, never
 * confirmed as Firebreak's) are not signed: nothing acts on them as Firebreak's write. Every other call goes to
 * `inner` unchanged.
 */
export function withRecordMacs(inner: Ledger, mac: RecordMac): Ledger {
  const checked = async (incidentId: string, step: AppliedStep): Promise<AppliedStep> => {
    if (step.tentative) return step;
    if (!step.mac) return { ...step, integrity: 'missing' };
    return { ...step, integrity: (await mac.verify(stepContent(incidentId, step), step.mac)) ? 'verified' : 'failed' };
  };
  const checkedRelease = async (incident: Incident): Promise<Incident> => {
    const { releasedAt, releasedBy, exemptUntil, releaseMac } = incident;
    if (!releasedAt && !releasedBy && !exemptUntil) return incident;
    if (!releaseMac || !releasedAt || !releasedBy || !exemptUntil) return { ...incident, releaseIntegrity: 'missing' };
    return {
      ...incident,
      releaseIntegrity: (await mac.verify(
        releaseContent(incident.incidentId, markerOf(incident, releasedAt, releasedBy, exemptUntil)),
        releaseMac,
      ))
        ? 'verified'
        : 'failed',
    };
  };
  const readIncident = async (incidentId: string): Promise<IncidentRecord> => {
    const record = await inner.readIncident(incidentId);
    const [steps, incident] = await Promise.all([
      Promise.all(record.steps.map((step) => checked(incidentId, step))),
      record.incident ? checkedRelease(record.incident) : undefined,
    ]);
    return { incident: incident ? { ...incident, steps } : undefined, steps };
  };
  // MACs started before the record is written (presignApplied), by content: a confirmation whose content is the one
  // presigned costs no KMS round trip of its own. Bounded, as a write that fails leaves its entry unused.
  const presigned = new Map<string, Promise<string>>();
  const signOnce = (content: string): Promise<string> => {
    const early = presigned.get(content);
    presigned.delete(content);
    return early ? early.catch(() => mac.sign(content)) : mac.sign(content);
  };
  const appliedOf = (step: AppliedStep): AppliedStep => {
    const { unconfirmed: _unconfirmed, tentative: _tentative, plannedBy: _plannedBy, ...applied } = unsigned(step);
    return applied;
  };
  const overrides: Partial<Ledger> = {
    presignApplied(incidentId, step) {
      if (presigned.size >= 100) presigned.clear();
      const content = stepContent(incidentId, appliedOf(step));
      const signing = mac.sign(content);
      signing.catch(() => undefined);
      presigned.set(content, signing);
      return signing.then(() => undefined);
    },
    async recordIntent(incidentId, step, owner) {
      const intent: AppliedStep = { ...unsigned(step), unconfirmed: true };
      const signed = step.tentative
        ? unsigned(step)
        : { ...unsigned(step), mac: await mac.sign(stepContent(incidentId, intent)) };
      await inner.recordIntent(incidentId, signed, owner);
    },
    async recordApplied(incidentId, step, owner) {
      const applied = appliedOf(step);
      await inner.recordApplied(
        incidentId,
        { ...applied, mac: await signOnce(stepContent(incidentId, applied)) },
        owner,
      );
    },
    readIncident,
    getIncident: async (incidentId: string): Promise<Incident | undefined> => (await readIncident(incidentId)).incident,
    async markReleased(incidentId, releasedBy, releasedAt, exemptUntil, released) {
      const at = releasedAt.toISOString();
      const incident = (await inner.readIncident(incidentId)).incident;
      if (!incident) throw new Error(`No incident ${incidentId} in the ledger: nothing to mark released`);
      const [steps, marker] = await Promise.all([
        // Each step re-signed as released, at this time.
        Promise.all(
          released.map(async (step) => ({
            ...unsigned(step),
            mac: await mac.sign(stepContent(incidentId, { ...appliedOf(step), releasedAt: at })),
          })),
        ),
        mac.sign(releaseContent(incidentId, markerOf(incident, at, releasedBy, exemptUntil.toISOString()))),
      ]);
      await inner.markReleased(incidentId, releasedBy, releasedAt, exemptUntil, steps, marker);
    },
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof Ledger];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
