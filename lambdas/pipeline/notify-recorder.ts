import type { Outcome } from '../model/outcome';
import { buildNotification, type Notification } from '../notify/publish-outcome';
import { findingUpdateFor, type FindingUpdateOptions } from '../securityhub/finding-update';
import type { UpdateResult } from '../securityhub/update-finding';
import type { NotifyChannels } from './notify-channels';

/** One outward write the responder made, in the order it made them. */
export type Sent =
  | { readonly kind: 'outcome'; readonly outcome: Outcome; readonly notification: Notification }
  | { readonly kind: 'message'; readonly notification: Notification }
  | { readonly kind: 'chat'; readonly outcome: Outcome }
  | { readonly kind: 'securityhub'; readonly outcome: Outcome; readonly id: string };

/** Channels that send nothing and keep what would have been sent, exactly as the topics would have received it. */
export class RecordingChannels implements NotifyChannels {
  readonly sent: Sent[] = [];
  readonly publishChat?: (outcome: Outcome) => Promise<string | undefined>;

  constructor(options: { readonly chat?: boolean } = {}) {
    if (options.chat) this.publishChat = async (outcome) => this.record({ kind: 'chat', outcome });
  }

  async publishOutcome(outcome: Outcome): Promise<string | undefined> {
    return this.record({ kind: 'outcome', outcome, notification: buildNotification(outcome) });
  }

  async publish(notification: Notification): Promise<string | undefined> {
    return this.record({ kind: 'message', notification });
  }

  async updateSecurityHub(outcome: Outcome, options: FindingUpdateOptions): Promise<UpdateResult> {
    const update = findingUpdateFor(outcome, options);
    if (update.kind === 'skip') return { kind: 'skipped', reason: update.reason };
    const id = update.input.FindingIdentifiers![0]!.Id!;
    this.record({ kind: 'securityhub', outcome, id });
    return { kind: 'updated', id };
  }

  private record(sent: Sent): string {
    this.sent.push(sent);
    return `recorded-${this.sent.length}`;
  }
}
