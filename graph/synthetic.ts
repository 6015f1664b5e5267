// A seeded generator of referral networks with a realistic shape: heavy-tailed social degrees
// (preferential attachment), referral trees several generations deep, and a funnel that loses
// people at each step. The same seed always gives the same graph.

import { addPurchaseHistories } from './syntheticHistories';

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2026, 0, 1);

export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticCustomer {
  id: string;
  name: string;
  stage: string;
  stageRank: number;
  createdAt: number;
  signedUpAt: number | null;
}

export interface SyntheticReferral {
  referrerId: string;
  inviteeId: string;
  campaign: string;
  channel: string;
  status: string;
  invitedAt: number;
  clickedAt: number | null;
  signedUpAt: number | null;
  firstPurchaseAt: number | null;
}

export interface SyntheticCampaign {
  id: string;
  name: string;
  startsAt: number;
  endsAt: number;
  attributionWindowDays: number;
  attributionModel: string;
  // Launch settings (graph/quotas.ts, graph/waitlist.ts), only on the invite-only campaign of `launch`.
  inviteQuota?: number;
  waitlist?: boolean;
  moveUpPerReferral?: number;
  earnedInvitesPerConvertedInvitee?: number;
  waveSize?: number;
  waitlistSeq?: number;
}

/** A place in the invite-only campaign, as graph/membership.ts stores it. */
export interface SyntheticMembership {
  customerId: string;
  campaignId: string;
  status: 'WAITING' | 'MEMBER';
  seq: number | null;
  score: number | null;
  credits: number;
  origin: 'FOUNDER' | null;
  joinedAt: number;
}

export interface SyntheticGraph {
  campaigns: SyntheticCampaign[];
  customers: SyntheticCustomer[];
  knows: Array<[string, string, number]>;
  referrals: SyntheticReferral[];
  /** `currency` is EUR when absent (the only currency without the purchaseHistories option). */
  purchases: Array<{ customerId: string; productId: string; orderId: string; amount: number; at: number; currency?: string }>;
  reviews: Array<{ customerId: string; productId: string; rating: number; recommend: number; at: number }>;
  products: Array<{ id: string; name: string }>;
  /** With the `launch` option only: the places in the invite-only waitlist campaign `LAUNCH_CAMPAIGN_ID`. */
  memberships?: SyntheticMembership[];
  /** Only with the `fraud` option: identifier hashes linked to customers (opaque hex strings, as stored). */
  identifiers?: Array<{ customerId: string; kind: string; hash: string }>;
}

const STAGES = ['STRANGER', 'FOLLOWER', 'INTERESTED', 'FAN', 'BUYER', 'REPEAT_BUYER', 'LOYAL'];
const CHANNELS = ['email', 'sms', 'whatsapp', 'link'];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Ema', 'Finn', 'Gia', 'Hugo', 'Ines', 'Jon', 'Kai', 'Lena', 'Milo', 'Nora', 'Omar', 'Pia'];
const LAST = ['Alves', 'Brown', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Haas', 'Ito', 'Jensen', 'Kim', 'Lopez', 'Moreau', 'Novak'];

export interface SyntheticOptions {
  /** Friends each newcomer draws among earlier customers (3 by default); repeats of a draw are dropped, so a few get fewer. */
  knowsPerCustomer?: number;
  /**
   * Adds an invite-only waitlist campaign (`LAUNCH_CAMPAIGN_ID`): off by default, and drawn from its own seeded
   * random sequence, so the rest of the graph is the same with it or without it except for the referrals it
   * moves into the launch campaign.
   */
  launch?: SyntheticLaunchOptions;
  /**
   * Plants fraud (off by default, so outputs without it do not change): every customer gets identifiers of their own,
   * and `rings` rings of `ringSize` extra customers (`ring<r>-<k>`) share a device and refer each other in a chain
   * (HELD, SHARED_IDENTIFIER), half of them also sharing a card. Drawn from a random stream of its own.
   */
  fraud?: { rings: number; ringSize?: number };
  /**
   * Seeded purchase histories up to SYNTHETIC_HISTORY_END (steady, growing, declining, lost and one-time buyers),
   * more reviews with ratings and NPS answers that follow them (graph/syntheticHistories.ts). Off by default: the
   * graph is then the same as before the option existed; on, everything else stays the same too.
   */
  purchaseHistories?: boolean;
  /** With purchaseHistories: share of buyers who pay in USD (0 by default). */
  foreignCurrencyShare?: number;
}

export interface SyntheticLaunchOptions {
  /** Founders: the first signed-up customers, admitted as members (10 by default). */
  founders?: number;
  /** Share of the other signed-up customers on the waitlist (0.5 by default). */
  waitlistShare?: number;
  /** Share of credited referrals by a waiting referrer that count for the launch campaign (0.5 by default). */
  launchReferralShare?: number;
}

export const LAUNCH_CAMPAIGN_ID = 'beta-launch';

export function generateSyntheticGraph(size: number, seed: number, options: SyntheticOptions = {}): SyntheticGraph {
  const knowsPerCustomer = options.knowsPerCustomer ?? 3;
  if (!Number.isInteger(knowsPerCustomer) || knowsPerCustomer < 0) throw new Error(`knowsPerCustomer must be a whole number ≥ 0, got ${knowsPerCustomer}`);
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const campaigns = [
    { id: 'spring-friends', name: 'Spring friends', startsAt: EPOCH, endsAt: EPOCH + 400 * DAY_MS, attributionWindowDays: 30, attributionModel: 'LAST_TOUCH' },
    { id: 'vip-advocates', name: 'VIP advocates', startsAt: EPOCH, endsAt: EPOCH + 400 * DAY_MS, attributionWindowDays: 60, attributionModel: 'FIRST_TOUCH' },
  ];
  const products = Array.from({ length: 20 }, (_, i) => ({ id: `p${i + 1}`, name: `Product ${i + 1}` }));
  const customers: SyntheticCustomer[] = [];
  const knows: Array<[string, string, number]> = [];
  const referrals: SyntheticReferral[] = [];
  const purchases: SyntheticGraph['purchases'] = [];
  const reviews: SyntheticGraph['reviews'] = [];

  // Preferential attachment: each newcomer befriends ~knowsPerCustomer earlier people, chosen in proportion to their degree.
  const degreeBag: number[] = [];
  // Referrers are drawn in proportion to (referrals made + 1) among signed-up customers: a few advocates refer many.
  const referrerBag: number[] = [];

  for (let i = 0; i < size; i++) {
    const id = `c${i + 1}`;
    const createdAt = EPOCH + Math.floor((i / Math.max(1, size)) * 300 * DAY_MS);
    const customer: SyntheticCustomer = { id, name: `${pick(FIRST)} ${pick(LAST)}`, stage: 'STRANGER', stageRank: 0, createdAt, signedUpAt: null };
    customers.push(customer);

    const friends = new Set<number>();
    for (let m = 0; m < Math.min(knowsPerCustomer, i); m++) {
      const j = degreeBag.length > 0 && random() < 0.9 ? degreeBag[Math.floor(random() * degreeBag.length)] : Math.floor(random() * i);
      if (j !== i && !friends.has(j)) friends.add(j);
    }
    for (const j of friends) {
      knows.push([id, customers[j].id, Math.round(random() * 100) / 100]);
      degreeBag.push(i, j);
    }

    let rank = random() < 0.3 ? 1 : 0;
    const invited = referrerBag.length > 0 && random() < 0.7;
    let signedUp = !invited && random() < 0.5;
    if (invited) {
      const referrerIndex = referrerBag[Math.floor(random() * referrerBag.length)];
      const referrer = customers[referrerIndex];
      // Advocates: every referral a customer makes raises the chance they are picked again.
      referrerBag.push(referrerIndex);
      const invitedAt = createdAt;
      const clicked = random() < 0.7;
      signedUp = clicked && random() < 0.6;
      const referral: SyntheticReferral = {
        referrerId: referrer.id, inviteeId: id, campaign: pick(campaigns).id, channel: pick(CHANNELS),
        status: signedUp ? 'SIGNED_UP' : clicked ? 'CLICKED' : 'INVITED', invitedAt,
        clickedAt: clicked ? invitedAt + Math.floor(random() * DAY_MS) : null,
        signedUpAt: signedUp ? invitedAt + DAY_MS + Math.floor(random() * 5 * DAY_MS) : null,
        firstPurchaseAt: null,
      };
      referrals.push(referral);
      if (clicked) rank = Math.max(rank, 2);
      if (signedUp) customer.signedUpAt = referral.signedUpAt;
      if (signedUp && random() < 0.5) {
        referral.status = 'CONVERTED';
        referral.firstPurchaseAt = referral.signedUpAt! + Math.floor(random() * 10 * DAY_MS);
      }
    } else if (signedUp) {
      customer.signedUpAt = createdAt;
    }
    if (signedUp) {
      rank = 3;
      referrerBag.push(i);
      const referral = invited ? referrals[referrals.length - 1] : null;
      const buys = referral ? referral.status === 'CONVERTED' : random() < 0.5;
      if (buys) {
        const count = random() < 0.4 ? 2 + Math.floor(random() * 3) : 1;
        const first = referral?.firstPurchaseAt ?? customer.signedUpAt! + DAY_MS;
        for (let k = 0; k < count; k++) {
          purchases.push({ customerId: id, productId: pick(products).id, orderId: `o-${id}-${k + 1}`, amount: 5 + Math.floor(random() * 19500) / 100, at: first + k * 7 * DAY_MS });
        }
        rank = count >= 2 ? 5 : 4;
        if (random() < 0.3) {
          const recommend = Math.floor(random() * 11);
          reviews.push({ customerId: id, productId: purchases[purchases.length - 1].productId, rating: 1 + Math.floor(random() * 5), recommend, at: first + DAY_MS });
          if (rank === 5 && recommend >= 9) rank = 6;
        }
      }
    }
    customer.stage = STAGES[rank];
    customer.stageRank = rank;
  }
  const graph: SyntheticGraph = { campaigns, customers, knows, referrals, purchases, reviews, products };
  // Each option draws from a random stream of its own, so the graph above does not depend on which are on.
  if (options.purchaseHistories) addPurchaseHistories(graph, seededRandom(seed ^ 0x5eed1e55), { foreignCurrencyShare: options.foreignCurrencyShare });
  if (options.launch) addLaunch(graph, seed, options.launch);
  if (options.fraud) plantFraud(graph, seed, options.fraud.rings, options.fraud.ringSize ?? 4);
  return graph;
}

/**
 * The invite-only waitlist campaign: founders, then signed-up customers on the waitlist in sign-up order
 * (their join number), a share of the referrals they were credited with moved into the launch campaign,
 * and each waiting customer's score moved up by those referrals, as graph/membership.ts would have.
 */
function addLaunch(graph: SyntheticGraph, seed: number, options: SyntheticLaunchOptions): void {
  const random = seededRandom(seed ^ 0x1a0c4);
  const founders = options.founders ?? 10;
  const waitlistShare = options.waitlistShare ?? 0.5;
  const launchReferralShare = options.launchReferralShare ?? 0.5;
  const moveUpPerReferral = 5;
  const signedUp = graph.customers.filter((c) => c.signedUpAt !== null).sort((a, b) => a.signedUpAt! - b.signedUpAt! || (a.id < b.id ? -1 : 1));
  const memberships: SyntheticMembership[] = [];
  const waiting = new Map<string, SyntheticMembership>();
  let seq = 0;
  for (const [index, customer] of signedUp.entries()) {
    if (index < founders) {
      memberships.push({ customerId: customer.id, campaignId: LAUNCH_CAMPAIGN_ID, status: 'MEMBER', seq: null, score: null, credits: 0, origin: 'FOUNDER', joinedAt: customer.signedUpAt! });
    } else if (random() < waitlistShare) {
      seq++;
      const place: SyntheticMembership = { customerId: customer.id, campaignId: LAUNCH_CAMPAIGN_ID, status: 'WAITING', seq, score: seq, credits: 0, origin: null, joinedAt: customer.signedUpAt! };
      memberships.push(place);
      waiting.set(customer.id, place);
    }
  }
  for (const referral of graph.referrals) {
    const place = waiting.get(referral.referrerId);
    if (!place || referral.signedUpAt === null || random() >= launchReferralShare) continue;
    referral.campaign = LAUNCH_CAMPAIGN_ID;
    place.credits++;
    place.score! -= moveUpPerReferral;
  }
  graph.campaigns.push({
    id: LAUNCH_CAMPAIGN_ID, name: 'Beta launch', startsAt: EPOCH, endsAt: EPOCH + 400 * DAY_MS, attributionWindowDays: 30, attributionModel: 'LAST_TOUCH',
    inviteQuota: 3, waitlist: true, moveUpPerReferral, earnedInvitesPerConvertedInvitee: 1, waveSize: 1000, waitlistSeq: seq,
  });
  graph.memberships = memberships;
}

/** A deterministic stand-in for a keyed identifier hash: 64 hex characters. */
function syntheticHash(random: () => number): string {
  let hex = '';
  while (hex.length < 64) hex += Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
  return hex;
}

function plantFraud(graph: SyntheticGraph, seed: number, rings: number, ringSize: number): void {
  if (!Number.isInteger(rings) || rings < 0 || !Number.isInteger(ringSize) || ringSize < 2) throw new Error('fraud: rings must be ≥ 0 and ringSize ≥ 2');
  const random = seededRandom(seed ^ 0x5eedf00d);
  const identifiers: NonNullable<SyntheticGraph['identifiers']> = [];
  for (const customer of graph.customers) {
    identifiers.push({ customerId: customer.id, kind: 'DEVICE', hash: syntheticHash(random) });
    if (random() < 0.5) identifiers.push({ customerId: customer.id, kind: 'EMAIL', hash: syntheticHash(random) });
  }
  const campaign = graph.campaigns[0];
  for (let r = 0; r < rings; r++) {
    const device = syntheticHash(random);
    const card = random() < 0.5 ? syntheticHash(random) : null;
    const start = campaign.startsAt + Math.floor(random() * 300) * DAY_MS;
    for (let k = 0; k < ringSize; k++) {
      const id = `ring${r + 1}-${k + 1}`;
      const signedUpAt = start + k * 3_600_000;
      graph.customers.push({ id, name: `${FIRST[k % FIRST.length]} ${LAST[r % LAST.length]}`, stage: 'FAN', stageRank: 3, createdAt: signedUpAt, signedUpAt });
      identifiers.push({ customerId: id, kind: 'DEVICE', hash: device });
      if (card && k % 2 === 1) identifiers.push({ customerId: id, kind: 'PAYMENT', hash: card });
      if (k > 0) {
        graph.referrals.push({
          referrerId: `ring${r + 1}-${k}`, inviteeId: id, campaign: campaign.id, channel: 'code', status: 'HELD',
          invitedAt: signedUpAt, clickedAt: null, signedUpAt, firstPurchaseAt: null,
        });
      }
    }
  }
  graph.identifiers = identifiers;
}
