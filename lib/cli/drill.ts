import { randomBytes } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import { drillFindingId, drillUserName } from '../../lambdas/findings/drill-finding';
import { incidentKeyOf } from '../../lambdas/kinds/incident-key';
import type { Ledger } from '../../lambdas/ledger/ledger';
import { createCanaries, type Canary } from './drill-canaries';
import { cleanUpCanaries } from './drill-cleanup';
import { drillRequest, injectDrill, type DrillInvoke, type Injected } from './drill-inject';
import { isContained, notifiedAtOf, readContainment, watch, type Polling } from './drill-measure';
import { releaseDrill } from './drill-release';
import { PhaseLog, type Check, type CleanedUp, type DrillReport } from './drill-report';
import { verifyContainment, verifyReleased } from './drill-verify';

export interface DrillDependencies {
  /** The person's own credentials: they create, read and delete the canaries. */
  readonly iam: IAMClient;
  /** Only with a subnet (--with-eni). */
  readonly ec2?: EC2Client;
  /** The ledger table, read only (--table): the incident's record says when the message went out. */
  readonly ledger?: Ledger;
  readonly invoke: DrillInvoke;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DrillOptions {
  /** The responder of compromised-iam-credentials (stack output ResponderFunctionName-compromised-iam-credentials). */
  readonly responderFunction: string;
  /** Stack output ReleaseFunctionName. */
  readonly releaseFunction: string;
  /** --by: a note kept beside the ARN STS returns. */
  readonly label?: string;
  /** --with-eni --subnet: a network interface canary in this subnet (created and deleted; no playbook acts on it). */
  readonly subnetId?: string;
  /** Default: <yyyymmdd>-<8 random hex digits>. */
  readonly drillId?: string;
  /** Between two reads of IAM or the ledger. Default 250 ms. */
  readonly pollMs?: number;
  /** How long after the responder answered IAM may still take to show the containment (or its release). Default 30 s. */
  readonly settleMs?: number;
}

/** A new drill's id: the UTC day and 8 random hex digits (part of the canary's name, so lower case). */
export function newDrillId(now: Date): string {
  return `${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
}

/** The ledger's id of the drill's incident, as the responder makes it (finding id and subject). */
export function drillIncidentId(drillId: string, canary: Canary): string {
  const subject = {
    kind: 'iam-user',
    userName: canary.userName,
    principalId: canary.userId ?? '',
    accessKeyId: canary.accessKeyId ?? '',
    credential: 'long-term',
  } as const;
  return `${drillFindingId(drillId)}/${incidentKeyOf(subject)}`;
}

interface Run {
  readonly drillId: string;
  readonly canary: Canary;
  readonly log: PhaseLog;
  readonly verified: Check[];
  readonly deps: DrillDependencies;
  readonly options: DrillOptions;
  readonly now: () => Date;
  readonly polling: Omit<Polling, 'giveUp'>;
  readonly settleMs: number;
  incidentId?: string;
  /** When the drill request was sent (ms since the epoch, this machine's clock). */
  injectedAt?: number;
  timeToContainMs?: number;
  timeToMessageMs?: number;
}

/**
 * The game day: create the canaries, send the responder a drill request through the authenticated path, measure the
 * time to containment effective (IAM read back) and to the message (the ledger), verify by reading state, release
 * through the release function and verify that, and delete the canaries in any case, also after a failed step. Never
 * throws for a failed phase: the report says which phase failed and why.
 */
export async function runDrill(deps: DrillDependencies, options: DrillOptions): Promise<DrillReport> {
  const now = deps.now ?? (() => new Date());
  const drillId = options.drillId ?? newDrillId(now());
  const run: Run = {
    drillId,
    canary: { userName: drillUserName(drillId) },
    log: new PhaseLog(now),
    verified: [],
    deps,
    options,
    now,
    polling: {
      now,
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      pollMs: options.pollMs ?? 250,
    },
    settleMs: options.settleMs ?? 30_000,
  };
  const startedAt = now().toISOString();
  let cleanedUp: CleanedUp[] = [];
  try {
    await exercise(run);
  } finally {
    // Whatever happened above: the canaries that carry this drill's tag are deleted, and only those.
    await run.log.run('clean up', async () => {
      cleanedUp = await cleanUpCanaries(drillId, deps);
      const left = cleanedUp.filter((item) => item.status === 'refused' || item.status === 'failed');
      const summary = `${cleanedUp.filter((item) => item.status === 'deleted').length} deleted`;
      return {
        ok: left.length === 0,
        detail: left.length === 0 ? summary : `${summary}, ${left.length} left in place`,
      };
    });
  }
  const { canary, log } = run;
  return {
    drillId,
    responderFunction: options.responderFunction,
    releaseFunction: options.releaseFunction,
    startedAt,
    canary: {
      userName: canary.userName,
      ...(canary.accessKeyId ? { accessKeyId: canary.accessKeyId } : {}),
      ...(canary.networkInterfaceId ? { networkInterfaceId: canary.networkInterfaceId } : {}),
    },
    ...(run.incidentId ? { incidentId: run.incidentId } : {}),
    ...(run.timeToContainMs !== undefined ? { timeToContainMs: run.timeToContainMs } : {}),
    ...(run.timeToMessageMs !== undefined ? { timeToMessageMs: run.timeToMessageMs } : {}),
    phases: log.phases,
    verified: run.verified,
    cleanedUp,
    ok: log.phases.every((phase) => phase.status === 'ok'),
  };
}

const LATER = ['inject', 'containment effective', 'message', 'verify', 'release', 'verify release'];

/** Every phase but the clean-up; a phase the later ones depend on stops them, each later one skipped with why. */
async function exercise(run: Run): Promise<void> {
  const { log, deps, options, drillId, canary } = run;
  const created = await log.run('create canaries', () => createCanaries(drillId, canary, deps, options.subnetId));
  if (!created.ok) return skipFrom(run, 'inject', 'the canaries were not created');
  run.incidentId = drillIncidentId(drillId, canary);
  const injected = await injectAndMeasure(run);
  if (injected.refused) return skipFrom(run, 'message', 'the responder refused the drill: nothing was contained');
  if (injected.value?.incidentId) run.incidentId = injected.value.incidentId;
  await measureMessage(run, injected.value);
  await log.run('verify', async () => {
    const checks = await verifyContainment(drillId, canary, {
      iam: deps.iam,
      incidentId: run.incidentId!,
      ...(deps.ledger ? { ledger: deps.ledger } : {}),
      ...(injected.value?.outcome ? { outcome: injected.value.outcome } : {}),
    });
    run.verified.push(...checks);
    return {
      ok: checks.every((check) => check.ok),
      detail: `${checks.filter((check) => check.ok).length} of ${checks.length} as expected`,
    };
  });
  const released = await log.run('release', () =>
    releaseDrill(deps.invoke, options.releaseFunction, run.incidentId!, options.label),
  );
  if (!released.ok && released.detail.startsWith('not released'))
    return skipFrom(run, 'verify release', 'not released');
  await log.run('verify release', async () => {
    await watch(
      () => readContainment(deps.iam, canary),
      (state) => !isContained(state) && state.keyStatus === 'Active',
      {
        ...run.polling,
        giveUp: deadline(run.now, run.settleMs),
      },
    );
    const checks = await verifyReleased(canary, deps.iam);
    run.verified.push(...checks);
    return {
      ok: checks.every((check) => check.ok),
      detail: `${checks.filter((check) => check.ok).length} of ${checks.length} as expected`,
    };
  });
}

/** The drill request, and IAM read meanwhile until the containment shows (or the responder refused, or time ran out). */
async function injectAndMeasure(run: Run): Promise<{ readonly refused: boolean; readonly value?: Injected }> {
  const { log, deps, options, canary, now } = run;
  const injectedAt = now().getTime();
  run.injectedAt = injectedAt;
  let answered: { readonly at: number; readonly refused: boolean } | undefined;
  const request = drillRequest(run.drillId, canary, options.label);
  const injecting = log
    .run('inject', () => injectDrill(deps.invoke, options.responderFunction, request))
    .then((result) => {
      answered = { at: now().getTime(), refused: result.value?.refused === true };
      return result;
    });
  const watching = watch(() => readContainment(deps.iam, canary), isContained, {
    ...run.polling,
    giveUp: () => answered !== undefined && (answered.refused || now().getTime() - answered.at > run.settleMs),
  });
  const [injected, effective] = await Promise.all([injecting, watching]);
  if (effective.at) run.timeToContainMs = effective.at.getTime() - injectedAt;
  const last = effective.last;
  log.record(
    'containment effective',
    effective.at !== undefined,
    run.timeToContainMs ?? now().getTime() - injectedAt,
    effective.at
      ? `key Inactive and sessions denied, read from IAM ${run.timeToContainMs} ms after the drill request (${effective.polls} reads)`
      : `not seen in ${effective.polls} reads: key ${last?.keyStatus ?? 'unknown'}, sessions ${last?.sessionsDenied ? 'denied' : 'not denied'}` +
          (effective.lastError ? `; last error ${effective.lastError}` : ''),
  );
  return { refused: answered?.refused === true, ...(injected.value ? { value: injected.value } : {}) };
}

/** When the message went out, from the ledger's record (or, without --table, from the responder's answer). */
async function measureMessage(run: Run, injected: Injected | undefined): Promise<void> {
  const { log, deps } = run;
  const startedAt = run.now().getTime();
  let notifiedAt = injected?.notifiedAt;
  let from = "the responder's answer (no --table: the ledger was not read)";
  if (deps.ledger) {
    const read = await watch(
      () => notifiedAtOf(deps.ledger!, run.incidentId!),
      (at) => at !== undefined,
      {
        ...run.polling,
        giveUp: deadline(run.now, run.settleMs),
      },
    );
    notifiedAt = read.last;
    from = `the ledger's record of incident ${run.incidentId}${read.lastError ? ` (last error ${read.lastError})` : ''}`;
  }
  if (notifiedAt === undefined) {
    log.record('message', false, run.now().getTime() - startedAt, `no message recorded as sent in ${from}`);
    return;
  }
  run.timeToMessageMs = Date.parse(notifiedAt) - run.injectedAt!;
  log.record('message', true, run.timeToMessageMs, `sent at ${notifiedAt}, says ${from}`);
}

function deadline(now: () => Date, ms: number): () => boolean {
  const end = now().getTime() + ms;
  return () => now().getTime() > end;
}

function skipFrom(run: Run, first: string, reason: string): void {
  for (const name of LATER.slice(LATER.indexOf(first))) run.log.skip(name, reason);
}
