import type { BridgeSampling } from '../graph/analytics/bridges';
import type { EngagementSettings } from '../graph/analytics/engagement';
import type { Config } from './config';

/** What the community answers are computed with, from the environment (see the README's configuration table). */
export interface CommunitySettings {
  engagement: EngagementSettings;
  bridgeSampling: BridgeSampling;
}

export type CommunityConfig = Pick<
  Config,
  | 'BRIDGES_EXACT_MAX_CUSTOMERS'
  | 'BRIDGES_SAMPLING_SIZE'
  | 'BRIDGES_SAMPLING_SEED'
  | 'ENGAGEMENT_PERIOD_DAYS'
  | 'ENGAGEMENT_PRESENCE_DAYS'
  | 'ENGAGEMENT_WEIGHT_PURCHASE'
  | 'ENGAGEMENT_WEIGHT_REFERRAL'
  | 'ENGAGEMENT_WEIGHT_REVIEW'
  | 'ENGAGEMENT_WEIGHT_FOLLOW'
  | 'ENGAGEMENT_LEADING_SCORE'
  | 'ENGAGEMENT_CONTRIBUTING_SCORE'
>;

export function communitySettings(config: CommunityConfig): CommunitySettings {
  return {
    engagement: {
      weights: {
        purchase: config.ENGAGEMENT_WEIGHT_PURCHASE,
        referral: config.ENGAGEMENT_WEIGHT_REFERRAL,
        review: config.ENGAGEMENT_WEIGHT_REVIEW,
        follow: config.ENGAGEMENT_WEIGHT_FOLLOW,
      },
      periodDays: config.ENGAGEMENT_PERIOD_DAYS,
      presenceDays: config.ENGAGEMENT_PRESENCE_DAYS,
      leadingScore: config.ENGAGEMENT_LEADING_SCORE,
      contributingScore: config.ENGAGEMENT_CONTRIBUTING_SCORE,
    },
    bridgeSampling: {
      exactMaxCustomers: config.BRIDGES_EXACT_MAX_CUSTOMERS,
      samplingSize: config.BRIDGES_SAMPLING_SIZE,
      samplingSeed: config.BRIDGES_SAMPLING_SEED,
    },
  };
}
