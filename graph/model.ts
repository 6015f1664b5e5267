import type { AttributionModel, FunnelStage, HoldReason, ReferralStatus } from '../schema/generated/types';

// Domain constants, defined once.

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** The longest free texts the service stores, in characters. */
export const TEXT_LIMITS = { name: 200, reviewText: 5000, reward: 200, idempotencyKey: 200 } as const;

// What graph/ functions return: plain values read from Neo4j, instants as epoch milliseconds.

export interface CustomerRecord {
  id: string;
  name: string | null;
  email: string | null;
  stage: FunnelStage;
  createdAt: number;
  signedUpAt: number | null;
}

export interface CampaignRecord {
  id: string;
  name: string;
  startsAt: number;
  endsAt: number | null;
  attributionWindowDays: number;
  attributionModel: AttributionModel;
  referrerReward: string | null;
  friendReward: string | null;
  /** Invitations each member holds (graph/quotas.ts); null: unlimited, and the campaign is not invite-only. */
  inviteQuota: number | null;
  /** Whether sign-ups join a waitlist (graph/waitlist.ts); null on campaigns stored before launches existed. */
  waitlist: boolean | null;
  /** Places a waiting referrer moves up per credited referral; null: 0. */
  moveUpPerReferral: number | null;
  /** Invitations a member earns each time one of their credited invitees converts (first purchase); null: 0. */
  earnedInvitesPerConvertedInvitee: number | null;
  /** The size of the next wave, for `waitlistPosition`; null: the size of the last wave admitted. */
  waveSize: number | null;
  /** The reward terms as data (graph/rewardTerms.ts); null when none; absent where a rule read the campaign. */
  rewards?: CampaignRewardsRecord | null;
}

export interface RewardTermsRecord {
  amount: number | null;
  currency: string | null;
  points: number | null;
}

export interface CampaignRewardsRecord {
  referrer: RewardTermsRecord | null;
  friend: RewardTermsRecord | null;
  holdDays: number;
  manualApproval: boolean;
}

export interface ReferralCodeRecord {
  code: string;
  ownerId: string;
  campaignId: string;
}

export interface ReferralRecord {
  referrerId: string;
  inviteeId: string;
  campaignId: string | null;
  code: string | null;
  channel: string | null;
  status: ReferralStatus;
  invitedAt: number | null;
  clickedAt: number | null;
  signedUpAt: number | null;
  firstPurchaseAt: number | null;
  /** Why the referral is or was HELD (graph/fraudRules.ts); null when it never was. */
  holdReason: HoldReason | null;
}

export interface ProductRecord {
  id: string;
  name: string | null;
  averageRating: number | null;
  reviewCount: number;
  purchaseCount: number;
}

export interface PurchaseRecord {
  orderId: string;
  customerId: string;
  productId: string;
  amount: number;
  currency: string;
  at: number;
}

export interface ReviewRecord {
  customerId: string;
  productId: string;
  rating: number;
  text: string | null;
  recommend: number | null;
  at: number;
  revisions: number;
}

/** One page of a cursor-paginated list; `cursors[i]` is the keyset cursor of `items[i]`. */
export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  /** True when the page was asked for after a cursor. */
  hasPreviousPage: boolean;
  totalCount: number;
}

/** The funnel in order; a stage's rank is its place here, and stages only move to a higher rank. */
export const FUNNEL_STAGES: readonly FunnelStage[] = ['STRANGER', 'FOLLOWER', 'INTERESTED', 'FAN', 'BUYER', 'REPEAT_BUYER', 'LOYAL'];

export const stageRank = (stage: FunnelStage): number => FUNNEL_STAGES.indexOf(stage);

/** NPS answers of 9 and 10 make a promoter. */
export const PROMOTER_MIN_RECOMMEND = 9;
