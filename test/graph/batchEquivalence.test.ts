import type { EventInput } from '../../schema/generated/types';
import { createCampaign } from '../../graph/campaigns';
import { DomainError } from '../../graph/errors';
import { recordEvents, recordEventsOneByOne } from '../../graph/events';
import { applyMigrations } from '../../graph/migrations';
import { cypher, Graph } from '../../graph/neo4j';
import { seededRandom } from '../../graph/synthetic';
import { useFraudRules } from '../../graph/fraudRules';
import { useIdentifierSecret } from '../../graph/identifiers';
import { testGraph, uniquePrefix } from '../support/services';

// The set-based recordEvents against its reference, recordEventsOneByOne (each event through its single
// writer, in order): seeded batches of every kind, with dependencies inside the batch, replays within and
// across batches, and invalid events, go through both under two id prefixes; the graphs they leave and the
// errors they report must be the same once the prefix (and random referral codes) are normalised.

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);
const NOW = Date.UTC(2026, 6, 15);
// Graph functions take instants as epoch milliseconds (the DateTime scalar converts them in the API).
const at = (day: number) => T0 + day * DAY;

/** A batch named without a prefix: `@name` is a customer, `#n` a key, `$name` the referral code of `name`. */
type Template = Record<string, unknown>;

function generateBatch(random: () => number, known: string[], unsigned: string[], owners: string[], size: number, serial: { n: number }, history: Template[]): Template[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;
  const key = () => `#${serial.n++}`;
  const day = () => 1 + Math.floor(random() * 20);
  // Identifiers from a small pool, so that referrers and invitees share some (the SHARED_IDENTIFIER rule).
  const identifiers = () => (chance(0.3) ? { identifiers: [{ kind: pick(['DEVICE', 'DEVICE', 'IP']), value: `@${pick(['id1', 'id2', 'id3', 'id4'])}` }] } : {});
  const events: Template[] = [];
  while (events.length < size) {
    const roll = random();
    if (roll < 0.35) {
      // A story: a referrer invites a new friend, who may click, sign up, buy and review.
      const referrer = pick(known);
      const friend = `f${serial.n++}`;
      const byCode = chance(0.3) ? pick(owners) : null;
      const source = byCode ? { code: `$${byCode}` } : { referrerId: `@${referrer}`, campaignId: chance(0.5) ? '@camp-last' : '@camp-first' };
      const start = day();
      if (chance(0.2)) events.push({ upsertCustomer: { id: `@${referrer}`, name: `R ${serial.n}`, resetStage: false, ...identifiers() } });
      events.push({ recordInvite: { ...source, invitee: { id: `@${friend}`, ...(chance(0.3) ? { email: `${friend}@@mail.test` } : {}) }, channel: pick(['email', 'sms']), at: at(start), idempotencyKey: key() } });
      if (chance(0.4)) events.push({ recordReferralClick: { ...source, inviteeId: `@${friend}`, at: at(start + 1), idempotencyKey: key() } });
      if (chance(0.8)) {
        const code = chance(0.2) ? { code: `$${pick(owners)}` } : {};
        events.push({ recordSignup: { customerId: `@${friend}`, at: at(start + 2), ...code, ...(chance(0.3) ? { email: `s${friend}@@mail.test` } : {}), ...identifiers(), idempotencyKey: key() } });
        known.push(friend);
        if (chance(0.7)) events.push({ recordPurchase: { customerId: `@${friend}`, productId: pick(['@p1', '@p2', '@new']), productName: 'Thing', orderId: `@o${serial.n++}`, amount: 10, currency: 'EUR', at: at(start + pick([1, 3, 4])), ...identifiers(), idempotencyKey: key() } });
        if (chance(0.4)) events.push({ recordPurchase: { customerId: `@${friend}`, productId: '@p1', orderId: `@o${serial.n++}`, amount: 5, currency: 'EUR', at: at(start + 5), idempotencyKey: key() } });
        if (chance(0.4)) events.push({ recordReview: { customerId: `@${friend}`, productId: '@p1', rating: 1 + Math.floor(random() * 5), recommend: pick([3, 9, 10]), text: 'ok', at: at(start + 6), idempotencyKey: key() } });
      }
    } else if (roll < 0.4) {
      // A burst: several friends sign up with one code at once (the VELOCITY rule holds those past the limit).
      const owner = pick(owners);
      const when = at(day());
      for (let i = 0; i < 3 + Math.floor(random() * 3); i++) {
        const friend = `v${serial.n++}`;
        events.push({ recordSignup: { customerId: `@${friend}`, code: `$${owner}`, at: when + i * 60_000, ...identifiers(), idempotencyKey: key() } });
        known.push(friend);
      }
    } else if (roll < 0.45) {
      const id = `n${serial.n++}`;
      events.push({ upsertCustomer: { id: `@${id}`, name: `N ${id}`, ...(chance(0.5) ? { email: `${id}@@mail.test` } : {}), ...(chance(0.3) ? { stage: pick(['FOLLOWER', 'FAN']) } : {}), resetStage: false } });
      known.push(id);
    } else if (roll < 0.55) {
      const [a, b] = [pick(known), pick(known)];
      if (a !== b) events.push({ connectCustomers: { customerId: `@${a}`, otherId: `@${b}`, strength: Math.round(random() * 10) / 10, since: at(day()), idempotencyKey: key() } });
    } else if (roll < 0.65) {
      const [a, b] = [pick(known), pick(known)];
      if (a !== b) events.push({ follow: { followerId: `@${a}`, followedId: `@${b}`, at: at(day()), idempotencyKey: key() } });
    } else if (roll < 0.72) {
      events.push({ issueReferralCode: { customerId: `@${pick(known)}`, campaignId: '@camp-last', at: at(day()), idempotencyKey: key() } });
    } else if (roll < 0.8 && unsigned.length > 0) {
      // A seeded customer signs up with someone's code: a cycle (CONFLICT) when they are above its owner.
      const customer = unsigned.shift()!;
      events.push({ recordSignup: { customerId: `@${customer}`, code: `$${pick(owners.filter((owner) => owner !== customer))}`, at: at(day()), idempotencyKey: key() } });
    } else if (roll < 0.9 && history.length + events.length > 0) {
      // A replay of an earlier use of its key, in this batch or an earlier one.
      events.push(pick([...history, ...events.filter((event) => !('upsertCustomer' in event))]));
    }
  }
  history.push(...events.filter((event) => !('upsertCustomer' in event)));
  return events.slice(0, size);
}

/** Events that break a rule once the batch before them ran: each batch is also sent with one of them inserted. */
const INVALID: Template[][] = [
  [{ recordPurchase: { customerId: '@ghost', productId: '@p1', orderId: '@o-ghost', amount: 1, currency: 'EUR', idempotencyKey: '#bad' } }],
  [{ recordSignup: { customerId: '@x1', at: at(3), idempotencyKey: '#bad' } }],
  [{ recordSignup: { customerId: '@x0', code: '$x2', at: at(3), idempotencyKey: '#bad' } }],
  [{ recordInvite: { referrerId: '@x2', campaignId: '@camp-last', invitee: { id: '@x0' }, channel: 'email', at: at(3), idempotencyKey: '#bad' } }],
  [{ recordReview: { customerId: '@x0', productId: '@p1', rating: 7, idempotencyKey: '#bad' } }],
  [{ upsertCustomer: { id: '@x2', email: 'x1@@mail.test', resetStage: false } }],
  // Two sign-ups that close a cycle together: the second is refused.
  [{ recordSignup: { customerId: '@a', code: '$b', at: at(3), idempotencyKey: '#bad1' } }, { recordSignup: { customerId: '@b', code: '$a', at: at(3), idempotencyKey: '#bad2' } }],
  // The same key for other input.
  [{ follow: { followerId: '@a', followedId: '@b', idempotencyKey: '#bad' } }, { follow: { followerId: '@b', followedId: '@a', idempotencyKey: '#bad' } }],
];

/** Gives the templates one prefix's ids, keys and codes. */
function materialise(events: Template[], prefix: string, codes: Map<string, string>): EventInput[] {
  const text = JSON.stringify(events)
    .replace(/"\$([\w-]+)"/g, (_all, owner: string) => JSON.stringify(codes.get(owner) ?? `NOCODE${owner}`))
    .replace(/@@/g, `.${prefix}@`)
    .replace(/"@/g, `"${prefix}-`)
    .replace(/"#/g, `"${prefix}-k`);
  return JSON.parse(text) as EventInput[];
}

const SNAPSHOT = cypher<{ snapshot: unknown }>(
  'test.batchSnapshot',
  `CALL () {
     MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
     WITH c ORDER BY c.id
     RETURN collect([c.id, c.name, c.email, c.stage, c.stageRank, c.createdAt, c.signedUpAt]) AS customers
   }
   CALL () {
     MATCH (a:Customer)-[r:REFERRED]->(b:Customer) WHERE b.id STARTS WITH $prefix
     WITH a, b, r ORDER BY a.id, b.id, r.campaign
     RETURN collect([a.id, b.id, r.campaign, r.code, r.channel, r.status, r.invitedAt, r.clickedAt, r.signedUpAt, r.firstPurchaseAt, r.holdReason, r.heldAt, r.velocityCount]) AS referrals
   }
   CALL () {
     MATCH (c:Customer)-[link:HAS_IDENTIFIER]->(i:Identifier) WHERE c.id STARTS WITH $prefix
     WITH c, link, i ORDER BY c.id, i.kind, link.since
     RETURN collect([c.id, i.kind, link.since]) AS identifiers
   }
   CALL () {
     MATCH (w:Reward)-[:EARNED_BY]->(c:Customer) WHERE c.id STARTS WITH $prefix
     WITH w, c ORDER BY c.id, w.side, w.orderId
     RETURN collect([c.id, w.side, w.status, w.amount, w.points, w.orderId, w.convertedAt, w.holdUntil]) AS rewards
   }
   CALL () {
     MATCH (c:Customer)-[p:PURCHASED]->(product) WHERE c.id STARTS WITH $prefix
     WITH c, p, product ORDER BY p.orderId
     RETURN collect([c.id, product.id, product.name, p.orderId, p.amount, p.currency, p.at]) AS purchases
   }
   CALL () {
     MATCH (c:Customer)-[rv:REVIEWED]->(product) WHERE c.id STARTS WITH $prefix
     WITH c, rv, product ORDER BY c.id, product.id
     RETURN collect([c.id, product.id, rv.rating, rv.text, rv.recommend, rv.at, rv.revisions]) AS reviews
   }
   CALL () {
     MATCH (a:Customer)-[f:FOLLOWS]->(b:Customer) WHERE a.id STARTS WITH $prefix
     WITH a, b, f ORDER BY a.id, b.id
     RETURN collect([a.id, b.id, f.at]) AS follows
   }
   CALL () {
     MATCH (a:Customer)-[k:KNOWS]-(b:Customer) WHERE a.id STARTS WITH $prefix AND a.id < b.id
     WITH a, b, k ORDER BY a.id, b.id
     RETURN collect([a.id, b.id, k.strength, k.since]) AS knows
   }
   CALL () {
     MATCH (c:Customer)-[:OWNS]->(code:ReferralCode) WHERE c.id STARTS WITH $prefix
     WITH c, code ORDER BY c.id
     RETURN collect([c.id, code.issuedAt]) AS codes
   }
   CALL () {
     MATCH (k:IdempotencyKey) WHERE k.key STARTS WITH $prefix
     WITH k ORDER BY k.key
     RETURN collect([k.key, k.kind, k.result, k.subjects]) AS keys
   }
   RETURN {customers: customers, referrals: referrals, purchases: purchases, reviews: reviews, follows: follows, knows: knows, codes: codes, keys: keys,
           identifiers: identifiers, rewards: rewards} AS snapshot`,
);

const FRAUD_TALLY = cypher<{ shared: number; velocity: number; rewards: number }>(
  'test.batchFraudTally',
  `MATCH (c:Customer) WHERE any(prefix IN $prefixes WHERE c.id STARTS WITH prefix)
   RETURN sum(COUNT { ()-[:REFERRED {holdReason: 'SHARED_IDENTIFIER'}]->(c) }) AS shared,
          sum(COUNT { ()-[:REFERRED {holdReason: 'VELOCITY'}]->(c) }) AS velocity,
          sum(COUNT { (:Reward)-[:EARNED_BY]->(c) }) AS rewards`,
);

const CODES = cypher<{ owner: string; code: string }>(
  'test.batchCodes',
  'MATCH (c:Customer)-[:OWNS]->(code:ReferralCode) WHERE c.id STARTS WITH $prefix RETURN c.id AS owner, code.code AS code',
);

/** The graph under `prefix`, with the prefix and every referral code replaced by stable names. */
async function snapshot(graph: Graph, prefix: string): Promise<string> {
  const [{ snapshot: value }] = await graph.read(SNAPSHOT, { prefix });
  let text = JSON.stringify(value);
  for (const { owner, code } of await graph.read(CODES, { prefix })) text = text.split(code).join(`code(${owner})`);
  return text.split(prefix).join('P');
}

async function outcome(run: () => Promise<unknown>, prefix: string): Promise<string> {
  try {
    return `ok ${JSON.stringify(await run())}`;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return `${error.code} ${error.field} ${error.message}`.split(prefix).join('P');
  }
}

/** The same starting graph under a prefix: two campaigns, customers, codes, and a credited chain x0 → x1 → x2. */
async function seedGraph(graph: Graph, prefix: string): Promise<Map<string, string>> {
  const id = (name: string) => `${prefix}-${name}`;
  for (const [name, model, days] of [['camp-last', 'LAST_TOUCH', 7], ['camp-first', 'FIRST_TOUCH', 30]] as const) {
    await createCampaign(graph, {
      id: id(name), name, startsAt: T0 - DAY, endsAt: T0 + 60 * DAY, attributionModel: model, attributionWindowDays: days,
      rewards: { referrer: { amount: 5, currency: 'EUR' }, friend: { points: 100 }, holdDays: 7, manualApproval: false },
    });
  }
  const base = ['x0', 'x1', 'x2', 'y0', 'a', 'b'];
  // The seeded customers carry device identifiers, which the batches' identifiers share now and then.
  const events: Template[] = base.map((name, i) => ({ upsertCustomer: { id: `@${name}`, name, resetStage: false, identifiers: [{ kind: 'DEVICE', value: `@id${1 + (i % 3)}` }] } }));
  for (const name of base) events.push({ issueReferralCode: { customerId: `@${name}`, campaignId: '@camp-last', at: at(0), idempotencyKey: `#seed-${name}` } });
  await recordEventsOneByOne(graph, materialise(events, prefix, new Map()), NOW);
  const codes = new Map((await graph.read(CODES, { prefix })).map(({ owner, code }) => [owner.slice(prefix.length + 1), code]));
  const chain: Template[] = [
    { recordSignup: { customerId: '@x1', code: '$x0', at: at(1), idempotencyKey: '#seed-s1' } },
    { recordSignup: { customerId: '@x2', code: '$x1', at: at(1), idempotencyKey: '#seed-s2' } },
  ];
  await recordEventsOneByOne(graph, materialise(chain, prefix, codes), NOW);
  await graph.write(cypher('test.product', 'MERGE (:Product {id: $id})'), { id: id('p1') });
  return codes;
}

describe('recordEvents, set-based, against its one-by-one reference', () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = testGraph();
    await applyMigrations(graph);
    // The fraud rules with a low velocity limit, so that the generated bursts reach it.
    useIdentifierSecret('batch-equivalence-test-identifier-secret');
    useFraudRules({ velocityPerHour: 2 });
  });
  afterAll(() => graph.close());

  test('seeded batches of every kind leave the same graph and report the same errors through both paths', async () => {
    const tally = { ok: 0, failed: 0 };
    const bulkPrefixes: string[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const bulk = uniquePrefix(`eqb${seed}`);
      bulkPrefixes.push(bulk);
      const reference = uniquePrefix(`eqr${seed}`);
      const codes = { bulk: await seedGraph(graph, bulk), reference: await seedGraph(graph, reference) };
      const random = seededRandom(seed);
      const known = ['x0', 'x1', 'x2', 'y0', 'a', 'b'];
      // Seeded customers not yet signed up (y0 and a sign up in the story below on even seeds).
      const unsigned = seed % 2 === 0 ? ['x0', 'b'] : ['y0', 'a', 'x0', 'b'];
      const serial = { n: 1 };
      const history: Template[] = [];
      const both = async (label: string, batch: Template[]) => {
        const viaBulk = await outcome(() => recordEvents(graph, materialise(batch, bulk, codes.bulk), NOW), bulk);
        const viaReference = await outcome(() => recordEventsOneByOne(graph, materialise(batch, reference, codes.reference), NOW), reference);
        expect({ seed, label, outcome: viaBulk }).toEqual({ seed, label, outcome: viaReference });
        expect({ seed, label, graph: await snapshot(graph, bulk) }).toEqual({ seed, label, graph: await snapshot(graph, reference) });
        if (process.env.BATCH_EQ_DEBUG) process.stdout.write(`${seed} ${label} ${batch.length} ${viaBulk.slice(0, 140)}\n`);
        if (viaBulk.startsWith('ok')) tally.ok++;
        else tally.failed++;
        return viaBulk.startsWith('ok');
      };
      // A customer invited by y0 who then ends up above y0: the sign-up's attribution skips that invite.
      const story: Template[] = [
        { recordInvite: { referrerId: '@y0', campaignId: '@camp-last', invitee: { id: '@a' }, channel: 'sms', at: at(2), idempotencyKey: '#story1' } },
        { recordSignup: { customerId: '@y0', code: '$a', at: at(3), idempotencyKey: '#story2' } },
        { recordSignup: { customerId: '@a', at: at(4), idempotencyKey: '#story3' } },
      ];
      for (let round = 0; round < 3; round++) {
        const batch = generateBatch(random, known, unsigned, ['x0', 'x1', 'x2', 'y0', 'a', 'b'], 40 + Math.floor(random() * 40), serial, history);
        if (round === 0 && seed % 2 === 0) batch.splice(Math.floor(random() * batch.length), 0, ...story);
        const invalid = INVALID[(seed + round) % INVALID.length];
        await both(`round ${round} with an invalid event`, [...batch.slice(0, batch.length / 2), ...invalid, ...batch.slice(batch.length / 2)]);
        const knownBefore = [...known];
        if (!(await both(`round ${round}`, batch))) known.splice(0, known.length, ...knownBefore);
      }
    }
    // The generator is meant to exercise both outcomes, both fraud rules and rewards.
    expect(tally.ok).toBeGreaterThan(0);
    expect(tally.failed).toBeGreaterThan(0);
    const [rules] = await graph.read(FRAUD_TALLY, { prefixes: bulkPrefixes });
    expect(rules).toEqual({ shared: expect.any(Number), velocity: expect.any(Number), rewards: expect.any(Number) });
    expect(Math.min(rules.shared, rules.velocity, rules.rewards)).toBeGreaterThan(0);
  }, 600_000);
});
