import type { FirebreakConfig } from '../config';

/**
 * Every Region a responder may act in: the home Region, the Regions of the security account that forward their
 * GuardDuty findings to it (`organization.forwardFromRegions`), and the Regions whose Config changes the member
 * StackSet forwards (`organization.stackSet.regions`). A finding names its Region and the responder acts there, so its
 * Regional grants (EC2, Auto Scaling, finding reads) name each of these Regions. Home first, then in configured order.
 */
export function configuredRegions(config: Pick<FirebreakConfig, 'organization'>, homeRegion: string): string[] {
  const { organization } = config;
  return [
    ...new Set([homeRegion, ...(organization?.forwardFromRegions ?? []), ...(organization?.stackSet?.regions ?? [])]),
  ];
}
