import { launchReport } from '../../graph/analytics/launch';
import { admitMembers } from '../../graph/quotas';
import { joinWaitlist, waitlistPosition } from '../../graph/waitlist';
import { admitWave } from '../../graph/waves';
import { authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { loadCustomer, required } from './shared';

// Invite-only launches: quotas, waitlists and waves (graph/quotas.ts, graph/waitlist.ts, graph/waves.ts).

export const launchResolvers: Resolvers = {
  Query: {
    waitlistPosition: (_root, { customerId, campaignId }, ctx) => {
      authorize(ctx.caller, 'readEntities');
      return waitlistPosition(ctx.graph, customerId, campaignId);
    },
    launchReport: (_root, { campaignId }, ctx) => {
      authorize(ctx.caller, 'readAnalytics');
      return launchReport(ctx.graph, campaignId);
    },
  },
  Mutation: {
    admitWave: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'admitLaunchMembers');
      return admitWave(ctx.graph, input);
    },
    admitMembers: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'admitLaunchMembers');
      return admitMembers(ctx.graph, input);
    },
    joinWaitlist: (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      return joinWaitlist(ctx.graph, input);
    },
  },
  Campaign: {
    inviteQuota: (campaign) => campaign.inviteQuota ?? null,
    waitlist: (campaign) => campaign.waitlist ?? false,
    moveUpPerReferral: (campaign) => campaign.moveUpPerReferral ?? 0,
    earnedInvitesPerConvertedInvitee: (campaign) => campaign.earnedInvitesPerConvertedInvitee ?? 0,
    waveSize: (campaign) => campaign.waveSize ?? null,
  },
  WaitlistPosition: {
    customer: (position, _args, ctx) => loadCustomer(ctx, position.customerId),
    campaign: async (position, _args, ctx) => required(await ctx.loaders.campaign.load(position.campaignId), 'campaign'),
  },
  Wave: {
    campaign: async (wave, _args, ctx) => required(await ctx.loaders.campaign.load(wave.campaignId), 'campaign'),
  },
  AdmitMembersResult: {
    campaign: async (result, _args, ctx) => required(await ctx.loaders.campaign.load(result.campaignId), 'campaign'),
  },
  LaunchReport: {
    campaign: async (report, _args, ctx) => required(await ctx.loaders.campaign.load(report.campaignId), 'campaign'),
  },
};

