import { churnRisks } from '../../graph/analytics/churn';
import { customerSegments, SegmentTable, segmentPageRequest, tableContext } from '../../graph/analytics/segments';
import { CustomerValueRecord, customerValue, ValueContext } from '../../graph/analytics/value';
import { badInput } from '../../graph/errors';
import { checkId, checkIntRange } from '../../graph/validate';
import { MAX_CHURN_LIMIT, Money, parseMoney, parseValueRules, snapshotMoment, ValueRules } from '../../graph/valueRules';
import type { MoneyInput, ValueRulesInput } from '../../schema/generated/types';
import { authorize } from '../auth';
import type { RequestContext } from '../context';
import type { Resolvers } from '../generated/graphql';
import { purchaseBehaviourQuestion, segmentTableQuestion, valueCutoffsQuestion } from '../wholeGraphSnapshots';
import { connection, loadCustomer, loadCustomers } from './shared';

// Customer value, segments, purchase behaviour and churn risks (graph/analytics/value.ts and its neighbours).
// Marketer, community and admin roles. The ABC and RFM cut-offs and the purchase rates are whole-graph snapshots;
// a customer's own facts are read afresh. Answers hold customer ids; customers are loaded through the request's loader.

interface ValueArgs {
  asOf?: number | null;
  rules?: ValueRulesInput | null;
  money?: MoneyInput | null;
}

/** The rules, the money and the snapshot cut-offs a value question is answered with. Validates before any query. */
async function valueContext(ctx: RequestContext, args: ValueArgs): Promise<ValueContext> {
  const rules = parseValueRules(args.rules);
  const money = parseMoney(args.money);
  const asOf = args.asOf ?? Date.now();
  const question = valueCutoffsQuestion({ asOf: snapshotMoment(args.asOf), money, abcA: rules.abcA, abcB: rules.abcB });
  const snapshot = await ctx.snapshots.serve(question, ctx.wholeGraph);
  // The moment the cut-offs reflect: the snapshot's own for the moving one, the start of the day asked about otherwise.
  return { asOf, rules, money, cutoffs: snapshot.value, cutoffsAsOf: snapshot.value.asOf };
}

/** The segment table (every buyer's tier and lifecycle) the lists are served from, and the context its pages are read in. */
async function segments(ctx: RequestContext, args: ValueArgs): Promise<{ table: SegmentTable; context: ValueContext; rules: ValueRules; money: Money }> {
  const rules = parseValueRules(args.rules);
  const money = parseMoney(args.money);
  const snapshot = await ctx.snapshots.serve(segmentTableQuestion({ asOf: snapshotMoment(args.asOf), money, rules }), ctx.wholeGraph);
  return { table: snapshot.value, context: tableContext(snapshot.value, rules, money), rules, money };
}

const withCustomer = async (ctx: RequestContext, value: CustomerValueRecord) => ({ ...value, customer: await loadCustomer(ctx, value.customerId) });

const optionalId = (field: string, value: string | null | undefined) => (value === null || value === undefined ? null : checkId(field, value));

export const valueResolvers: Resolvers = {
  Query: {
    customerValue: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      checkId('customerId', args.customerId);
      const context = await valueContext(ctx, args);
      return withCustomer(ctx, await customerValue(ctx.graph, args.customerId, context));
    },
    customerSegments: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const request = segmentPageRequest(args.first, args.after);
      const filter = {
        tier: args.filter?.tier ?? null,
        lifecycle: args.filter?.lifecycle ?? null,
        campaignId: optionalId('filter.campaignId', args.filter?.campaignId),
      };
      const { table, context } = await segments(ctx, args);
      const page = await customerSegments(ctx.graph, table, filter, request, context);
      const edges = await Promise.all(page.items.map(async (item, index) => ({ cursor: page.cursors[index], node: await withCustomer(ctx, item) })));
      return {
        ...connection(edges, page),
        asOf: context.asOf,
        cutoffsAsOf: context.cutoffsAsOf,
      };
    },
    purchaseBehaviour: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const money = parseMoney(args.money);
      const snapshot = await ctx.snapshots.serve(purchaseBehaviourQuestion({ asOf: snapshotMoment(args.asOf), money }), ctx.wholeGraph);
      const behaviour = snapshot.value;
      // A referral may name a campaign with no Campaign node (data loaded before campaigns were checked): left out here.
      const byCampaign = await Promise.all(
        behaviour.byCampaign.map(async (entry) => ({ campaign: await ctx.loaders.campaign.load(entry.campaignId), rates: entry.rates })),
      );
      return { ...behaviour, byCampaign: byCampaign.flatMap((entry) => (entry.campaign ? [{ campaign: entry.campaign, rates: entry.rates }] : [])) };
    },
    churnRisks: async (_root, args, ctx) => {
      authorize(ctx.caller, 'readMarketing');
      const limit = checkIntRange('filter.limit', args.filter?.limit ?? 20, 1, MAX_CHURN_LIMIT);
      const tier = args.filter?.tier ?? null;
      if (tier === 'C') throw badInput('filter.tier', 'filter.tier must be A or B: churnRisks lists valuable customers only.');
      const filter = { tier, limit, campaignId: optionalId('filter.campaignId', args.filter?.campaignId) };
      const { table, context } = await segments(ctx, args);
      const risks = await churnRisks(ctx.graph, table, filter, context);
      return Promise.all(
        risks.map(async (risk) => ({
          ...risk,
          customer: await loadCustomer(ctx, risk.customerId),
          value: await withCustomer(ctx, risk.value),
          winBackRoute: await loadCustomers(ctx, risk.winBackRoute),
        })),
      );
    },
  },
};
