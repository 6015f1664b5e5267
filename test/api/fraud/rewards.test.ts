import { releaseHeldRewards } from '../../../graph/rewards';
import { failure, key, ok } from '../../support/builders';
import { KEYS, startTestApi, TestApi, uniquePrefix } from '../../support/services';
import { APPROVE_REWARD, givenCampaign, givenReferrer, MARK_PAID, REFUND, REVIEW_QUEUE, REVOKE_REWARD, REWARD, SIGNUP_HELD } from './documents';
import crypto from 'node:crypto';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const DAY = 86_400_000;
const PURCHASE = `mutation($input: RecordPurchaseInput!) { recordPurchase(input: $input) { orderId } }`;
const CAMPAIGN_REWARDS = `query($id: ID!) { campaign(id: $id) { rewards { referrer { amount currency points } friend { amount currency points } holdDays manualApproval } } }`;
const TERMS = { referrer: { amount: 10, currency: 'EUR' }, friend: { points: 500 }, holdDays: 14 };

/** The key id the ledger names a role's key by (server/auth.ts): a hash prefix, never the key. */
const actor = (role: keyof typeof KEYS) => `${role}:${crypto.createHash('sha256').update(KEYS[role]).digest('hex').slice(0, 12)}`;

/** A converted referral: `${p}-ref` refers `${p}-new`, who buys order `${p}-o1` at `boughtAt`; returns both rewards by side. */
async function converted(p: string, boughtAt: number, rewards: Record<string, unknown> = TERMS) {
  const campaign = await givenCampaign(api, p, rewards);
  const code = await givenReferrer(api, `${p}-ref`, campaign);
  await ok(api, SIGNUP_HELD, { input: { customerId: `${p}-new`, code, at: new Date(boughtAt - DAY).toISOString(), idempotencyKey: key(p) } });
  await ok(api, PURCHASE, { input: { customerId: `${p}-new`, productId: `${p}-prod`, orderId: `${p}-o1`, amount: 30, currency: 'EUR', at: new Date(boughtAt).toISOString(), idempotencyKey: key(p) } });
  const queue = await ok(api, REVIEW_QUEUE, { filter: { campaignId: campaign } }, 'admin');
  const bySide = new Map<string, string>(queue.reviewQueue.pendingRewards.map((pending: { reward: { id: string; side: string } }) => [pending.reward.side, pending.reward.id]));
  return { campaign, referrerReward: bySide.get('REFERRER')!, friendReward: bySide.get('FRIEND')! };
}

const reward = async (id: string) => (await ok(api, REWARD, { id }, 'admin')).reward;

describe('campaign reward terms', () => {
  test('are data on the campaign: money or points per side, the hold period and manual approval', async () => {
    const p = uniquePrefix('terms');
    const campaign = await givenCampaign(api, p, { ...TERMS, manualApproval: true });
    expect((await ok(api, CAMPAIGN_REWARDS, { id: campaign })).campaign.rewards).toEqual({
      referrer: { amount: 10, currency: 'EUR', points: null }, friend: { amount: null, currency: null, points: 500 }, holdDays: 14, manualApproval: true,
    });
  });

  test('money without a currency, or both money and points, is BAD_USER_INPUT naming the side', async () => {
    const p = uniquePrefix('terms-bad');
    const create = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`;
    const base = { id: `${p}-camp`, name: 'x', startsAt: '2026-06-01T00:00:00.000Z' };
    expect(failure(await api.gql('service', create, { input: { ...base, rewards: { referrer: { amount: 5 } } } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rewards.referrer.currency' });
    expect(failure(await api.gql('service', create, { input: { ...base, rewards: { friend: { amount: 5, currency: 'EUR', points: 3 } } } }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rewards.friend' });
  });
});

describe('rewards of a conversion', () => {
  test('a conversion creates a PENDING reward for each side, held for the hold period from the converting purchase', async () => {
    const p = uniquePrefix('rewards');
    const boughtAt = Date.now() - DAY;
    const { referrerReward, friendReward } = await converted(p, boughtAt);
    expect(await reward(referrerReward)).toMatchObject({
      side: 'REFERRER', status: 'PENDING', amount: 10, currency: 'EUR', points: null, orderId: `${p}-o1`, customer: { id: `${p}-ref` },
      convertedAt: new Date(boughtAt).toISOString(), holdUntil: new Date(boughtAt + 14 * DAY).toISOString(),
      ledger: [{ from: null, to: 'PENDING', at: expect.any(String), actor: 'system:conversion', reason: 'conversion' }],
    });
    expect(await reward(friendReward)).toMatchObject({ side: 'FRIEND', status: 'PENDING', points: 500, customer: { id: `${p}-new` } });
    // A second purchase converts nothing again.
    await ok(api, PURCHASE, { input: { customerId: `${p}-new`, productId: `${p}-prod`, orderId: `${p}-o2`, amount: 5, currency: 'EUR', idempotencyKey: key(p) } });
    const queue = await ok(api, REVIEW_QUEUE, { filter: { campaignId: `${p}-camp` } }, 'admin');
    expect(queue.reviewQueue.pendingRewards).toHaveLength(2);
  });

  test('a refund of the converting purchase within the hold period revokes both rewards, and the ledger shows each step', async () => {
    const p = uniquePrefix('refund');
    const { referrerReward, friendReward } = await converted(p, Date.now() - DAY);
    const approved = await api.gql('community', APPROVE_REWARD, { input: { rewardId: referrerReward, note: 'looks fine', idempotencyKey: key(p) } });
    expect(approved.data!.approveReward.status).toBe('APPROVED');
    const refund = await ok(api, REFUND, { input: { orderId: `${p}-o1`, idempotencyKey: key(p) } });
    expect(refund.recordRefund.revokedRewards.map((r: { id: string; status: string }) => r.status)).toEqual(['REVOKED', 'REVOKED']);
    expect((await reward(referrerReward)).ledger).toEqual([
      { from: null, to: 'PENDING', at: expect.any(String), actor: 'system:conversion', reason: 'conversion' },
      { from: 'PENDING', to: 'APPROVED', at: expect.any(String), actor: actor('community'), reason: 'looks fine' },
      { from: 'APPROVED', to: 'REVOKED', at: expect.any(String), actor: actor('service'), reason: `refund of order ${p}-o1` },
    ]);
    expect((await reward(friendReward)).ledger.map((entry: { to: string }) => entry.to)).toEqual(['PENDING', 'REVOKED']);
    // Nothing leaves REVOKED.
    expect(failure(await api.gql('community', APPROVE_REWARD, { input: { rewardId: friendReward, idempotencyKey: key(p) } }))).toMatchObject({ code: 'CONFLICT', field: 'input.rewardId' });
    // The order is refunded once.
    expect(failure(await api.gql('service', REFUND, { input: { orderId: `${p}-o1`, idempotencyKey: key(p) } }))).toMatchObject({ code: 'CONFLICT', field: 'input.orderId' });
  });

  test('a refund after the hold period revokes nothing; the release job approves rewards past their hold', async () => {
    const p = uniquePrefix('late-refund');
    const boughtAt = Date.now() - 20 * DAY;
    const { referrerReward } = await converted(p, boughtAt);
    expect(await releaseHeldRewards(api.graph, Date.now())).toBeGreaterThanOrEqual(2);
    expect(await reward(referrerReward)).toMatchObject({ status: 'APPROVED', ledger: [{ to: 'PENDING' }, { from: 'PENDING', to: 'APPROVED', actor: 'system:hold-period', reason: 'hold-period-passed' }] });
    const refund = await ok(api, REFUND, { input: { orderId: `${p}-o1`, idempotencyKey: key(p) } });
    expect(refund.recordRefund.revokedRewards).toEqual([]);
  });

  test('manual approval campaigns are never released by the job; a paid reward is final', async () => {
    const p = uniquePrefix('manual');
    const { referrerReward } = await converted(p, Date.now() - 20 * DAY, { ...TERMS, manualApproval: true });
    await releaseHeldRewards(api.graph, Date.now());
    expect((await reward(referrerReward)).status).toBe('PENDING');
    expect(failure(await api.gql('service', MARK_PAID, { input: { rewardId: referrerReward, idempotencyKey: key(p) } }))).toMatchObject({ code: 'CONFLICT', field: 'input.rewardId' });
    await ok(api, APPROVE_REWARD, { input: { rewardId: referrerReward, idempotencyKey: key(p) } }, 'admin');
    const paid = await ok(api, MARK_PAID, { input: { rewardId: referrerReward, idempotencyKey: key(p) } });
    expect(paid.markRewardPaid.status).toBe('PAID');
    expect(failure(await api.gql('admin', REVOKE_REWARD, { input: { rewardId: referrerReward, idempotencyKey: key(p) } }))).toMatchObject({ code: 'CONFLICT', field: 'input.rewardId' });
    const report = await ok(api, `query($c: ID!, $from: DateTime!, $to: DateTime!) { payoutReport(campaignId: $c, from: $from, to: $to) { rewardId side status amount currency customerId paidAt } }`, {
      c: `${p}-camp`, from: new Date(Date.now() - DAY).toISOString(), to: new Date(Date.now() + DAY).toISOString(),
    });
    expect(report.payoutReport).toEqual([{ rewardId: referrerReward, side: 'REFERRER', status: 'PAID', amount: 10, currency: 'EUR', customerId: `${p}-ref`, paidAt: expect.any(String) }]);
  });

  test('concurrent approvals of one reward: one moves it, the others find it APPROVED', async () => {
    const p = uniquePrefix('race');
    const { referrerReward } = await converted(p, Date.now() - DAY);
    const results = await Promise.all(Array.from({ length: 5 }, () => api.gql('community', APPROVE_REWARD, { input: { rewardId: referrerReward, idempotencyKey: key(p) } })));
    expect(results.filter((body) => !body.errors)).toHaveLength(1);
    expect(results.filter((body) => body.errors).map((body) => failure(body).code)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    expect((await reward(referrerReward)).ledger).toHaveLength(2);
  });

  test('idempotent reward decisions replay; a marketer cannot approve or revoke, and only service or admin mark paid', async () => {
    const p = uniquePrefix('reward-roles');
    const { referrerReward } = await converted(p, Date.now() - DAY);
    expect(failure(await api.gql('marketer', APPROVE_REWARD, { input: { rewardId: referrerReward, idempotencyKey: key(p) } })).code).toBe('FORBIDDEN');
    expect(failure(await api.gql('marketer', REVOKE_REWARD, { input: { rewardId: referrerReward, idempotencyKey: key(p) } })).code).toBe('FORBIDDEN');
    expect(failure(await api.gql('community', MARK_PAID, { input: { rewardId: referrerReward, idempotencyKey: key(p) } })).code).toBe('FORBIDDEN');
    const input = { rewardId: referrerReward, idempotencyKey: key(p) };
    const first = await api.gql('community', REVOKE_REWARD, { input });
    expect(await api.gql('community', REVOKE_REWARD, { input })).toEqual(first);
    expect((await reward(referrerReward)).ledger).toHaveLength(2);
  });
});
