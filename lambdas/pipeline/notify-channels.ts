import type { AwsClients } from '../aws/aws-clients';
import type { Outcome } from '../model/outcome';
import {
  buildNotification,
  publishChatMessage,
  publishNotification,
  type Notification,
} from '../notify/publish-outcome';
import type { FindingUpdateOptions } from '../securityhub/finding-update';
import { updateSecurityHubFinding, type UpdateResult } from '../securityhub/update-finding';

/**
 * Where the responder's outward writes go: its messages and the Security Hub update. Deployed: the topics and
 * Security Hub (awsChannels); `simulate` and `plan --live`: a recorder, so they run the same handleEvent.
 */
export interface NotifyChannels {
  /** The one message about a finding's outcome; its message id. */
  publishOutcome(outcome: Outcome): Promise<string | undefined>;
  /** Any other message: a rejection, a breaker opened, an incident resolved, an approval decision. */
  publish(notification: Notification): Promise<string | undefined>;
  /** The chat form of an outcome; absent: there is no chat topic. */
  readonly publishChat?: (outcome: Outcome) => Promise<string | undefined>;
  /** Never throws: a failure comes back as a problem. */
  updateSecurityHub(outcome: Outcome, options: FindingUpdateOptions): Promise<UpdateResult>;
}

export interface AwsChannelTargets {
  readonly topicArn?: string;
  readonly chatTopicArn?: string;
  readonly clients?: AwsClients;
  readonly channels?: NotifyChannels;
}

/** The channels given, or the topics and Security Hub through the clients. */
export function channelsOf(deps: AwsChannelTargets): NotifyChannels {
  if (deps.channels) return deps.channels;
  const { topicArn, chatTopicArn, clients } = deps;
  if (!topicArn || !clients)
    throw new Error('The responder has no notification topic or no AWS clients, and no channels: redeploy the stack');
  return {
    publishOutcome: (outcome) => publishNotification(buildNotification(outcome), topicArn, clients),
    publish: (notification) => publishNotification(notification, topicArn, clients),
    ...(chatTopicArn ? { publishChat: (outcome: Outcome) => publishChatMessage(outcome, chatTopicArn, clients) } : {}),
    updateSecurityHub: (outcome, options) => updateSecurityHubFinding(outcome, clients, options),
  };
}
