import type { CommunityAlgorithm, ConnectionKind } from '../../schema/generated/types';
import { badInput } from '../errors';
import { cypher, Graph } from '../neo4j';
import { projectionName } from '../projections';
import { checkId } from '../validate';
import { FunnelRecord, GenerationRow, REFERRAL_STEPS, toFunnel } from './conversion';
import { hopBound, relationshipTypes } from './kinds';

/**
 * Communities of the social and referral graph, found by GDS (Leiden, Louvain or weakly connected components)
 * over an undirected projection of the chosen kinds of tie.
 *
 * Where the assignment lives: GDS `write` mode stores each customer's community as a node property, so
 * `Customer.community` reads one property of one node; Redis holds only the per-community summary (one JSON
 * value, communities of two or more). Holding the assignment itself in Redis would cost about 80 bytes per
 * customer per (algorithm, via) — 80 MB at 1M customers — where a node property costs Neo4j a few bytes.
 *
 * The property is double-buffered: a run writes slot 0 or 1, the other one than the snapshot being served,
 * so a request that read the current snapshot reads the property that snapshot describes while the next
 * run writes the other slot. Customers created after a run have no property yet: their community is unknown
 * (null) until the next refresh.
 *
 * Community ids are `<algorithm>:<smallest member id>` (`leiden:alice`): stable across runs while membership
 * holds, unlike GDS's internal numbers, which change every run.
 */

export const ALGORITHMS: readonly CommunityAlgorithm[] = ['LEIDEN', 'LOUVAIN', 'WCC'];
export const ALL_KINDS: readonly ConnectionKind[] = ['FOLLOWS', 'KNOWS', 'REFERRED'];
export const MAX_COMMUNITY_LIMIT = 100;
/** Members listed as a community's top advocates. */
export const TOP_ADVOCATES = 5;
/** Neighbouring communities kept per community, most connections first. */
export const MAX_NEIGHBOURS = 10;
/** Communities listed per bridge: their own and the 19 most tied. */
export const MAX_JOINED = 20;
/** Leiden's seed, so the same graph gives the same communities (Louvain and WCC take none; WCC needs none). */
export const LEIDEN_SEED = 42;

export interface AdvocateRecord {
  customerId: string;
  /** Referrals this member sent whose invitee went on to a first purchase (any invitee, inside or not). */
  convertedReferrals: number;
  referralsSent: number;
}

export interface NeighbourRecord {
  communityId: string;
  /** Distinct pairs of customers, one in each community, joined by at least one tie of the chosen kinds. */
  connections: number;
}

export interface CommunityRecord {
  /** GDS's number for the community in this run: the value of the node property. */
  key: number;
  id: string;
  size: number;
  internalConnections: number;
  externalConnections: number;
  density: number;
  topAdvocates: AdvocateRecord[];
  /** The funnel of referrals whose referrer and invitee are both members. */
  conversion: FunnelRecord;
  neighbours: NeighbourRecord[];
}

export interface CommunitiesRecord {
  algorithm: CommunityAlgorithm;
  via: ConnectionKind[];
  /** The node property holding this run's assignment; null when the graph had no tie of the chosen kinds. */
  property: string | null;
  slot: 0 | 1;
  customers: number;
  communityCount: number;
  /** Customers alone in their community (no tie of the chosen kinds to the rest): counted, not listed. */
  singletons: number;
  /** Communities of two or more, largest first (ties by id). */
  communities: CommunityRecord[];
}

/** The kinds, distinct and sorted, or every kind when none is given: the canonical `via`. */
export function canonicalVia(field: string, via: readonly ConnectionKind[] | null | undefined): ConnectionKind[] {
  if (via === null || via === undefined) return [...ALL_KINDS];
  return relationshipTypes(field, via).split('|') as ConnectionKind[];
}

export function checkAlgorithm(field: string, algorithm: CommunityAlgorithm): CommunityAlgorithm {
  if (!ALGORITHMS.includes(algorithm)) throw badInput(field, `${field} must be one of ${ALGORITHMS.join(', ')}.`);
  return algorithm;
}

export function checkMinSize(field: string, minSize: number): number {
  if (!Number.isInteger(minSize) || minSize < 2) throw badInput(field, `${field} must be a whole number from 2; got ${minSize}.`);
  return minSize;
}

export const checkCommunityLimit = (field: string, limit: number) => hopBound(field, limit, MAX_COMMUNITY_LIMIT);

const propertyName = (algorithm: CommunityAlgorithm, via: readonly ConnectionKind[], slot: 0 | 1) => `gvCommunity_${algorithm}_${via.join('_')}_${slot}`;
/** Named after a member; by GDS's number only when every member was erased (an erased customer has no id). */
const communityId = (algorithm: CommunityAlgorithm, anchor: string | null, key?: number) => `${algorithm.toLowerCase()}:${anchor ?? `#${key}`}`;

const RELATIONSHIP_TYPES = cypher<{ types: string[] }>('community.relationshipTypes', 'CALL db.relationshipTypes() YIELD relationshipType RETURN collect(relationshipType) AS types');
const CUSTOMER_COUNT = cypher<{ customers: number }>('community.customerCount', 'MATCH (c:Customer) RETURN count(c) AS customers');

/** An undirected projection of the chosen kinds the database has (GDS refuses unknown types); null when it has none. */
export async function undirectedProjection(graph: Graph, via: readonly ConnectionKind[]): Promise<Record<string, { type: string; orientation: 'UNDIRECTED' }> | null> {
  const [{ types }] = await graph.read(RELATIONSHIP_TYPES);
  const present = via.filter((kind) => types.includes(kind));
  if (present.length === 0) return null;
  return Object.fromEntries(present.map((kind) => [kind, { type: kind, orientation: 'UNDIRECTED' as const }]));
}

// Procedure names cannot be parameters: they reach the text only from this closed map.
const WRITE_PROCEDURE: Record<CommunityAlgorithm, string> = { LEIDEN: 'gds.leiden.write', LOUVAIN: 'gds.louvain.write', WCC: 'gds.wcc.write' };
const SETTINGS: Record<CommunityAlgorithm, Record<string, unknown>> = {
  LEIDEN: { randomSeed: LEIDEN_SEED },
  LOUVAIN: {},
  WCC: {},
};

const writeCommunities = (algorithm: CommunityAlgorithm) =>
  cypher<{ written: number }>(
    `community.write.${algorithm.toLowerCase()}`,
    `CALL gds.graph.project($graphName, 'Customer', $relationships) YIELD graphName
     CALL ${WRITE_PROCEDURE[algorithm]}(graphName, $settings) YIELD nodePropertiesWritten
     CALL gds.graph.drop(graphName, false) YIELD graphName AS dropped
     RETURN nodePropertiesWritten AS written`,
  );
const WRITES = Object.fromEntries(ALGORITHMS.map((algorithm) => [algorithm, writeCommunities(algorithm)])) as Record<CommunityAlgorithm, ReturnType<typeof writeCommunities>>;
const DROP_PROJECTION = cypher('community.dropProjection', 'CALL gds.graph.drop($graphName, false) YIELD graphName RETURN graphName');

const SIZES = cypher<{ key: number; size: number; anchor: string | null }>(
  'community.sizes',
  `MATCH (c:Customer) WHERE c[$property] IS NOT NULL
   RETURN c[$property] AS key, count(*) AS size, min(c.id) AS anchor`,
);

// Each pair of customers joined by at least one tie counted once, whatever the kinds and directions
// between them: distinct neighbours per customer, the pair seen from its lower element id.
const pairCounts = (types: string) =>
  cypher<{ low: number; high: number; connections: number }>(
    'community.pairs',
    `MATCH (a:Customer) WHERE a[$property] IS NOT NULL
     CALL (a) {
       MATCH (a)-[:${types}]-(b:Customer)
       WHERE elementId(a) < elementId(b) AND b[$property] IS NOT NULL
       WITH DISTINCT b
       RETURN b[$property] AS other
     }
     WITH a[$property] AS mine, other
     WITH CASE WHEN mine <= other THEN mine ELSE other END AS low, CASE WHEN mine <= other THEN other ELSE mine END AS high
     RETURN low, high, count(*) AS connections`,
  );

const ADVOCATES = cypher<{ key: number; advocates: AdvocateRecord[] }>(
  'community.advocates',
  `MATCH (a:Customer)-[r:REFERRED]->()
   WHERE a[$property] IS NOT NULL
   WITH a, count(r) AS sent, count(CASE WHEN r.firstPurchaseAt IS NOT NULL AND r.status <> 'HELD' THEN 1 END) AS converted
   ORDER BY converted DESC, sent DESC, a.id
   WITH a[$property] AS key, collect({customerId: a.id, convertedReferrals: converted, referralsSent: sent}) AS ranked
   RETURN key, ranked[0..${TOP_ADVOCATES}] AS advocates`,
);

/** A community's funnel row has the shape of one generation of referralConversion's. */
type FunnelRow = GenerationRow;

// The steps as analytics.referralConversion counts them, for referrals inside one community.
const FUNNELS = cypher<FunnelRow & { key: number }>(
  'community.funnels',
  `MATCH (referrer:Customer)-[r:REFERRED]->(invitee:Customer)
   WHERE referrer[$property] IS NOT NULL AND referrer[$property] = invitee[$property]
   WITH referrer[$property] AS key, referrer, r,
        ${REFERRAL_STEPS('r', 'invitee')}
   RETURN key, 0 AS generation,
          count(r) AS invited,
          count(DISTINCT referrer) AS referrers,
          count(CASE WHEN clicked THEN 1 END) AS clicked,
          count(CASE WHEN signedUp THEN 1 END) AS signedUp,
          count(CASE WHEN converted THEN 1 END) AS converted,
          count(CASE WHEN repeat THEN 1 END) AS repeatBuyers,
          collect(CASE WHEN converted THEN (r.firstPurchaseAt - r.invitedAt) / 3600000.0 END) AS hours`,
);

const EMPTY_FUNNEL: FunnelRow = { generation: 0, invited: 0, referrers: 0, clicked: 0, signedUp: 0, converted: 0, repeatBuyers: 0, hours: [] };

/** Density: the share of member pairs joined by a tie; 0 for a community of one. */
export const density = (size: number, internal: number) => (size < 2 ? 0 : Math.round((internal / ((size * (size - 1)) / 2)) * 1e6) / 1e6);

/**
 * Runs the algorithm over the whole graph, writes the assignment into the slot not being served, and
 * summarises every community. `previousSlot` is the slot of the snapshot served now (null: none).
 */
export async function computeCommunities(
  graph: Graph,
  algorithm: CommunityAlgorithm,
  via: readonly ConnectionKind[],
  previousSlot: 0 | 1 | null,
): Promise<CommunitiesRecord> {
  const slot: 0 | 1 = previousSlot === 0 ? 1 : 0;
  const [{ customers }] = await graph.read(CUSTOMER_COUNT);
  const relationships = await undirectedProjection(graph, via);
  const empty = { algorithm, via: [...via], slot, customers, communityCount: customers, singletons: customers, communities: [] };
  if (relationships === null || customers === 0) return { ...empty, property: null };

  const property = propertyName(algorithm, via, slot);
  const graphName = projectionName('community');
  try {
    // Outside a managed transaction: NEO4J_TX_TIMEOUT_SECONDS bounds request queries, and at 1M customers the
    // algorithm alone can take minutes. Only the background job (or a question's first request) runs this.
    await graph.runAutoCommit(WRITES[algorithm], { graphName, relationships, settings: { ...SETTINGS[algorithm], writeProperty: property } });
  } catch (error) {
    await graph.read(DROP_PROJECTION, { graphName }).catch(() => undefined);
    throw error;
  }

  const sizes = await graph.read(SIZES, { property });
  const idOf = new Map(sizes.map((row) => [row.key, communityId(algorithm, row.anchor, row.key)]));
  const listed = new Map<number, CommunityRecord>();
  for (const row of sizes) {
    if (row.size < 2) continue;
    listed.set(row.key, {
      key: row.key,
      id: idOf.get(row.key)!,
      size: row.size,
      internalConnections: 0,
      externalConnections: 0,
      density: 0,
      topAdvocates: [],
      conversion: toFunnel(EMPTY_FUNNEL),
      neighbours: [],
    });
  }

  const neighbours = new Map<number, NeighbourRecord[]>();
  const addNeighbour = (key: number, other: number, connections: number) => {
    const community = listed.get(key);
    if (!community) return;
    community.externalConnections += connections;
    const list = neighbours.get(key) ?? [];
    list.push({ communityId: idOf.get(other)!, connections });
    neighbours.set(key, list);
  };
  // One pass over every tie: like the algorithm, not bound by the request timeout.
  for (const pair of await graph.runAutoCommit(pairCounts(relationshipTypes('via', via)), { property })) {
    if (pair.low === pair.high) {
      const community = listed.get(pair.low);
      if (community) community.internalConnections += pair.connections;
    } else {
      addNeighbour(pair.low, pair.high, pair.connections);
      addNeighbour(pair.high, pair.low, pair.connections);
    }
  }
  for (const [key, list] of neighbours) {
    list.sort((a, b) => b.connections - a.connections || (a.communityId < b.communityId ? -1 : 1));
    listed.get(key)!.neighbours = list.slice(0, MAX_NEIGHBOURS);
  }
  for (const row of await graph.read(ADVOCATES, { property })) {
    const community = listed.get(row.key);
    if (community) community.topAdvocates = row.advocates;
  }
  for (const row of await graph.read(FUNNELS, { property })) {
    const community = listed.get(row.key);
    if (community) community.conversion = toFunnel(row);
  }
  const communities = [...listed.values()];
  for (const community of communities) community.density = density(community.size, community.internalConnections);
  communities.sort((a, b) => b.size - a.size || (a.id < b.id ? -1 : 1));
  const singletons = sizes.filter((row) => row.size === 1).length;
  return { algorithm, via: [...via], property, slot, customers, communityCount: sizes.length, singletons, communities };
}

const MEMBERSHIP = cypher<{ key: number | null }>('community.membership', 'MATCH (c:Customer {id: $id}) RETURN c[$property] AS key');

// A customer alone in their community: its ties all lead to other communities.
const singleton = (types: string) =>
  cypher<{ neighbours: NeighbourRow[]; sent: number; converted: number }>(
    'community.singleton',
    `MATCH (c:Customer {id: $id})
     RETURN COLLECT { MATCH (c)-[:${types}]-(n:Customer) WHERE n <> c AND n[$property] IS NOT NULL
                      RETURN DISTINCT {key: n[$property], customerId: n.id} } AS neighbours,
            COUNT { (c)-[:REFERRED]->() } AS sent,
            COUNT { (c)-[r:REFERRED]->() WHERE r.firstPurchaseAt IS NOT NULL } AS converted`,
  );

interface NeighbourRow {
  key: number;
  customerId: string | null;
}

/** The id of the community numbered `key` in the snapshot; an unlisted one is a singleton, named after its member. */
function idIn(snapshot: CommunitiesRecord, byKey: Map<number, string>, key: number, member: string | null): string {
  return byKey.get(key) ?? communityId(snapshot.algorithm, member, key);
}

/**
 * The community of one customer in a communities snapshot; null when the customer is unknown, was created
 * after the run, or the graph had no ties of the chosen kinds.
 */
export async function communityOf(graph: Graph, snapshot: CommunitiesRecord, customerId: string): Promise<CommunityRecord | null> {
  checkId('customerId', customerId);
  if (snapshot.property === null) return null;
  const [row] = await graph.read(MEMBERSHIP, { id: customerId, property: snapshot.property });
  if (!row || row.key === null) return null;
  const listed = snapshot.communities.find((community) => community.key === row.key);
  if (listed) return listed;
  // Alone in the community (not listed): summarised here from the customer's own ties.
  const [single] = await graph.read(singleton(relationshipTypes('via', snapshot.via)), { id: customerId, property: snapshot.property });
  const byKey = new Map(snapshot.communities.map((community) => [community.key, community.id]));
  const counts = new Map<string, number>();
  for (const neighbour of single.neighbours) {
    const id = idIn(snapshot, byKey, neighbour.key, neighbour.customerId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const neighbours = [...counts.entries()]
    .map(([id, connections]) => ({ communityId: id, connections }))
    .sort((a, b) => b.connections - a.connections || (a.communityId < b.communityId ? -1 : 1));
  return {
    key: row.key,
    id: communityId(snapshot.algorithm, customerId),
    size: 1,
    internalConnections: 0,
    externalConnections: single.neighbours.length,
    density: 0,
    topAdvocates: single.sent > 0 ? [{ customerId, convertedReferrals: single.converted, referralsSent: single.sent }] : [],
    conversion: toFunnel(EMPTY_FUNNEL),
    neighbours: neighbours.slice(0, MAX_NEIGHBOURS),
  };
}

const memberships = (types: string) =>
  cypher<{ customerId: string; key: number | null; neighbours: NeighbourRow[] }>(
    'community.memberships',
    `UNWIND $ids AS id
     MATCH (c:Customer {id: id})
     RETURN id AS customerId, c[$property] AS key,
            COLLECT { MATCH (c)-[:${types}]-(n:Customer) WHERE n <> c AND n[$property] IS NOT NULL
                      RETURN DISTINCT {key: n[$property], customerId: n.id} } AS neighbours`,
  );

export interface JoinedCommunityRecord {
  communityId: string;
  /** Of the customer's distinct neighbours (ties of the snapshot's kinds), how many are in this community. */
  neighbours: number;
  /** True for the customer's own community. */
  own: boolean;
}

/** For each customer: their own community and those of their neighbours, most neighbours first. */
export async function communitiesJoined(graph: Graph, snapshot: CommunitiesRecord, customerIds: string[]): Promise<Map<string, JoinedCommunityRecord[]>> {
  const joined = new Map<string, JoinedCommunityRecord[]>();
  if (snapshot.property === null || customerIds.length === 0) return joined;
  const byKey = new Map(snapshot.communities.map((community) => [community.key, community.id]));
  const rows = await graph.read(memberships(relationshipTypes('via', snapshot.via)), { ids: customerIds, property: snapshot.property });
  for (const row of rows) {
    if (row.key === null) continue;
    const counts = new Map<string, { neighbours: number; own: boolean }>([[idIn(snapshot, byKey, row.key, row.customerId), { neighbours: 0, own: true }]]);
    for (const neighbour of row.neighbours) {
      const id = idIn(snapshot, byKey, neighbour.key, neighbour.customerId);
      const entry = counts.get(id) ?? { neighbours: 0, own: false };
      entry.neighbours += 1;
      counts.set(id, entry);
    }
    const list = [...counts.entries()].map(([communityId, entry]) => ({ communityId, ...entry }));
    list.sort((a, b) => Number(b.own) - Number(a.own) || b.neighbours - a.neighbours || (a.communityId < b.communityId ? -1 : 1));
    joined.set(row.customerId, list.slice(0, MAX_JOINED));
  }
  return joined;
}
