import * as z from 'zod/mini';
import type { AppliedStep, Ledger } from '../../lambdas/ledger/ledger';
import type { Action, Plan, Target } from '../../lambdas/model/action';
import type { PreparedStep } from '../../lambdas/pipeline/journal';
import { assumeResource } from '../../lambdas/kinds/resolve-resource';
import { loadFinding } from '../support/fixtures';

/** The write of a fake action: which key it sets to which value. */
export interface FakeWrite {
  readonly key: string;
  readonly value: string;
}

/** What a fake step did, in order, across every fake of one test: `describe a`, `apply a`, `recordIntent 0#a`, ... */
export type CallLog = string[];

export interface FakeActionSpec {
  /** The state `describe` reads (and `assume` assumes); a function to fail or vary it. */
  readonly state?: () => unknown;
  /** The plan for the state; default: a write of `{ key: id, value: 'contained' }` replacing `{ value: state }`. */
  readonly plan?: (state: unknown) => Plan<FakeWrite>;
  readonly apply?: (write: FakeWrite) => Promise<void>;
  readonly containment?: boolean;
}

/** An action with no AWS behind it: every call goes to `log`. */
export function fakeAction(id: string, log: CallLog, spec: FakeActionSpec = {}): Action<unknown, unknown, FakeWrite> {
  const state = spec.state ?? (() => 'open');
  return {
    id,
    title: `Fake ${id}`,
    containment: spec.containment ?? true,
    appliesTo: () => true,
    permissions: [],
    params: z.unknown(),
    describe: () => {
      log.push(`describe ${id}`);
      return Promise.resolve().then(state);
    },
    assume: () => state(),
    plan: (_target: Target, current: unknown) =>
      spec.plan
        ? spec.plan(current)
        : {
            kind: 'write',
            summary: `Set ${id}`,
            write: { key: id, value: 'contained' },
            replaced: { value: current },
            release: [`undo ${id}`],
          },
    apply: async (write: FakeWrite) => {
      log.push(`apply ${write.key}`);
      await spec.apply?.(write);
    },
    verify: (write: FakeWrite) => {
      log.push(`verify ${write.key}`);
      return Promise.resolve({ confirmed: true, detail: `${write.key} is ${write.value}` });
    },
  };
}

export function prepared(
  actions: readonly Action<unknown, unknown, FakeWrite>[],
  after: string[][] = [],
): PreparedStep[] {
  return actions.map((action, index) => ({ index, action, params: {}, after: after[index] ?? [] }));
}

export function fakeTarget(): Target {
  const finding = loadFinding('guardduty/iam-user-long-term-key');
  return { finding, resource: assumeResource(finding) };
}

type Answer = () => Promise<void>;

/**
 * A ledger that only the journal's calls reach: each is logged (`recordIntent 0#a`) and answered by `answers`
 * (default: resolves). Any other call fails the test.
 */
export function journalLedger(log: CallLog, answers: Partial<Record<JournalCall, Answer[]>> = {}) {
  const steps: { call: JournalCall; step: AppliedStep }[] = [];
  const answer = (call: JournalCall, step: AppliedStep) => {
    log.push(`${call} ${step.index}#${step.action}`);
    steps.push({ call, step });
    return answers[call]?.shift()?.() ?? Promise.resolve();
  };
  const unused = (name: string) => () => Promise.reject(new Error(`the journal does not call ${name}`));
  const ledger: Ledger = {
    recordIntent: (_incident, step) => answer('recordIntent', step),
    recordApplied: (_incident, step) => answer('recordApplied', step),
    presignApplied: (_incident, step) => answer('presignApplied', step),
    leaseIncident: unused('leaseIncident'),
    endLease: unused('endLease'),
    clearPlanned: unused('clearPlanned'),
    putIncident: unused('putIncident'),
    getIncident: unused('getIncident'),
    readIncident: unused('readIncident'),
    markReleased: unused('markReleased'),
    takeBreakerSlot: unused('takeBreakerSlot'),
    giveBackBreakerSlot: unused('giveBackBreakerSlot'),
    pageBreaker: unused('pageBreaker'),
    breakerState: unused('breakerState'),
    closeBreaker: unused('closeBreaker'),
    linkConfigIncident: unused('linkConfigIncident'),
    markResourceIncident: unused('markResourceIncident'),
    latestConfigIncident: unused('latestConfigIncident'),
    acknowledgeIncident: unused('acknowledgeIncident'),
  };
  return { ledger, steps };
}

export type JournalCall = 'recordIntent' | 'recordApplied' | 'presignApplied';

export const PLAN_TIME = new Date('2026-11-21T08:00:00.000Z');
export const INCIDENT = 'finding-1/user/alice/AKIAEXAMPLE';

/** A step record as the ledger keeps it. */
export function entry(index: number, action: string, extra: Partial<AppliedStep> = {}): AppliedStep {
  return {
    index,
    action,
    summary: `Set ${action}`,
    write: { key: action, value: 'contained' },
    replaced: { value: 'open' },
    appliedAt: PLAN_TIME.toISOString(),
    ...extra,
  };
}

export const rejects =
  (message: string): Answer =>
  () =>
    Promise.reject(new Error(message));
