import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  outcomeMetricName,
  OUTCOME_STATUSES,
} from '../../lambdas/metrics/outcome-metrics';

export interface ResponseDashboardProps {
  /** The enabled playbooks' ids: the `playbook` dimension of the responders' metrics. */
  readonly playbooks: readonly string[];
  /** Each responder's dead-letter queue. */
  readonly deadLetterQueues: readonly { readonly playbook: string; readonly queue: sqs.IQueue }[];
  /** @default `<stack name>-response` */
  readonly dashboardName?: string;
  /** The aggregation period of every graph. @default one hour (findings are rare; shorter periods show mostly gaps) */
  readonly period?: Duration;
}

/**
 * The response dashboard: time to contain and to notify (p50, p90), outcomes, the automated success rate, dry runs,
 * breaker openings and the dead-letter queues, from the metrics the responders publish (EMF, namespace `Firebreak`,
 * dimensions `service` and `playbook`), time to acknowledge (published by `firebreak ack`) and recurrence.
 */
export class ResponseDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ResponseDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.hours(1);
    const { playbooks } = props;
    const metric = (metricName: string, playbook: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: METRICS_SERVICE, playbook },
        statistic,
        period,
        label: `${playbook} ${statistic}`,
      });
    const percentiles = (metricName: string) =>
      playbooks.flatMap((playbook) => ['p50', 'p90'].map((statistic) => metric(metricName, playbook, statistic)));
    /** One metric summed over every playbook; `key` makes the metric ids unique within a graph. */
    const total = (metricName: string, key: string, label: string) => {
      const usingMetrics = Object.fromEntries(
        playbooks.map((playbook, index) => [`${key}${index}`, metric(metricName, playbook, 'Sum')]),
      );
      return new cloudwatch.MathExpression({
        expression: Object.keys(usingMetrics)
          .map((name) => `FILL(${name}, 0)`)
          .join(' + '),
        usingMetrics,
        label,
        period,
      });
    };
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      leftYAxis?: cloudwatch.YAxisProps,
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) =>
      new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...(leftYAxis ? { leftYAxis } : {}), ...extra });
    const ms = { label: 'ms', min: 0, showUnits: false };

    const contained = total(outcomeMetricName('contained'), 'contained', 'contained');
    const partially = total(outcomeMetricName('partially-contained'), 'partially', 'partially contained');
    const notContained = total(outcomeMetricName('not-contained'), 'notcontained', 'not contained');
    const successRate = new cloudwatch.MathExpression({
      expression: '100 * contained / (contained + partially + notcontained)',
      usingMetrics: { contained, partially, notcontained: notContained },
      label: 'contained / (contained + partially + not contained), %',
      period,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `${Stack.of(this).stackName}-response`,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.TextWidget({
            width: 24,
            height: 3,
            markdown: [
              '## Firebreak response',
              `Per delivery, from the responders' embedded metrics (namespace \`${METRICS_NAMESPACE}\`). ` +
                `A re-delivery that changed nothing counts as already contained and has no time to contain.`,
              'Acknowledge with `npm run firebreak -- ack <incident id> --table <LedgerTableName>` (it publishes the time to acknowledge); ' +
                'per-incident figures for a time range: `npm run firebreak -- report --table <LedgerTableName> --since <date>`.',
            ].join('\n\n'),
          }),
        ],
        [
          graph(
            'Time to contain from first observation (p50, p90)',
            percentiles(METRIC.timeToContainFromFirstSeen),
            ms,
          ),
          graph('Time to contain from receipt (p50, p90)', percentiles(METRIC.timeToContainFromReceipt), ms),
        ],
        [
          graph('Time to notify from receipt (p50, p90)', percentiles(METRIC.timeToNotifyFromReceipt), ms),
          graph(
            'Findings by outcome, all playbooks',
            OUTCOME_STATUSES.map((status) => total(outcomeMetricName(status), status.replace(/-/g, ''), status)),
            { min: 0, showUnits: false },
            { stacked: true },
          ),
        ],
        [
          graph('Automated success rate (%)', [successRate], { min: 0, max: 100, showUnits: false }),
          graph(
            'Dry runs and breaker openings',
            [
              ...playbooks.map((playbook) =>
                metric(outcomeMetricName('dry-run'), playbook, 'Sum').with({ label: `${playbook} dry runs` }),
              ),
              total(METRIC.breakerOpened, 'breakeropened', 'breaker openings'),
            ],
            { min: 0, showUnits: false },
          ),
        ],
        [
          graph(
            'Dead-letter queue depth',
            props.deadLetterQueues.map(({ playbook, queue }) =>
              queue.metricApproximateNumberOfMessagesVisible({
                statistic: 'Maximum',
                period: Duration.minutes(5),
                label: playbook,
              }),
            ),
            { min: 0, showUnits: false },
          ),
          graph('Responder handler time (p50, p90)', percentiles(METRIC.handlerDuration), ms),
        ],
        [
          graph('MTTA: time to acknowledge from receipt (p50, p90)', percentiles(METRIC.timeToAcknowledge), ms),
          graph(
            'Recurrence: incidents whose resource had another within 30 days',
            [total(METRIC.recurrence, 'recurrence', 'recurrences')],
            { min: 0, showUnits: false },
          ),
        ],
      ],
    });
  }
}
