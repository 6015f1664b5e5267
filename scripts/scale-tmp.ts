import { connectGraph } from '../graph/neo4j';
import { loadSyntheticGraph } from '../graph/bulkLoad';
import { generateSyntheticGraph } from '../graph/synthetic';
import { computeCommunities, ALL_KINDS } from '../graph/analytics/communities';
import { computeBridges } from '../graph/analytics/bridges';
import { computeEngagement } from '../graph/analytics/engagement';
import { applyMigrations } from '../graph/migrations';
async function main() {
  const n = Number(process.argv[2]);
  const timings = new Map<string, number>();
  const graph = connectGraph({ uri: 'bolt://127.0.0.1:17703', user: 'neo4j', password: '' }, (name, seconds) => { timings.set(name, (timings.get(name) ?? 0) + seconds); });
  await applyMigrations(graph);
  if (process.argv[3] !== 'skip') {
    const raw = generateSyntheticGraph(n, 7);
    const p = (v: string) => `sc${n}-${v}`;
    const data = { campaigns: raw.campaigns.map((c) => ({ ...c, id: p(c.id) })), products: raw.products.map((x) => ({ ...x, id: p(x.id) })), customers: raw.customers.map((c) => ({ ...c, id: p(c.id) })), knows: raw.knows.map(([a, b, s]) => [p(a), p(b), s] as [string, string, number]), referrals: raw.referrals.map((r) => ({ ...r, referrerId: p(r.referrerId), inviteeId: p(r.inviteeId), campaign: p(r.campaign) })), purchases: raw.purchases.map((x) => ({ ...x, customerId: p(x.customerId), productId: p(x.productId), orderId: p(x.orderId) })), reviews: raw.reviews.map((r) => ({ ...r, customerId: p(r.customerId), productId: p(r.productId) })) };
    const t0 = Date.now();
    await loadSyntheticGraph(graph, data as never, () => {}, 10_000);
    console.log('loaded', Date.now() - t0);
  }
  for (const [label, run] of [
    ['LEIDEN', () => computeCommunities(graph, 'LEIDEN', ALL_KINDS, 0)],
    ['WCC', () => computeCommunities(graph, 'WCC', ALL_KINDS, 0)],
    ['bridges', () => computeBridges(graph, { exactMaxCustomers: 2000, samplingSize: 200, samplingSeed: 42 })],
    ['engagement', () => computeEngagement(graph, { weights: { purchase: 3, referral: 2, review: 2, follow: 1 }, periodDays: 30, presenceDays: 7, leadingScore: 15, contributingScore: 5 })],
  ] as const) {
    timings.clear();
    const t = Date.now();
    const r: any = await run();
    console.log(label, Date.now() - t, 'ms', JSON.stringify(r).length, 'bytes', [...timings.entries()].map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' '));
  }
  await graph.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
