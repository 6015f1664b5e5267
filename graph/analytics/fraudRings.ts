import crypto from 'node:crypto';
import type { IdentifierKind, ReferralStatus } from '../../schema/generated/types';
import { hashPrefix } from '../identifiers';
import { cypher, Graph } from '../neo4j';

/**
 * Fraud rings: connected groups of customers joined by shared identifiers and by credited (or HELD) referrals
 * between such customers. A whole-graph answer, computed in the background into a snapshot (server/wholeGraphSnapshots.ts).
 *
 * The subgraph: every customer linked to an identifier that another customer is also linked to (a "suspect"),
 * the shared identifiers between them, and the credited or held referrals whose two ends are both suspects.
 * A referral tree without shared identifiers is no ring however large, and an honest invitee of a ring member
 * is not pulled in. Identifiers shared by more than MAX_IDENTIFIER_FANOUT customers (a office's or carrier's IP,
 * a marketplace's payment token) join no ring: they are too common to mean anything, and would chain half the
 * graph into one component. Components are found with union-find over the streamed edges (the same answer as
 * GDS WCC on this subgraph, without a projection: the subgraph is small next to the whole graph).
 *
 * Score, from 0 to 1, higher is more suspicious:
 *   score = 0.5 × sharedIdentifierShare + 0.3 × referralDensity + 0.2 × refundRate
 *   sharedIdentifierShare = identifiers linked to two or more members / distinct identifiers of the members
 *   referralDensity       = min(1, credited or held referrals between members / (size − 1))
 *   refundRate            = refunded purchases of the members / their purchases (0 without purchases)
 */

export const MAX_IDENTIFIER_FANOUT = 50;
/** The snapshot keeps the highest-scoring rings of two or more members, at most this many. */
export const MAX_RINGS_KEPT = 1000;

export interface RingLinkRecord {
  identifier: { kind: IdentifierKind; hashPrefix: string };
  customerIds: string[];
}

export interface RingReferralRecord {
  referrerId: string;
  inviteeId: string;
  status: ReferralStatus;
}

/** Customer ids, counts and hash prefixes only: this is stored in Redis. */
export interface FraudRingRecord {
  id: string;
  size: number;
  score: number;
  sharedIdentifierShare: number;
  referralDensity: number;
  refundRate: number;
  memberIds: string[];
  links: RingLinkRecord[];
  referrals: RingReferralRecord[];
}

const SHARED_IDENTIFIERS = cypher<{ kind: IdentifierKind; hash: string; members: string[] }>(
  'fraudRings.sharedIdentifiers',
  `MATCH (i:Identifier)
   WITH i, COUNT { (i)<-[:HAS_IDENTIFIER]-(:Customer) } AS linked
   WHERE linked >= 2 AND linked <= $maxFanout
   RETURN i.kind AS kind, i.hash AS hash, COLLECT { MATCH (i)<-[:HAS_IDENTIFIER]-(c:Customer) RETURN c.id ORDER BY c.id } AS members`,
);

const REFERRALS_AMONG = cypher<RingReferralRecord>(
  'fraudRings.referrals',
  `UNWIND $ids AS id
   MATCH (a:Customer {id: id})-[r:REFERRED]->(b:Customer)
   WHERE r.creditedInvitee IS NOT NULL AND b.id IN $ids
   RETURN a.id AS referrerId, b.id AS inviteeId, r.status AS status`,
);

const MEMBER_FACTS = cypher<{ id: string; identifiers: string[]; purchases: number; refunds: number }>(
  'fraudRings.memberFacts',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   RETURN id, COLLECT { MATCH (c)-[:HAS_IDENTIFIER]->(i:Identifier) RETURN i.kind + ':' + i.hash } AS identifiers,
          COUNT { (c)-[:PURCHASED]->() } AS purchases,
          COUNT { (c)-[p:PURCHASED]->() WHERE p.refundedAt IS NOT NULL } AS refunds`,
);

class UnionFind {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    if (!this.parent.has(root)) this.parent.set(root, root);
    for (let node = x; node !== root; ) {
      const next = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** Every ring of two or more customers, highest score first (then larger, then by id), at most MAX_RINGS_KEPT. */
export async function fraudRings(graph: Graph): Promise<FraudRingRecord[]> {
  return graph.readTransaction(async (tx) => {
    const shared = await tx.run(SHARED_IDENTIFIERS, { maxFanout: MAX_IDENTIFIER_FANOUT });
    const rings = new UnionFind();
    for (const { members } of shared) for (const member of members.slice(1)) rings.union(members[0], member);
    const suspects = [...new Set(shared.flatMap((group) => group.members))].sort();
    if (suspects.length === 0) return [];
    const referrals = await tx.run(REFERRALS_AMONG, { ids: suspects });
    for (const { referrerId, inviteeId } of referrals) rings.union(referrerId, inviteeId);
    const facts = new Map((await tx.run(MEMBER_FACTS, { ids: suspects })).map((row) => [row.id, row]));

    const members = new Map<string, string[]>();
    for (const id of suspects) {
      const root = rings.find(id);
      members.set(root, [...(members.get(root) ?? []), id]);
    }
    const result: FraudRingRecord[] = [];
    for (const [root, memberIds] of members) {
      if (memberIds.length < 2) continue;
      const links = shared
        .filter((group) => rings.find(group.members[0]) === root)
        .map((group) => ({ identifier: { kind: group.kind, hashPrefix: hashPrefix(group.hash) }, customerIds: group.members }));
      const inside = referrals.filter((referral) => rings.find(referral.referrerId) === root);
      const identifiers = new Set(memberIds.flatMap((id) => facts.get(id)?.identifiers ?? []));
      const purchases = memberIds.reduce((total, id) => total + (facts.get(id)?.purchases ?? 0), 0);
      const refunds = memberIds.reduce((total, id) => total + (facts.get(id)?.refunds ?? 0), 0);
      const sharedIdentifierShare = identifiers.size === 0 ? 0 : links.length / identifiers.size;
      const referralDensity = Math.min(1, inside.length / (memberIds.length - 1));
      const refundRate = purchases === 0 ? 0 : refunds / purchases;
      result.push({
        id: crypto.createHash('sha256').update(memberIds.join('\n')).digest('hex').slice(0, 16),
        size: memberIds.length,
        score: round(0.5 * sharedIdentifierShare + 0.3 * referralDensity + 0.2 * refundRate),
        sharedIdentifierShare: round(sharedIdentifierShare),
        referralDensity: round(referralDensity),
        refundRate: round(refundRate),
        memberIds,
        links,
        referrals: inside.sort((a, b) => a.referrerId.localeCompare(b.referrerId) || a.inviteeId.localeCompare(b.inviteeId)),
      });
    }
    result.sort((a, b) => b.score - a.score || b.size - a.size || a.id.localeCompare(b.id));
    return result.slice(0, MAX_RINGS_KEPT);
  });
}
