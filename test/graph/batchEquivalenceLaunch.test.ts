import type { EventInput } from '../../schema/generated/types';
import { createCampaign } from '../../graph/campaigns';
import { DomainError } from '../../graph/errors';
import { recordEvents, recordEventsOneByOne } from '../../graph/events';
import { applyMigrations } from '../../graph/migrations';
import { cypher, Graph } from '../../graph/neo4j';
import { admitMembers } from '../../graph/quotas';
import { seededRandom } from '../../graph/synthetic';
import { joinWaitlist } from '../../graph/waitlist';
import { testGraph, uniquePrefix } from '../support/services';

// recordEvents against its one-by-one reference on batches that touch an invite-only waitlist campaign:
// quotas spent and exceeded (QUOTA_EXCEEDED fails the batch), invites accepted (members), waitlist joins and
// move-ups, earned invitations, mixed with events of an ordinary campaign. Both paths must leave the same
// graph, memberships included, and report the same errors.

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);
const NOW = Date.UTC(2026, 6, 15);
const at = (day: number) => T0 + day * DAY;

type Template = Record<string, unknown>;

const MEMBERS = ['m0', 'm1', 'm2'];
const WAITERS = ['w0', 'w1', 'w2'];

function generateBatch(random: () => number, serial: { n: number }, invited: string[]): Template[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const key = () => `#${serial.n++}`;
  const events: Template[] = [];
  const size = 6 + Math.floor(random() * 10);
  while (events.length < size) {
    const roll = random();
    if (roll < 0.4) {
      const referrer = random() < 0.15 ? 'outsider' : pick([...MEMBERS, ...WAITERS, ...invited]);
      const friend = `f${serial.n++}`;
      const campaign = random() < 0.8 ? '@launch' : '@open';
      events.push({ recordInvite: { referrerId: `@${referrer}`, campaignId: campaign, invitee: { id: `@${friend}` }, channel: 'email', at: at(2), idempotencyKey: key() } });
      if (random() < 0.7) {
        events.push({ recordSignup: { customerId: `@${friend}`, at: at(3), idempotencyKey: key() } });
        invited.push(friend);
        if (random() < 0.5) events.push({ recordPurchase: { customerId: `@${friend}`, productId: '@p1', orderId: `@o${serial.n++}`, amount: 10, currency: 'EUR', at: at(4), idempotencyKey: key() } });
      }
    } else if (roll < 0.55) {
      const friend = `g${serial.n++}`;
      events.push({ upsertCustomer: { id: `@${friend}`, name: friend, resetStage: false } });
      events.push({ recordSignup: { customerId: `@${friend}`, code: pick(['$m0', '$w0', '$o0']), at: at(3), idempotencyKey: key() } });
    } else if (roll < 0.7) {
      const [a, b] = [pick([...MEMBERS, ...WAITERS]), pick([...MEMBERS, ...WAITERS])];
      if (a !== b) events.push({ follow: { followerId: `@${a}`, followedId: `@${b}`, at: at(2), idempotencyKey: key() } });
    } else if (roll < 0.85) {
      // An ordinary campaign's invite that stays set-based when the batch has no launch event.
      events.push({ recordInvite: { referrerId: '@o0', campaignId: '@open', invitee: { id: `@h${serial.n++}` }, channel: 'sms', at: at(2), idempotencyKey: key() } });
    } else if (events.length > 0) {
      events.push(pick(events));
    }
  }
  return events;
}

function materialise(events: Template[], prefix: string, codes: Map<string, string>): EventInput[] {
  const text = JSON.stringify(events)
    .replace(/"\$([\w-]+)"/g, (_all, owner: string) => JSON.stringify(codes.get(owner) ?? `NOCODE${owner}`))
    .replace(/"@/g, `"${prefix}-`)
    .replace(/"#/g, `"${prefix}-k`);
  return JSON.parse(text) as EventInput[];
}

const SNAPSHOT = cypher<{ snapshot: unknown }>(
  'test.launchBatchSnapshot',
  `CALL () {
     MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
     WITH c ORDER BY c.id
     RETURN collect([c.id, c.stage, c.signedUpAt]) AS customers
   }
   CALL () {
     MATCH (a:Customer)-[r:REFERRED]->(b:Customer) WHERE b.id STARTS WITH $prefix
     WITH a, b, r ORDER BY a.id, b.id, r.campaign
     RETURN collect([a.id, b.id, r.campaign, r.code, r.status, r.invitedAt, r.signedUpAt, r.firstPurchaseAt]) AS referrals
   }
   CALL () {
     MATCH (c:Customer)-[:HOLDS]->(m:Membership) WHERE c.id STARTS WITH $prefix
     WITH c, m ORDER BY c.id
     RETURN collect([c.id, m.campaignId, m.status, m.quota, m.spent, m.seq, m.score, m.credits, m.origin, m.generation, m.rootWave]) AS memberships
   }
   CALL () {
     MATCH (k:IdempotencyKey) WHERE k.key STARTS WITH $prefix
     WITH k ORDER BY k.key
     RETURN collect([k.key, k.kind, k.result]) AS keys
   }
   RETURN {customers: customers, referrals: referrals, memberships: memberships, keys: keys} AS snapshot`,
);

const CODES = cypher<{ owner: string; code: string }>(
  'test.launchBatchCodes',
  'MATCH (c:Customer)-[:OWNS]->(code:ReferralCode) WHERE c.id STARTS WITH $prefix RETURN c.id AS owner, code.code AS code',
);

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

/** Founders m0..m2 of an invite-only waitlist campaign, w0..w2 waiting, codes for m0 and w0 there and o0 in an ordinary campaign. */
async function seedGraph(graph: Graph, prefix: string): Promise<Map<string, string>> {
  const id = (name: string) => `${prefix}-${name}`;
  await createCampaign(graph, {
    id: id('launch'), name: 'launch', startsAt: T0 - DAY, attributionModel: 'LAST_TOUCH', attributionWindowDays: 30,
    inviteQuota: 2, waitlist: true, moveUpPerReferral: 2, earnedInvitesPerConvertedInvitee: 1,
  });
  await createCampaign(graph, { id: id('open'), name: 'open', startsAt: T0 - DAY, attributionModel: 'LAST_TOUCH', attributionWindowDays: 30 });
  const people = [...MEMBERS, ...WAITERS, 'outsider', 'o0'];
  const events: Template[] = people.map((name) => ({ upsertCustomer: { id: `@${name}`, name, resetStage: false } }));
  events.push({ issueReferralCode: { customerId: '@m0', campaignId: '@launch', at: at(0), idempotencyKey: '#seed-m0' } });
  events.push({ issueReferralCode: { customerId: '@w0', campaignId: '@launch', at: at(0), idempotencyKey: '#seed-w0' } });
  events.push({ issueReferralCode: { customerId: '@o0', campaignId: '@open', at: at(0), idempotencyKey: '#seed-o0' } });
  await recordEventsOneByOne(graph, materialise(events, prefix, new Map()), NOW);
  await admitMembers(graph, { campaignId: id('launch'), customerIds: MEMBERS.map(id), at: at(1) });
  for (const waiter of WAITERS) await joinWaitlist(graph, { campaignId: id('launch'), customerId: id(waiter), at: at(1) });
  return new Map((await graph.read(CODES, { prefix })).map(({ owner, code }) => [owner.slice(prefix.length + 1), code]));
}

describe('recordEvents on invite-only and waitlist campaigns, against its one-by-one reference', () => {
  let graph: Graph;
  beforeAll(async () => {
    graph = testGraph();
    await applyMigrations(graph);
  });
  afterAll(() => graph.close());

  test('seeded batches spending, exceeding and earning invitations leave the same graph and report the same errors through both paths', async () => {
    const tally = { ok: 0, quotaExceeded: 0 };
    for (let seed = 1; seed <= 4; seed++) {
      const bulk = uniquePrefix(`eqlb${seed}`);
      const reference = uniquePrefix(`eqlr${seed}`);
      const codes = { bulk: await seedGraph(graph, bulk), reference: await seedGraph(graph, reference) };
      const random = seededRandom(seed);
      const serial = { n: 1 };
      const invited: string[] = [];
      for (let round = 0; round < 6; round++) {
        const batch = generateBatch(random, serial, invited);
        const viaBulk = await outcome(() => recordEvents(graph, materialise(batch, bulk, codes.bulk), NOW), bulk);
        const viaReference = await outcome(() => recordEventsOneByOne(graph, materialise(batch, reference, codes.reference), NOW), reference);
        expect({ seed, round, outcome: viaBulk }).toEqual({ seed, round, outcome: viaReference });
        expect({ seed, round, graph: await snapshot(graph, bulk) }).toEqual({ seed, round, graph: await snapshot(graph, reference) });
        if (viaBulk.startsWith('ok')) tally.ok++;
        if (viaBulk.startsWith('QUOTA_EXCEEDED')) tally.quotaExceeded++;
      }
    }
    expect(tally.ok).toBeGreaterThan(0);
    expect(tally.quotaExceeded).toBeGreaterThan(0);
  });
});
