import type { Confirmation } from '../findings/confirmation';
import { followUpSteps } from '../kinds/manual-steps';
import type { Finding } from '../model/finding';
import type { OutcomeStatus, StepOutcome } from '../model/outcome';
import type { OutcomeParts } from './assemble-outcome';
import { gateFinding } from './gate';
import type { ResponderSettings } from './responder-settings';
import type { Settled } from './settle';

/** Why a finding gets no enforcing write after its source was re-read; undefined when AWS's version may be acted on. */
export interface SourceRefusal {
  readonly status: OutcomeStatus;
  readonly reason: string;
  readonly steps: readonly StepOutcome[];
}

const WHO_INVOKED =
  'Lambda does not tell a function who invoked it: the invoker is in CloudTrail, as a lambda:Invoke data event on ' +
  'this function (enable Lambda data events to see it); an EventBridge delivery never disagrees with its source';

/**
 * A Lambda payload can be forged by anyone allowed lambda:InvokeFunction, and a function cannot tell an EventBridge
 * delivery from a direct invocation, so every enforcing run acts only on the finding as its source returns it: a
 * finding AWS does not have, or that differs in a field Firebreak acts on, gets no write and an urgent message; one
 * that cannot be read gets no write (fail closed). AWS's version goes through the gate again (its severity or
 * sample flag may differ).
 */
export function sourceRefusal(confirmation: Confirmation, settings: ResponderSettings): SourceRefusal | undefined {
  switch (confirmation.kind) {
    case 'not-applicable':
      return undefined;
    case 'confirmed': {
      const gated = gateFinding(confirmation.finding, settings);
      return gated
        ? { status: 'skipped', reason: `as ${confirmation.readFrom} returns it: ${gated}`, steps: [] }
        : undefined;
    }
    case 'archived':
      return {
        status: 'skipped',
        reason: `${confirmation.reason} (${confirmation.readFrom}): a person or a suppression rule closed it, so Firebreak does not act on it`,
        steps: [],
      };
    case 'mismatch':
    case 'not-found':
      return refused(
        `The finding in this event is not the one its source holds (${confirmation.readFrom}): ` +
          `${confirmation.kind === 'mismatch' ? confirmation.differences.join('; ') : confirmation.reason}. ` +
          `Nothing was written. A forged invocation? ${WHO_INVOKED}`,
        'FindingNotConfirmedError',
      );
    case 'unreadable':
      return refused(
        `The finding could not be re-read from its source (${confirmation.readFrom}): ${confirmation.reason}. ` +
          'Nothing was written: Firebreak acts only on what AWS returns',
        confirmation.error.name,
      );
  }
}

function refused(message: string, errorName: string): SourceRefusal {
  const step: StepOutcome = {
    action: 'confirm-finding',
    title: 'Re-read the finding from its source',
    containment: true,
    status: 'failed',
    summary: message,
    error: { name: errorName, message },
    durationMs: 0,
  };
  return { status: 'not-contained', reason: message, steps: [step] };
}

/** The finding the run reports on and acts on: AWS's version once confirmed, the payload's otherwise. */
export function actedOnFinding(payload: Finding, confirmation: Confirmation | undefined): Finding {
  return confirmation && (confirmation.kind === 'confirmed' || confirmation.kind === 'archived')
    ? confirmation.finding
    : payload;
}

/** The source's answer as a confirmation: a re-read that failed is `unreadable` (the run then writes nothing). */
export function confirmationOf(read: Settled<Confirmation> | undefined): Confirmation | undefined {
  if (!read) return undefined;
  if (read.ok) return read.value;
  return {
    kind: 'unreadable',
    error: read.error instanceof Error ? read.error : new Error(String(read.error)),
    readFrom: 'the finding source',
    reason: String(read.error),
  };
}

/** `sourceRefusal` as the run's outcome: a finding that could not be confirmed also gets its manual steps. */
export function refuseUnconfirmed(
  confirmation: Confirmation | undefined,
  payload: Finding,
  settings: ResponderSettings,
): OutcomeParts | undefined {
  const refusal = confirmation ? sourceRefusal(confirmation, settings) : undefined;
  if (!refusal) return undefined;
  return { ...refusal, ...(refusal.status === 'not-contained' ? { manualSteps: followUpSteps(payload) } : {}) };
}
