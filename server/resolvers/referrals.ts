import { createCampaign, listCampaigns } from '../../graph/campaigns';
import { referralCodesByCode } from '../../graph/referralCodes';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { loadCustomer, required } from './shared';

export const referralResolvers: Resolvers = {
  Query: {
    campaign: (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return ctx.loaders.campaign.load(id);
    },
    campaigns: (_root, { first }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return listCampaigns(ctx.graph, first);
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
      return (await ctx.events.record('ISSUE_REFERRAL_CODE', input)).result;
    },
    recordInvite: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('RECORD_INVITE', input)).result;
    },
    recordReferralClick: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('RECORD_REFERRAL_CLICK', input)).result;
    },
    recordSignup: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return (await ctx.events.record('RECORD_SIGNUP', input)).result;
    },
  },
  Referral: {
    referrer: (referral, _args, ctx) => loadCustomer(ctx, referral.referrerId),
    invitee: (referral, _args, ctx) => loadCustomer(ctx, referral.inviteeId),
    campaign: (referral, _args, ctx) => (referral.campaignId ? ctx.loaders.campaign.load(referral.campaignId) : null),
  },
  ReferralCode: {
    owner: (code, _args, ctx) => loadCustomer(ctx, code.ownerId),
    campaign: async (code, _args, ctx) => required(await ctx.loaders.campaign.load(code.campaignId), 'campaign'),
  },
};
