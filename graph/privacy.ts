import { PURCHASE_PROJECTION, REVIEW_PROJECTION } from './commerce';
import { notFound } from './errors';
import { cypher, Graph } from './neo4j';
import { REFERRAL_PROJECTION } from './referrals';
import { checkId } from './validate';

// Data-subject access: everything stored about one customer, in one read transaction. Erasure
// (eraseCustomer in customers.ts) is its counterpart; both find idempotency keys through ABOUT.

type Exported = Record<string, unknown>;

const EXPORT_CUSTOMER = cypher<{
  profile: Exported;
  connections: Exported[];
  following: Exported[];
  followers: Exported[];
  referralsSent: Exported[];
  referralsReceived: Exported[];
  referralCodes: Exported[];
  purchases: Exported[];
  reviews: Exported[];
  idempotencyKeys: Exported[];
  launchPlaces: Exported[];
  identifiers: Exported[];
  rewards: Exported[];
}>(
  'privacy.exportCustomer',
  `MATCH (c:Customer {id: $id})
   RETURN properties(c) AS profile,
     COLLECT { MATCH (c)-[k:KNOWS]-(other:Customer) WITH k, other ORDER BY other.id
               RETURN {customerId: other.id, strength: k.strength, since: k.since} } AS connections,
     COLLECT { MATCH (c)-[f:FOLLOWS]->(other:Customer) WITH f, other ORDER BY f.at, other.id
               RETURN {customerId: other.id, at: f.at} } AS following,
     COLLECT { MATCH (c)<-[f:FOLLOWS]-(other:Customer) WITH f, other ORDER BY f.at, other.id
               RETURN {customerId: other.id, at: f.at} } AS followers,
     COLLECT { MATCH (c)-[r:REFERRED]->(invitee:Customer) WITH r, invitee ORDER BY r.invitedAt, invitee.id, r.campaign
               RETURN ${REFERRAL_PROJECTION('r', 'c', 'invitee')} } AS referralsSent,
     COLLECT { MATCH (referrer:Customer)-[r:REFERRED]->(c) WITH r, referrer ORDER BY r.invitedAt, referrer.id, r.campaign
               RETURN ${REFERRAL_PROJECTION('r', 'referrer', 'c')} } AS referralsReceived,
     COLLECT { MATCH (c)-[:OWNS]->(code:ReferralCode)-[:FOR]->(campaign:Campaign) WITH code, campaign ORDER BY campaign.id
               RETURN {code: code.code, campaignId: campaign.id} } AS referralCodes,
     COLLECT { MATCH (c)-[p:PURCHASED]->(product:Product) WITH p, product ORDER BY p.at, p.orderId
               RETURN ${PURCHASE_PROJECTION('p', 'c', 'product')} } AS purchases,
     COLLECT { MATCH (c)-[rv:REVIEWED]->(product:Product) WITH rv, product ORDER BY rv.at, product.id
               RETURN ${REVIEW_PROJECTION('rv', 'c', 'product')} } AS reviews,
     COLLECT { MATCH (k:IdempotencyKey)-[:ABOUT]->(c) WITH k ORDER BY k.at
               RETURN {kind: k.kind, at: k.at} } AS idempotencyKeys,
     COLLECT { MATCH (c)-[:HOLDS]->(m:Membership) WITH m ORDER BY m.campaignId
               RETURN {campaignId: m.campaignId, status: m.status, origin: m.origin, joinedAt: m.joinedAt, admittedAt: m.admittedAt,
                       wave: m.wave, waitlistJoinNumber: m.seq, invitationQuota: m.quota, invitationsSpent: m.spent} } AS launchPlaces,
     COLLECT { MATCH (c)-[l:HAS_IDENTIFIER]->(i:Identifier) WITH l, i ORDER BY i.kind, l.since, i.hash
               RETURN {kind: i.kind, hashPrefix: left(i.hash, 8), since: l.since} } AS identifiers,
     COLLECT { MATCH (w:Reward)-[:EARNED_BY]->(c) WITH w ORDER BY w.createdAt, w.id
               RETURN {rewardId: w.id, side: w.side, status: w.status, campaignId: w.campaignId, amount: w.amount, currency: w.currency, points: w.points, convertedAt: w.convertedAt} } AS rewards`,
);

/** Instants are stored as epoch milliseconds; the export shows them as ISO-8601, like the API. */
const INSTANT_KEY = /^(at|since|.+At)$/;

const isRecord = (value: unknown): value is Exported => value !== null && typeof value === 'object' && !Array.isArray(value);

function withInstants(record: Exported): Exported {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, shown(key, value)]));
}

function shown(key: string, value: unknown): unknown {
  if (INSTANT_KEY.test(key) && typeof value === 'number') return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map((item) => (isRecord(item) ? withInstants(item) : item));
  return isRecord(value) ? withInstants(value) : value;
}

/**
 * Everything stored about one customer: the profile with all its properties, connections, follows both
 * ways, referrals both ways, referral codes, purchases, reviews with their texts, and the idempotency
 * keys whose stored results name the customer (kind and time only: the results repeat data listed here),
 * and their places in invite-only and waitlist campaigns (graph/membership.ts).
 * `identifiers` lists the identifiers linked to them as kind and hash prefix: only keyed hashes are stored, never
 * the values (graph/identifiers.ts); `rewards` the rewards they earned.
 */
export async function exportCustomer(graph: Graph, id: string, now = Date.now()): Promise<Exported> {
  checkId('id', id);
  const [row] = await graph.read(EXPORT_CUSTOMER, { id });
  if (!row) throw notFound('id', `no customer with id "${id}".`);
  return withInstants({ customerId: id, exportedAt: now, ...row });
}
