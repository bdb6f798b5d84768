import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { RETRY_SETTINGS, bundledClient, type AwsClients } from './aws-clients';

/** The services a finding is re-read from, in the finding's Region, with the security account's own credentials. */
export interface FindingSourceClients {
  guardDutyFor(region: string): GuardDutyClient;
  securityHubFor(region: string): SecurityHubClient;
}

export interface FindingSourceClientsProps {
  /** The function's own Region: its clients are taken from `home` when `home` has them. */
  readonly homeRegion: string;
  /**
   * The function's clients (createAwsClients). Read only when the home Region's client is first needed, so passing
   * them builds nothing. Default: none; every Region's clients are built here.
   */
  readonly home?: Pick<AwsClients, 'guardDuty' | 'securityHub'>;
}

/**
 * GuardDuty and Security Hub clients per Region, each built on first use and kept for the warm function (a
 * finding forwarded from another Region is re-read in its own Region, where GuardDuty keeps it). The home Region
 * reuses the function's own clients. A package the bundle left out fails with bundledClient's message when its
 * client is first asked for, not at load.
 */
export function createFindingSourceClients(props: FindingSourceClientsProps): FindingSourceClients {
  const guardDuty = new Map<string, GuardDutyClient>();
  const securityHub = new Map<string, SecurityHubClient>();
  const config = (region: string) => ({ ...RETRY_SETTINGS, region });
  return {
    guardDutyFor(region) {
      let client = guardDuty.get(region);
      if (!client) {
        const home = region === props.homeRegion ? props.home?.guardDuty : undefined;
        client = home ?? new (bundledClient(GuardDutyClient, '@aws-sdk/client-guardduty'))(config(region));
        guardDuty.set(region, client);
      }
      return client;
    },
    securityHubFor(region) {
      let client = securityHub.get(region);
      if (!client) {
        const home = region === props.homeRegion ? props.home?.securityHub : undefined;
        client = home ?? new (bundledClient(SecurityHubClient, '@aws-sdk/client-securityhub'))(config(region));
        securityHub.set(region, client);
      }
      return client;
    },
  };
}
