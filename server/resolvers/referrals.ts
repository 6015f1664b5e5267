import { issueReferralCodeOnce, recordEvent } from '../../graph/events';
import { createCampaign, referralCodesByCode } from '../../graph/referrals';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { required } from './customers';

export const referralResolvers: Resolvers = {
  Query: {
    campaign: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return ctx.loaders.campaign.load(id);
    },
    referralCode: async (_root, { code }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return (await referralCodesByCode(ctx.graph, [code])).get(code) ?? null;
    },
  },
  Mutation: {
    createCampaign: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return createCampaign(ctx.graph, input);
    },
    issueReferralCode: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return issueReferralCodeOnce(ctx.graph, input);
    },
    recordInvite: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await recordEvent(ctx.graph, 'RECORD_INVITE', input)).result;
    },
    recordReferralClick: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await recordEvent(ctx.graph, 'RECORD_REFERRAL_CLICK', input)).result;
    },
    recordSignup: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await recordEvent(ctx.graph, 'RECORD_SIGNUP', input)).result;
    },
  },
  Referral: {
    referrer: async (referral, _args, ctx) => required(await ctx.loaders.customer.load(referral.referrerId), 'customer'),
    invitee: async (referral, _args, ctx) => required(await ctx.loaders.customer.load(referral.inviteeId), 'customer'),
    campaign: (referral, _args, ctx) => (referral.campaignId ? ctx.loaders.campaign.load(referral.campaignId) : null),
  },
  ReferralCode: {
    owner: async (code, _args, ctx) => required(await ctx.loaders.customer.load(code.ownerId), 'customer'),
    campaign: async (code, _args, ctx) => required(await ctx.loaders.campaign.load(code.campaignId), 'campaign'),
  },
};
