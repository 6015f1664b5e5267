import { AdvocateRecord, advocateCursor, advocatePage, checkAdvocateFilter, MAX_ADVOCATE_LIMIT, requireCampaign } from '../../graph/analytics/advocates';
import { inviteSuggestions } from '../../graph/analytics/inviteSuggestions';
import { hopBound } from '../../graph/analytics/kinds';
import { MAX_SEED_K, planFor } from '../../graph/analytics/seeding';
import { ratingFor, reviewsFor } from '../../graph/analytics/trustedReviews';
import { checkId } from '../../graph/validate';
import { authorize } from '../auth';
import type { RequestContext } from '../context';
import type { Resolvers } from '../generated/graphql';
import { advocatesQuestion, seedQuestion } from '../wholeGraphSnapshots';
import { connection, fraudRingMembers, loadCustomer as customer, loadCustomers as customers } from './shared';

// Marketer analytics: thin resolvers over graph/analytics (advocates, seeding, inviteSuggestions, trustedReviews).
// Rankings and the seeding plan read the whole graph: they are snapshots with their `asOf`, holding customer
// ids and numbers only; customers are loaded afresh for the fields asked, so `email` keeps its role rule.

async function advocateAnswers(ctx: RequestContext, entries: AdvocateRecord[], asOf: number) {
  return Promise.all(entries.map(async (entry) => ({ ...entry, asOf, cursor: advocateCursor(entry), customer: await customer(ctx, entry.customerId) })));
}

export const marketerResolvers: Resolvers = {
  Query: {
    advocates: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const { ranking, limit, after } = await checkAdvocateFilter(ctx.graph, args.filter);
      const snapshot = await ctx.snapshots.serve(advocatesQuestion(ranking), ctx.wholeGraph);
      return advocateAnswers(ctx, advocatePage(snapshot.value.entries, after, limit), snapshot.asOf);
    },
    untappedAdvocates: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const limit = hopBound('limit', args.limit ?? 20, MAX_ADVOCATE_LIMIT);
      const snapshot = await ctx.snapshots.serve(advocatesQuestion({ campaignId: null, minRecommend: null, stage: null, untapped: true }), ctx.wholeGraph);
      return advocateAnswers(ctx, snapshot.value.entries.slice(0, limit), snapshot.asOf);
    },
    seedAdvocates: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const k = hopBound('k', args.k, MAX_SEED_K);
      const campaignId = args.campaignId ? checkId('campaignId', args.campaignId) : null;
      if (campaignId !== null) await requireCampaign(ctx.graph, campaignId);
      const snapshot = await ctx.snapshots.serve(seedQuestion(campaignId), ctx.wholeGraph);
      const plan = planFor(snapshot.value, k);
      return {
        picks: await Promise.all(plan.picks.map(async (pick) => ({ ...pick, customer: await customer(ctx, pick.customerId) }))),
        totalReach: plan.totalReach,
        naiveTotalReach: plan.naiveTotalReach,
        naivePicks: await customers(ctx, plan.naive),
        candidates: plan.candidates,
        asOf: snapshot.asOf,
      };
    },
    inviteSuggestions: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const suggestions = await inviteSuggestions(ctx.graph, args.customerId, args.limit ?? 10);
      return Promise.all(
        suggestions.map(async (suggestion) => ({
          ...suggestion,
          customer: await customer(ctx, suggestion.customerId),
          sharedContacts: await customers(ctx, suggestion.sharedContactIds),
        })),
      );
    },
  },
  Product: {
    reviewsFor: async (product, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const page = await reviewsFor(ctx.graph, product.id, args.readerId, args.first, args.after);
      const edges = await Promise.all(
        page.items.map(async (item, index) => ({
          cursor: page.cursors[index],
          node: item.review,
          distance: item.distance,
          via: item.viaId === null ? null : await customer(ctx, item.viaId),
        })),
      );
      return connection(edges, page);
    },
    ratingFor: async (product, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      return ratingFor(ctx.graph, product.id, args.readerId, await fraudRingMembers(ctx));
    },
  },
};
