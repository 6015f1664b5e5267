import type { ReviewSuspicionReason } from '../schema/generated/types';
import { cypher, Graph } from './neo4j';

// Review manipulation: a review is suspicious when its author is a member of a fraud ring (from the latest
// `fraudRings` snapshot, passed in: graph/ does not read snapshots) or shares an identifier with another reviewer
// of the same product. Trust-weighted ratings count such reviews less; this is the flag they read.

const SHARES_WITH_REVIEWER = cypher<{ customerId: string; productId: string; shares: boolean }>(
  'review.sharesIdentifierWithReviewer',
  `UNWIND $reviews AS review
   MATCH (c:Customer {id: review.customerId})-[:REVIEWED]->(p:Product {id: review.productId})
   RETURN review.customerId AS customerId, review.productId AS productId,
          EXISTS { MATCH (c)-[:HAS_IDENTIFIER]->(:Identifier)<-[:HAS_IDENTIFIER]-(other:Customer)-[:REVIEWED]->(p) WHERE other <> c } AS shares`,
);

export const reviewKey = (review: { customerId: string; productId: string }) => `${review.customerId}\n${review.productId}`;

/** The reasons each review is suspicious, by reviewKey; empty lists for reviews that are not. */
export async function reviewSuspicion(
  graph: Graph,
  reviews: ReadonlyArray<{ customerId: string; productId: string }>,
  ringMembers: ReadonlySet<string>,
): Promise<Map<string, ReviewSuspicionReason[]>> {
  const rows = reviews.length === 0 ? [] : await graph.read(SHARES_WITH_REVIEWER, { reviews: reviews.map(({ customerId, productId }) => ({ customerId, productId })) });
  const shares = new Map(rows.map((row) => [reviewKey(row), row.shares]));
  return new Map(
    reviews.map((review) => {
      const reasons: ReviewSuspicionReason[] = [];
      if (ringMembers.has(review.customerId)) reasons.push('RING_MEMBER');
      if (shares.get(reviewKey(review))) reasons.push('SHARES_IDENTIFIER_WITH_REVIEWER');
      return [reviewKey(review), reasons];
    }),
  );
}
