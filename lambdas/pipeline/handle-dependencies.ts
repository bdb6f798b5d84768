import type { AwsClients } from '../aws/aws-clients';
import type { ClientFactory } from '../aws/client-factory';
import type { FindingSources } from '../findings/confirm-finding';
import type { Approval, Approvals } from '../ledger/approvals';
import type { Ledger } from '../ledger/ledger';
import type { ApprovalCommandTargets } from './approval-request';
import type { NotifyChannels } from './notify-channels';
import type { ResponderSettings } from './responder-settings';

/** The part of a structured logger the core uses; Powertools Logger fits it, tests pass a recorder. */
export interface Log {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface HandlerDependencies {
  readonly settings: ResponderSettings;
  /**
   * The AWS clients. Absent: a simulation (`simulate`): the state is assumed from the finding, nothing is read or
   * written, and `channels` records what would be sent.
   */
  readonly clients?: AwsClients;
  /** The notification topic; required unless `channels` is given. */
  readonly topicArn?: string;
  /** The chat topic (AWS Chatbot); absent: no chat message. */
  readonly chatTopicArn?: string;
  /** Where messages and Security Hub updates go; absent: the topics and Security Hub, through `clients`. */
  readonly channels?: NotifyChannels;
  readonly log: Log;
  /** The incident ledger; without one there are no claims, release exemptions or breaker. */
  readonly ledger?: Ledger;
  /** Clients for the finding's account and Region; absent: `clients` act as they are (tests, single account). */
  readonly clientFactory?: ClientFactory;
  /** Where an enforcing run re-reads the finding before writing (the deployed responder always passes them). */
  readonly findingSources?: FindingSources;
  /** Owner of the ledger claims (the Lambda request id). */
  readonly invocationId?: string;
  readonly now?: () => Date;
  /** Approval mode: pending plans, decisions and the sweep; and where the message's approve and deny commands point. */
  readonly approvals?: Approvals;
  readonly approvalTargets?: ApprovalCommandTargets;
}

/** What handleFinding knows beyond the finding. */
export interface FindingOptions {
  /** The event the finding came from: an approval request stores it, to re-run the playbook on approval. */
  readonly event?: unknown;
  /** Set when an approval (or its timeout) runs the playbook: who approved which plan. */
  readonly approved?: Approval;
}

export function clockOf(deps: Pick<HandlerDependencies, 'now'>): () => Date {
  return deps.now ?? (() => new Date());
}
