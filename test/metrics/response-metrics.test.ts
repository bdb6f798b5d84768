import { Metrics } from '@aws-lambda-powertools/metrics';
import { PublishCommand } from '@aws-sdk/client-sns';
import { ContainmentIncompleteError, handleEvent, type Log } from '../../lambdas/pipeline/handle-event';
import { FindingRejectedError } from '../../lambdas/findings/finding-rejected-error';
import { withResponseMetrics } from '../../lambdas/metrics/response-metrics';
import { accessDenied } from '../support/aws-errors';
import { FakeIam } from '../support/fake-iam';
import { loadEvent } from '../support/fixtures';
import { FIXED_NOW, HOME_ACCOUNT, responderSettings, testClients } from '../support/settings';

const PLAYBOOK = 'compromised-iam-credentials';
const quiet: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Emf {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/** Runs one invocation through the real Powertools Metrics and returns the EMF documents it wrote to stdout. */
async function invoke(
  event: unknown,
  iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
    id: 'AIDAJQABLZS4A3QDU576Q',
    keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
  }),
) {
  const test = testClients(iam);
  test.sns.on(PublishCommand).resolves({ MessageId: 'message-1' });
  const deps = {
    settings: responderSettings(),
    clients: test.clients,
    topicArn: 'arn:aws:sns:us-east-1:111122223333:t',
    log: quiet,
    now: () => FIXED_NOW,
  };
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const metrics = new Metrics({ namespace: 'Firebreak', serviceName: 'firebreak' });
  try {
    const result = await withResponseMetrics(metrics, PLAYBOOK, quiet, () => handleEvent(event, deps)).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    return { result, documents: lines.map((line) => JSON.parse(line) as Emf) };
  } finally {
    write.mockRestore();
  }
}

describe('withResponseMetrics', () => {
  it('publishes once per invocation: the playbook document with the ids as metadata, then one per step', async () => {
    const { result, documents } = await invoke(loadEvent('guardduty/iam-user-long-term-key'));
    expect(result.ok).toBe(true);
    const [main, ...steps] = documents;
    expect(main!._aws.CloudWatchMetrics[0]!.Namespace).toBe('Firebreak');
    expect(main!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'playbook']]);
    // First seen 2026-11-20T08:03:17Z, contained and notified at the fixed clock 2026-11-21T08:00:00Z.
    expect(main).toMatchObject({
      service: 'firebreak',
      playbook: PLAYBOOK,
      TimeToContainFromFirstSeen: 86_203_000,
      TimeToContainFromReceipt: 0,
      TimeToNotifyFromReceipt: 0,
      OutcomeContained: 1,
      OutcomePartiallyContained: 0,
      BreakerOpened: 0,
      findingId: '8ecbd6e2a1f04b6f9c3a7d2e5b1c0f47',
      accountId: '111122223333',
    });
    expect(typeof main!.HandlerDuration).toBe('number');
    expect(main!._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({
      Name: 'TimeToContainFromFirstSeen',
      Unit: 'Milliseconds',
    });
    expect(steps.length).toBeGreaterThan(0);
    for (const document of steps)
      expect(document._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'playbook', 'action', 'status']]);
    expect(steps).toContainEqual(
      expect.objectContaining({ action: 'iam-deactivate-access-key', status: 'done', StepOutcome: 1 }),
    );
    expect(steps.every((document) => document.findingId === undefined)).toBe(true);
  });

  it('a failed step: the invocation still throws, and its partial outcome is counted', async () => {
    const iam = new FakeIam(HOME_ACCOUNT).addUser('ci-deploy', {
      id: 'AIDAJQABLZS4A3QDU576Q',
      keys: [{ id: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' }],
    });
    iam.failOn('UpdateAccessKey', accessDenied());
    const { result, documents } = await invoke(loadEvent('guardduty/iam-user-long-term-key'), iam);
    expect(result.ok ? undefined : result.error).toBeInstanceOf(ContainmentIncompleteError);
    expect(documents[0]).toMatchObject({
      OutcomePartiallyContained: 1,
      OutcomeContained: 0,
      TimeToNotifyFromReceipt: 0,
    });
    expect(documents).toContainEqual(
      expect.objectContaining({ action: 'iam-deactivate-access-key', status: 'failed', StepOutcome: 1 }),
    );
  });

  it('a rejected event: counted, and the rejection still reaches the caller', async () => {
    const { result, documents } = await invoke(loadEvent('guardduty/malformed/severity-as-string'));
    expect(result.ok ? undefined : result.error).toBeInstanceOf(FindingRejectedError);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ EventsRejected: 1, playbook: PLAYBOOK });
  });

  it('a metrics failure never fails the invocation: logged as a warning', async () => {
    const warnings: string[] = [];
    const log: Log = { ...quiet, warn: (message) => warnings.push(message) };
    const broken = {
      addDimension: () => {
        throw new RangeError('too many dimensions');
      },
    } as unknown as Metrics;
    const handled = { kind: 'ignored', reason: 'not a finding' } as const;
    await expect(withResponseMetrics(broken, PLAYBOOK, log, () => Promise.resolve(handled))).resolves.toBe(handled);
    expect(warnings).toEqual(['Response metrics not published']);
  });
});

describe('withResponseMetrics: a Security Hub event', () => {
  it("publishes each handled finding's outcome and times, as a native finding would", async () => {
    const { result, documents } = await invoke(loadEvent('securityhub/guardduty-iam-user-long-term-key'));
    expect(result.ok && result.value.kind).toBe('securityhub');
    const names = documents.flatMap((document) => Object.keys(document));
    expect(names).toContain('OutcomeContained');
    expect(names).toContain('TimeToContainFromReceipt');
    expect(names).toContain('StepOutcome');
    expect(names).toContain('HandlerDuration');
  });
});
