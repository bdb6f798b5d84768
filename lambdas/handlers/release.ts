import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { createAwsClients } from '../aws/aws-clients';
import { createClientFactory } from '../aws/client-factory';
import { describeIssues } from '../common/describe-issues';
import { releaseIncident } from '../engine/release-incident';
import { DynamoDbLedger } from '../ledger/dynamodb-ledger';
import { publishNotification } from '../notify/publish-outcome';
import { renderRelease } from '../notify/render-release';
import { isSecurityHubEvent } from '../findings/parse-securityhub-event';
import { releaseRequestsOf } from '../engine/release-from-securityhub';

const tableName = process.env.FIREBREAK_LEDGER_TABLE;
const topicArn = process.env.FIREBREAK_TOPIC_ARN;
if (!tableName || !topicArn) throw new Error('environment variables FIREBREAK_LEDGER_TABLE and FIREBREAK_TOPIC_ARN must be set: redeploy the stack');
const exemptionHours = Number(process.env.FIREBREAK_RELEASE_EXEMPTION_HOURS ?? '24');
const clients = createAwsClients(process.env.AWS_REGION ?? 'us-east-1');
const ledger = new DynamoDbLedger(clients.dynamodb, tableName, 400);
const memberRoleName = process.env.FIREBREAK_MEMBER_ROLE_NAME;
const clientFactory = createClientFactory(clients, {
  homeAccountId: process.env.FIREBREAK_HOME_ACCOUNT ?? '',
  partition: process.env.FIREBREAK_PARTITION ?? 'aws',
  ...(memberRoleName ? { memberRoleName } : {}),
});
const logger = new Logger({ serviceName: 'firebreak', persistentKeys: { action: 'release' } });

const requestSchema = z.strictObject({
  incidentId: z.string().check(z.minLength(1), z.maxLength(600)),
  releasedBy: z._default(z.string().check(z.minLength(1), z.maxLength(200)), 'release function'),
});

/** Invoke with `{"incidentId": "...", "releasedBy": "..."}`; returns the release report and notifies it. */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) => {
    if (isSecurityHubEvent(event)) return releaseSelected(event);
    const request = requestSchema.safeParse(event);
    if (!request.success) throw new Error(`Invalid release request: ${describeIssues(request.error, event).join('; ')}`);
    const { incidentId, releasedBy } = request.data;
    const report = await releaseIncident(incidentId, { ledger, clients, clientFactory, releasedBy, exemptionHours });
    logger.info('Incident released', { incidentId, releasedBy, steps: report.steps, complete: report.complete });
    await publishNotification(renderRelease(report, releasedBy), topicArn, clients);
    return report;
  });

/** The "Firebreak: release" custom action: each selected finding's incident is released and reported. */
async function releaseSelected(event: unknown) {
  const { incidentIds, skipped, releasedBy } = await releaseRequestsOf(event, ledger);
  if (skipped.length > 0) logger.warn('Selected findings not released', { skipped });
  const reports = [];
  const failed: string[] = [];
  for (const incidentId of incidentIds) {
    try {
      const report = await releaseIncident(incidentId, { ledger, clients, clientFactory, releasedBy, exemptionHours });
      logger.info('Incident released', { incidentId, releasedBy, steps: report.steps, complete: report.complete });
      await publishNotification(renderRelease(report, releasedBy), topicArn!, clients);
      reports.push(report);
    } catch (error) {
      // A finding Firebreak never contained has no incident: reported, the other selected findings still released.
      logger.error('Incident not released', { incidentId, releasedBy, error: (error as Error).message });
      failed.push(`${incidentId}: ${(error as Error).message}`);
    }
  }
  if (failed.length > 0) throw new Error(`Release from Security Hub: ${failed.length} of ${incidentIds.length} incidents not released: ${failed.join('; ')}`);
  return { reports, skipped };
}
