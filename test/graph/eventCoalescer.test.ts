import { createCampaign } from '../../graph/campaigns';
import { DomainError } from '../../graph/errors';
import { EventCoalescer } from '../../graph/eventCoalescer';
import { recordEvent } from '../../graph/events';
import { applyMigrations } from '../../graph/migrations';
import { connectGraph, cypher, Graph } from '../../graph/neo4j';
import { uniquePrefix } from '../support/services';

// Single event mutations that arrive together are written together (graph/eventCoalescer.ts). Each must
// get what it would have got alone: its result, its replay, or its own error, and nothing else may change.

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

let graph: Graph;
let commits = 0;
const campaign = uniquePrefix('coalesce-campaign');

beforeAll(async () => {
  graph = connectGraph({ uri: process.env.NEO4J_URI!, user: 'neo4j', password: '' }, (name) => {
    if (name === 'transaction.commit') commits += 1;
  });
  await applyMigrations(graph);
  await createCampaign(graph, { id: campaign, name: 'Coalescing', startsAt: T0 - DAY, endsAt: T0 + 365 * DAY, attributionModel: 'LAST_TOUCH', attributionWindowDays: 30 });
});

afterAll(async () => {
  await graph.close();
});

type Recorder = (kind: never, input: never) => Promise<{ result: unknown; replayed: boolean }>;

/** One referral story per unit, its events in order: referrer, invite, sign-up, purchase, connection. */
function story(prefix: string, k: number): Array<[string, Record<string, unknown>]> {
  const referrer = `${prefix}-r${k}`;
  const friend = `${prefix}-f${k}`;
  return [
    ['UPSERT_CUSTOMER', { id: referrer, name: `Referrer ${k}` }],
    ['RECORD_INVITE', { referrerId: referrer, campaignId: campaign, invitee: { id: friend }, channel: 'email', at: T0, idempotencyKey: `${prefix}-${k}-1` }],
    ['RECORD_SIGNUP', { customerId: friend, at: T0 + DAY, idempotencyKey: `${prefix}-${k}-2` }],
    ['RECORD_PURCHASE', { customerId: friend, productId: `${prefix}-p`, orderId: `${prefix}-o${k}`, amount: 20, currency: 'EUR', at: T0 + 2 * DAY, idempotencyKey: `${prefix}-${k}-3` }],
    ['CONNECT_CUSTOMERS', { customerId: referrer, otherId: friend, strength: 0.5, idempotencyKey: `${prefix}-${k}-4` }],
  ];
}

/** Runs `units` stories at once, each story's events one after another; returns every event's result. */
async function runStories(record: Recorder, prefix: string, units: number): Promise<unknown[][]> {
  return Promise.all(
    Array.from({ length: units }, async (_, k) => {
      const results: unknown[] = [];
      for (const [kind, input] of story(prefix, k)) results.push((await record(kind as never, input as never)).result);
      return results;
    }),
  );
}

/** Results and graphs compared across prefixes; instants taken from the clock (creation times) are not compared. */
function normalised(value: unknown, prefix: string): string {
  const started = Date.now() - 10 * 60_000;
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner === 'number' && inner > started) return 'now';
    if (typeof inner === 'string') return inner.split(prefix).join('P');
    return inner;
  });
}

const SUBGRAPH = cypher<{ customers: unknown[]; ties: unknown[] }>(
  'test.coalescer.subgraph',
  `MATCH (c:Customer) WHERE c.id STARTS WITH $prefix
   OPTIONAL MATCH (c)-[t]->(other) WHERE NOT other:IdempotencyKey AND NOT other:OutboxEvent
   WITH c, t, other ORDER BY c.id, type(t), coalesce(other.id, '')
   WITH c, collect(CASE WHEN t IS NULL THEN null ELSE [type(t), other.id, t.status, t.orderId, t.amount] END) AS ties
   ORDER BY c.id
   RETURN collect([c.id, c.stage, c.signedUpAt]) AS customers, collect(ties) AS ties`,
);

const errorOf = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  const { code, field, message } = error as DomainError;
  return { code, field, message };
};

describe('single events written together', () => {
  it('gives each event the result and leaves the graph it would have had written alone, in fewer transactions', async () => {
    const together = uniquePrefix('together');
    const alone = uniquePrefix('alone');
    const coalescer = new EventCoalescer(graph, { maxEvents: 100, batchesInFlight: 1 });
    const units = 12;

    commits = 0;
    const coalesced = await runStories((kind, input) => coalescer.record(kind, input), together, units);
    const coalescedCommits = commits;
    const single = await runStories((kind, input) => recordEvent(graph, kind, input), alone, units);

    expect(normalised(coalesced, together)).toBe(normalised(single, alone));
    const [left] = await graph.read(SUBGRAPH, { prefix: together });
    const [right] = await graph.read(SUBGRAPH, { prefix: alone });
    expect(normalised(left, together)).toBe(normalised(right, alone));
    expect(left.customers).toHaveLength(2 * units);
    // 12 stories of 5 events each: at most one transaction per round of events plus the first events alone.
    expect(coalescedCommits).toBeLessThan((5 * units) / 2);
  });

  it('gives an event that fails its rules its own error and writes the others', async () => {
    const prefix = uniquePrefix('failing');
    await recordEvent(graph, 'UPSERT_CUSTOMER', { id: `${prefix}-owner`, resetStage: false });
    await recordEvent(graph, 'RECORD_PURCHASE', { customerId: `${prefix}-owner`, productId: `${prefix}-p`, orderId: `${prefix}-taken`, amount: 5, currency: 'EUR', at: T0, idempotencyKey: `${prefix}-first` });
    const buyers = Array.from({ length: 8 }, (_, k) => `${prefix}-b${k}`);
    for (const id of buyers) await recordEvent(graph, 'UPSERT_CUSTOMER', { id, resetStage: false });

    const purchase = (customerId: string, orderId: string, amount = 10) => ({ customerId, productId: `${prefix}-p`, orderId, amount, currency: 'EUR', at: T0 + DAY, idempotencyKey: `${orderId}-key` });
    const failing = {
      unknownCustomer: purchase(`${prefix}-nobody`, `${prefix}-o-unknown`),
      negativeAmount: purchase(buyers[0], `${prefix}-o-negative`, -3),
      orderOfAnother: purchase(buyers[1], `${prefix}-taken`),
    };
    const expected = {
      unknownCustomer: await errorOf(recordEvent(graph, 'RECORD_PURCHASE', failing.unknownCustomer)),
      negativeAmount: await errorOf(recordEvent(graph, 'RECORD_PURCHASE', failing.negativeAmount)),
      orderOfAnother: await errorOf(recordEvent(graph, 'RECORD_PURCHASE', failing.orderOfAnother)),
    };

    const coalescer = new EventCoalescer(graph, { maxEvents: 100, batchesInFlight: 1 });
    const valid = buyers.map((id, k) => coalescer.record('RECORD_PURCHASE', purchase(id, `${prefix}-o${k}`)));
    const errors = {
      unknownCustomer: errorOf(coalescer.record('RECORD_PURCHASE', failing.unknownCustomer)),
      negativeAmount: errorOf(coalescer.record('RECORD_PURCHASE', failing.negativeAmount)),
      orderOfAnother: errorOf(coalescer.record('RECORD_PURCHASE', failing.orderOfAnother)),
    };
    await Promise.all(valid);
    expect(await errors.unknownCustomer).toEqual(expected.unknownCustomer);
    expect(await errors.negativeAmount).toEqual(expected.negativeAmount);
    expect(await errors.orderOfAnother).toEqual(expected.orderOfAnother);
    expect(expected.unknownCustomer).toMatchObject({ code: 'NOT_FOUND', field: 'input.customerId' });
    expect(expected.orderOfAnother).toMatchObject({ code: 'CONFLICT' });

    const [counts] = await graph.read(
      cypher<{ purchases: number; unknown: number }>(
        'test.coalescer.purchases',
        `MATCH (c:Customer)-[p:PURCHASED]->() WHERE c.id STARTS WITH $prefix
         RETURN count(p) AS purchases, count { MATCH (c:Customer {id: $prefix + '-nobody'}) } AS unknown`,
      ),
      { prefix },
    );
    // The owner's first order and one per buyer; the failing events wrote nothing, not even a customer.
    expect(counts).toEqual({ purchases: 1 + buyers.length, unknown: 0 });
  });

  it('writes an event once when many requests with its idempotency key arrive together, and refuses other input under that key', async () => {
    const prefix = uniquePrefix('same-key');
    await recordEvent(graph, 'UPSERT_CUSTOMER', { id: `${prefix}-buyer`, resetStage: false });
    const input = { customerId: `${prefix}-buyer`, productId: `${prefix}-p`, orderId: `${prefix}-o`, amount: 12, currency: 'EUR', at: T0, idempotencyKey: `${prefix}-key` };
    const coalescer = new EventCoalescer(graph, { maxEvents: 100, batchesInFlight: 1 });

    const same = Array.from({ length: 10 }, () => coalescer.record('RECORD_PURCHASE', input));
    const other = errorOf(coalescer.record('RECORD_PURCHASE', { ...input, amount: 13 }));
    const outcomes = await Promise.all(same);

    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
    for (const outcome of outcomes) expect(outcome.result).toEqual(outcomes[0].result);
    expect(await other).toMatchObject({ code: 'CONFLICT', field: 'input.idempotencyKey' });
    const [row] = await graph.read(
      cypher<{ purchases: number }>('test.coalescer.onePurchase', 'MATCH (:Customer {id: $id})-[p:PURCHASED]->() RETURN count(p) AS purchases'),
      { id: `${prefix}-buyer` },
    );
    expect(row.purchases).toBe(1);
  });
});
