import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { createAwsClients } from '../aws/aws-clients';
import { createClientFactory } from '../aws/client-factory';
import { createFindingSourceClients } from '../aws/finding-source-clients';
import { handleEvent } from '../pipeline/handle-event';
import { prefetchDetector } from '../findings/reread-guardduty-finding';
import { responderSessionPolicy } from '../pipeline/playbook-permissions';
import { parseResponderSettings } from '../pipeline/responder-settings';
import { DynamoDbApprovals } from '../ledger/dynamodb-approvals';
import { DynamoDbLedger } from '../ledger/dynamodb-ledger';
import { KmsRecordMac } from '../ledger/record-mac';
import { withRecordMacs } from '../ledger/verified-ledger';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../metrics/outcome-metrics';
import { withResponseMetrics } from '../metrics/response-metrics';

// Read once per cold start. Invalid settings fail the init, so every event goes to the dead-letter queue untouched.
const settings = parseResponderSettings(process.env.FIREBREAK_SETTINGS, 'environment variable FIREBREAK_SETTINGS');
const topicArn = process.env.FIREBREAK_TOPIC_ARN;
if (!topicArn) throw new Error('environment variable FIREBREAK_TOPIC_ARN is not set: redeploy the stack');
const chatTopicArn = process.env.FIREBREAK_CHAT_TOPIC_ARN || undefined;
const clients = createAwsClients(process.env.AWS_REGION ?? 'us-east-1');
const tableName = process.env.FIREBREAK_LEDGER_TABLE;
if (!tableName) throw new Error('environment variable FIREBREAK_LEDGER_TABLE is not set: redeploy the stack');
const macKey = process.env.FIREBREAK_LEDGER_MAC_KEY;
if (!macKey)
  throw new Error(
    'environment variable FIREBREAK_LEDGER_MAC_KEY is not set: redeploy the stack (ledger records are signed with it)',
  );
// Every step record signed and checked with the ledger's KMS HMAC key: a record Firebreak did not write is never acted on.
const ledger = withRecordMacs(
  new DynamoDbLedger(clients.dynamodb, tableName, settings.ledgerRetentionDays),
  new KmsRecordMac(clients.kms!, macKey),
);
// Every enforcing run re-reads its finding here before writing: a payload can be forged by a direct invocation.
const findingSources = createFindingSourceClients({ homeRegion: process.env.AWS_REGION ?? 'us-east-1', home: clients });
// The detector id is looked up while the function starts: the first finding's re-read is then a single GetFindings.
if (settings.playbook.trigger.source === 'guardduty')
  prefetchDetector(
    findingSources.guardDutyFor(process.env.AWS_REGION ?? 'us-east-1'),
    process.env.AWS_REGION ?? 'us-east-1',
  );
const approvals = new DynamoDbApprovals(clients.dynamodb, tableName, settings.ledgerRetentionDays);
// The approve and deny commands of an approval request name this function and the ledger table.
const approvalTargets = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? '<ResponderFunctionName>',
  tableName,
  region: process.env.AWS_REGION ?? '<region>',
};
const logger = new Logger({
  serviceName: 'firebreak',
  persistentKeys: { playbook: settings.playbook.id, mode: settings.playbook.mode },
});
// Member accounts: the member role holds every playbook's permissions; this responder's sessions hold only its own.
const clientFactory = createClientFactory(clients, {
  homeAccountId: settings.homeAccountId,
  partition: process.env.FIREBREAK_PARTITION ?? 'aws',
  ...(settings.memberRoleName ? { memberRoleName: settings.memberRoleName } : {}),
  sessionPolicy: responderSessionPolicy(settings.playbook),
  onAssumed: (session) =>
    logger.info('Member role assumed', {
      accountId: session.accountId,
      region: session.region,
      roleArn: session.roleArn,
      packedPolicySize: session.packedPolicySize,
    }),
});
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown, context: { awsRequestId?: string }) =>
    withResponseMetrics(metrics, settings.playbook.id, logger, () =>
      handleEvent(event, {
        settings,
        clients,
        topicArn,
        ...(chatTopicArn ? { chatTopicArn } : {}),
        log: logger,
        ledger,
        approvals,
        approvalTargets,
        clientFactory,
        findingSources,
        ...(context.awsRequestId ? { invocationId: context.awsRequestId } : {}),
      }),
    ),
  );
