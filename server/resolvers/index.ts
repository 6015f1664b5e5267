import type { Resolvers } from '../generated/graphql';
import { analyticsResolvers } from './analytics';
import { communityResolvers } from './community';
import { customerResolvers } from './customers';
import { eventResolvers } from './events';
import { marketerResolvers } from './marketers';
import { launchResolvers } from './launches';
import { fraudResolvers } from './fraud';
import { liveResolvers } from './live';
import { privacyResolvers } from './privacy';
import { productResolvers } from './products';
import { purchaseResolvers } from './purchases';
import { referralResolvers } from './referrals';
import { reviewResolvers } from './reviews';
import { rewardResolvers } from './rewards';
import { DateTime, JSONScalar } from './scalars';
import { serviceResolvers } from './service';
import { valueResolvers } from './value';

const domains: Resolvers[] = [
  serviceResolvers,
  customerResolvers,
  productResolvers,
  purchaseResolvers,
  reviewResolvers,
  referralResolvers,
  eventResolvers,
  privacyResolvers,
  analyticsResolvers,
  marketerResolvers,
  communityResolvers,
  launchResolvers,
  fraudResolvers,
  rewardResolvers,
  valueResolvers,
  liveResolvers,
];

/** Each domain's resolvers, merged type by type. */
export function buildResolvers(): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const domain of domains) {
    for (const [type, fields] of Object.entries(domain)) merged[type] = { ...merged[type], ...(fields as Record<string, unknown>) };
  }
  return { ...(merged as Resolvers), DateTime, JSON: JSONScalar };
}
