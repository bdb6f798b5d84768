import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createAwsClients, type AwsClients } from '../aws/aws-clients';
import { createClientFactory, type ClientFactory } from '../aws/client-factory';
import type { Log } from '../pipeline/handle-event';
import { releaseIncident, type ReleaseReport } from '../pipeline/release-incident';
import { authenticateRequest, type CallerIdentitySettings } from '../identity/authenticate-request';
import { renderReleaseRequested } from '../identity/render-release-requested';
import type { CallerIdentity } from '../identity/verify-caller';
import { DynamoDbLedger } from '../ledger/dynamodb-ledger';
import { KmsRecordMac } from '../ledger/record-mac';
import { withRecordMacs } from '../ledger/verified-ledger';
import type { Ledger } from '../ledger/ledger';
import { publishNotification } from '../notify/publish-outcome';
import { renderRelease } from '../notify/render-release';
import { isSecurityHubEvent } from '../findings/parse-securityhub-event';
import { releaseRequestsOf } from '../pipeline/release-from-securityhub';

const tableName = process.env.FIREBREAK_LEDGER_TABLE;
const topicArn = process.env.FIREBREAK_TOPIC_ARN;
if (!tableName || !topicArn)
  throw new Error(
    'environment variables FIREBREAK_LEDGER_TABLE and FIREBREAK_TOPIC_ARN must be set: redeploy the stack',
  );
const exemptionHours = Number(process.env.FIREBREAK_RELEASE_EXEMPTION_HOURS ?? '24');
const clients = createAwsClients(process.env.AWS_REGION ?? 'us-east-1');
const macKey = process.env.FIREBREAK_LEDGER_MAC_KEY;
if (!macKey)
  throw new Error(
    'environment variable FIREBREAK_LEDGER_MAC_KEY is not set: redeploy the stack (release acts only on records whose MAC verifies)',
  );
const ledger = withRecordMacs(
  new DynamoDbLedger(clients.dynamodb, tableName, 400),
  new KmsRecordMac(clients.kms!, macKey),
);
const memberRoleName = process.env.FIREBREAK_MEMBER_ROLE_NAME;
const clientFactory = createClientFactory(clients, {
  homeAccountId: process.env.FIREBREAK_HOME_ACCOUNT ?? '',
  partition: process.env.FIREBREAK_PARTITION ?? 'aws',
  ...(memberRoleName ? { memberRoleName } : {}),
});
const logger = new Logger({ serviceName: 'firebreak', persistentKeys: { action: 'release' } });
// Only identities of this account may release; the Region and function name are Lambda's own (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME).
const identity: CallerIdentitySettings = { homeAccountId: process.env.FIREBREAK_HOME_ACCOUNT ?? '' };

/**
 * `firebreak release <incident> --function <ReleaseFunctionName>` invokes this with
 * `{"incidentId": "...", "label"?: "<--by>", "callerProof": {...}}`; the caller is authenticated with STS before
 * anything else, and recorded by the ARN STS returns. Returns the release report and notifies it.
 */
export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event: unknown) =>
    handleReleaseEvent(event, { ledger, clients, clientFactory, topicArn, exemptionHours, identity, log: logger }),
  );

export interface ReleaseDependencies {
  readonly ledger: Ledger;
  readonly clients: AwsClients;
  readonly clientFactory?: ClientFactory;
  readonly topicArn: string;
  readonly exemptionHours: number;
  /** Whose identities are accepted, and how STS is reached (tests inject a fake fetch and clock). */
  readonly identity: CallerIdentitySettings;
  readonly log: Log;
  readonly now?: () => Date;
}

export type ReleaseResult =
  | (ReleaseReport & { readonly kind: 'released'; readonly releasedBy: string; readonly caller: CallerIdentity })
  | { readonly kind: 'release-requested'; readonly requested: readonly string[]; readonly skipped: readonly string[] };

/** A release by a person (authenticated, then released) or a Security Hub custom action (only reported: see releaseSelected). */
export async function handleReleaseEvent(event: unknown, deps: ReleaseDependencies): Promise<ReleaseResult> {
  if (isSecurityHubEvent(event)) return releaseSelected(event, deps);
  const now = deps.now ?? (() => new Date());
  const request = await authenticateRequest('release', event, {
    identity: { now, ...deps.identity },
    topicArn: deps.topicArn,
    clients: deps.clients,
    log: deps.log,
  });
  const { incidentId, recordedAs: releasedBy, caller } = request;
  const report = await releaseIncident(incidentId, {
    ledger: deps.ledger,
    clients: deps.clients,
    ...(deps.clientFactory ? { clientFactory: deps.clientFactory } : {}),
    releasedBy,
    exemptionHours: deps.exemptionHours,
    now,
  });
  deps.log.info('Incident released', {
    incidentId,
    releasedBy,
    callerArn: caller.arn,
    callerUserId: caller.userId,
    steps: report.steps,
    complete: report.complete,
  });
  await publishNotification(renderRelease(report, releasedBy), deps.topicArn, deps.clients);
  return { kind: 'released', ...report, releasedBy, caller };
}

/**
 * The "Firebreak: release" custom action fails closed: its event names no person, and a direct invocation can forge
 * it, so it releases nothing. Each selected finding with an incident gets one message saying the release was
 * requested and the command that releases it with a person's own, verified identity.
 */
async function releaseSelected(event: unknown, deps: ReleaseDependencies): Promise<ReleaseResult> {
  const { incidentIds, skipped: unmapped, securityHubAccount } = await releaseRequestsOf(event, deps.ledger);
  const skipped = [...unmapped];
  const requested: string[] = [];
  const failed: string[] = [];
  const functionName = deps.identity.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? '<ReleaseFunctionName>';
  const region = deps.identity.region ?? process.env.AWS_REGION ?? '<region>';
  for (const incidentId of incidentIds) {
    try {
      const incident = await deps.ledger.getIncident(incidentId);
      if (!incident) {
        skipped.push(
          `${incidentId}: Firebreak has no incident with this id (the finding was not contained by Firebreak)`,
        );
        continue;
      }
      await publishNotification(
        renderReleaseRequested({
          incidentId,
          playbook: incident.playbook,
          subject: incident.subject,
          securityHubAccount,
          functionName,
          region,
        }),
        deps.topicArn,
        deps.clients,
      );
      requested.push(incidentId);
    } catch (error) {
      failed.push(`${incidentId}: ${(error as Error).message}`);
    }
  }
  deps.log.warn('Release requested from Security Hub: nothing released (the event names no person)', {
    requested,
    skipped,
    securityHubAccount,
  });
  if (failed.length > 0)
    throw new Error(
      `Release requested from Security Hub: ${failed.length} of ${incidentIds.length} requests not reported: ${failed.join('; ')}`,
    );
  return { kind: 'release-requested', requested, skipped };
}
