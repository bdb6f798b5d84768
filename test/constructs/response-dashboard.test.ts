import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ResponseDashboard } from '../../lib/constructs/response-dashboard';

interface Widget {
  type: string;
  properties: {
    title?: string;
    markdown?: string;
    metrics?: unknown[][];
    stacked?: boolean;
    yAxis?: { left?: { min?: number; max?: number } };
  };
}

const PLAYBOOKS = ['compromised-iam-credentials', 'compromised-ec2-instance'];

/** The dashboard body as JSON; CloudFormation references (the queue names) become the text REF. */
function dashboardBody(template: Template): { widgets: Widget[]; start?: string } {
  const [resource] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: unknown; DashboardName: string };
  }[];
  const body = resource!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'REF')).join('');
  return JSON.parse(text) as { widgets: Widget[] };
}

function build() {
  const stack = new Stack(new App(), 'Firebreak', { env: { account: '111122223333', region: 'us-east-1' } });
  const deadLetterQueues = PLAYBOOKS.map((playbook) => ({ playbook, queue: new sqs.Queue(stack, `Dlq-${playbook}`) }));
  new ResponseDashboard(stack, 'ResponseDashboard', { playbooks: PLAYBOOKS, deadLetterQueues });
  const template = Template.fromStack(stack);
  return { template, body: dashboardBody(template) };
}

describe('ResponseDashboard', () => {
  const { template, body } = build();
  const widget = (title: string) => {
    const found = body.widgets.find((candidate) => candidate.properties.title === title);
    if (!found)
      throw new Error(
        `no widget titled ${title}; titles: ${body.widgets.map((candidate) => candidate.properties.title).join(', ')}`,
      );
    return found.properties;
  };

  it('is named after the stack and shows a week by default', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Firebreak-response' });
    expect(body.start).toBe('-P7D');
  });

  it('time to contain: p50 and p90 of each playbook, with the dimensions the responders publish', () => {
    const { metrics } = widget('Time to contain from first observation (p50, p90)');
    expect(metrics).toHaveLength(4);
    expect(metrics).toContainEqual([
      'Firebreak',
      'TimeToContainFromFirstSeen',
      'playbook',
      'compromised-ec2-instance',
      'service',
      'firebreak',
      { label: 'compromised-ec2-instance p90', period: 3600, stat: 'p90' },
    ]);
    expect(widget('Time to notify from receipt (p50, p90)').metrics).toContainEqual(
      expect.arrayContaining([
        'TimeToNotifyFromReceipt',
        'compromised-iam-credentials',
        { label: 'compromised-iam-credentials p50', period: 3600, stat: 'p50' },
      ]),
    );
  });

  it('outcomes: one stacked total per status, each summing every playbook with gaps filled', () => {
    const { metrics, stacked } = widget('Findings by outcome, all playbooks');
    expect(stacked).toBe(true);
    const expressions = metrics!
      .filter((row) => typeof (row[0] as { expression?: string }).expression === 'string')
      .map((row) => row[0] as { expression: string; label: string });
    expect(expressions).toHaveLength(9);
    expect(expressions).toContainEqual(
      expect.objectContaining({
        expression: 'FILL(partiallycontained0, 0) + FILL(partiallycontained1, 0)',
        label: 'partially-contained',
      }),
    );
    // The summed metrics are fetched but not drawn.
    expect(metrics).toContainEqual([
      'Firebreak',
      'OutcomePartiallyContained',
      'playbook',
      'compromised-ec2-instance',
      'service',
      'firebreak',
      expect.objectContaining({ stat: 'Sum', visible: false, id: 'partiallycontained1' }),
    ]);
  });

  it('automated success rate: metric math over the contained, partially and not contained totals', () => {
    const { metrics, yAxis } = widget('Automated success rate (%)');
    expect(metrics![0]).toEqual([
      expect.objectContaining({ expression: '100 * contained / (contained + partially + notcontained)' }),
    ]);
    expect(metrics).toContainEqual([
      expect.objectContaining({
        expression: 'FILL(notcontained0, 0) + FILL(notcontained1, 0)',
        id: 'notcontained',
        visible: false,
      }),
    ]);
    expect(metrics).toContainEqual([
      'Firebreak',
      'OutcomeContained',
      'playbook',
      'compromised-iam-credentials',
      'service',
      'firebreak',
      expect.objectContaining({ stat: 'Sum', visible: false, id: 'contained0' }),
    ]);
    expect(yAxis?.left).toMatchObject({ min: 0, max: 100 });
  });

  it('dry runs per playbook and breaker openings in total', () => {
    const { metrics } = widget('Dry runs and breaker openings');
    expect(metrics).toContainEqual([
      'Firebreak',
      'OutcomeDryRun',
      'playbook',
      'compromised-iam-credentials',
      'service',
      'firebreak',
      { label: 'compromised-iam-credentials dry runs', period: 3600, stat: 'Sum' },
    ]);
    expect(metrics).toContainEqual([
      expect.objectContaining({
        expression: 'FILL(breakeropened0, 0) + FILL(breakeropened1, 0)',
        label: 'breaker openings',
      }),
    ]);
  });

  it('every dead-letter queue, by its depth', () => {
    const { metrics } = widget('Dead-letter queue depth');
    expect(metrics).toEqual(
      PLAYBOOKS.map((playbook) => [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        'REF',
        { label: playbook, stat: 'Maximum' },
      ]),
    );
  });

  it('MTTA from the time to acknowledge that firebreak ack publishes, and recurrences in total', () => {
    expect(widget('MTTA: time to acknowledge from receipt (p50, p90)').metrics).toContainEqual(
      expect.arrayContaining([
        'TimeToAcknowledge',
        'compromised-iam-credentials',
        { label: 'compromised-iam-credentials p90', period: 3600, stat: 'p90' },
      ]),
    );
    expect(JSON.stringify(widget('Recurrence: incidents whose resource had another within 30 days').metrics)).toContain(
      'Recurrence',
    );
  });

  it('says where MTTA comes from', () => {
    const text = body.widgets.find((candidate) => candidate.type === 'text')!.properties.markdown!;
    expect(text).toContain('npm run firebreak -- report --table <LedgerTableName> --since <date>');
    expect(text).toContain('npm run firebreak -- ack <incident id>');
  });
});
