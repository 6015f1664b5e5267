import { keyedWrite } from '../../graph/keyedWrite';
import { approveReferral, rejectReferral } from '../../graph/referralReview';
import { decideReward, recordRefund, RewardRecord, rewardLedgers, rewardsByIds } from '../../graph/rewards';
import { payoutReport, reviewQueue } from '../../graph/reviewQueue';
import { actorOf, authorize } from '../auth';
import type { Resolvers } from '../generated/graphql';
import { loadCustomer } from './shared';

// Review decisions and reward changes: each mutation one keyed write (graph/keyedWrite.ts), so a replay with the
// same idempotency key returns the first result. The ledger names the caller by role and key id, never the key.

const rewardSubjects = (reward: RewardRecord) => [reward.customerId, reward.referrerId, reward.inviteeId];

export const rewardResolvers: Resolvers = {
  Query: {
    reviewQueue: (_root, { filter }, ctx) => {
      authorize(ctx.caller, 'reviewFraud');
      return reviewQueue(ctx.graph, filter);
    },
    reward: async (_root, { id }, ctx) => {
      authorize(ctx.caller, 'readRewards');
      return (await rewardsByIds(ctx.graph, [id])).get(id) ?? null;
    },
    payoutReport: (_root, args, ctx) => {
      authorize(ctx.caller, 'readRewards');
      return payoutReport(ctx.graph, args.campaignId, args.from, args.to);
    },
  },
  Mutation: {
    approveReferral: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'reviewFraud');
      const actor = actorOf(ctx.caller);
      const write = await keyedWrite(ctx.graph, 'APPROVE_REFERRAL', input, (tx) => approveReferral(tx, input, actor, Date.now()), (r) => [r.referrerId, r.inviteeId]);
      return write.result;
    },
    rejectReferral: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'reviewFraud');
      const actor = actorOf(ctx.caller);
      const write = await keyedWrite(ctx.graph, 'REJECT_REFERRAL', input, (tx) => rejectReferral(tx, input, actor, Date.now()), (r) => [r.referrerId, r.inviteeId]);
      return write.result;
    },
    approveReward: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'reviewFraud');
      const actor = actorOf(ctx.caller);
      return (await keyedWrite(ctx.graph, 'APPROVE_REWARD', input, (tx) => decideReward(tx, input, 'APPROVED', actor, Date.now()), rewardSubjects)).result;
    },
    revokeReward: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'reviewFraud');
      const actor = actorOf(ctx.caller);
      return (await keyedWrite(ctx.graph, 'REVOKE_REWARD', input, (tx) => decideReward(tx, input, 'REVOKED', actor, Date.now()), rewardSubjects)).result;
    },
    markRewardPaid: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'payRewards');
      const actor = actorOf(ctx.caller);
      return (await keyedWrite(ctx.graph, 'MARK_REWARD_PAID', input, (tx) => decideReward(tx, input, 'PAID', actor, Date.now()), rewardSubjects)).result;
    },
    recordRefund: async (_root, { input }, ctx) => {
      authorize(ctx.caller, 'writeEvents');
      const actor = actorOf(ctx.caller);
      const write = await keyedWrite(ctx.graph, 'RECORD_REFUND', input, (tx) => recordRefund(tx, input, actor, Date.now()), (refund) => [refund.customerId]);
      return write.result;
    },
  },
  Reward: {
    customer: (reward, _args, ctx) => loadCustomer(ctx, reward.customerId),
    ledger: async (reward, _args, ctx) => (await rewardLedgers(ctx.graph, [reward.id])).get(reward.id) ?? [],
  },
};
