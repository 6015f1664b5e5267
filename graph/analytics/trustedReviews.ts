import { REVIEW_PROJECTION } from '../commerce';
import { requireCustomersIn } from '../customers';
import { Page, ReviewRecord } from '../model';
import { cypher, Graph } from '../neo4j';
import { afterCursor, CursorValue, orderBy, pageRequest, SortKey, toPage } from '../pagination';
import { checkId } from '../validate';

/**
 * Reviews as one reader should see them: by the author's distance from the reader over KNOWS ties. Distances
 * are bands: 0 the reader, 1 a connection, 2 a connection's connection, 3 anyone else (answered as null).
 */
export const TRUST_WEIGHTS = { near: 4, twoHops: 2, everyone: 1 } as const;
/** A review written more often than this counts less: its weight is multiplied by this / revisions. */
export const FULL_WEIGHT_REVISIONS = 3;
/**
 * A suspicious review (graph/reviewFlags.ts: its author is in a fraud ring, or shares an identifier with another
 * reviewer of the product) keeps this share of its weight: it still counts, since the flag is evidence, not proof.
 */
export const SUSPICIOUS_REVIEW_WEIGHT = 0.25;

export interface TrustedReviewRecord {
  review: ReviewRecord;
  distance: number | null;
  viaId: string | null;
}

const BAND = (reader: string, author: string) =>
  `CASE WHEN ${author} = ${reader} THEN 0
        WHEN EXISTS { (${reader})-[:KNOWS]-(${author}) } THEN 1
        WHEN EXISTS { (${reader})-[:KNOWS]-(:Customer)-[:KNOWS]-(${author}) } THEN 2
        ELSE 3 END`;

const KEYS: readonly SortKey[] = [
  { expression: 'band', direction: 'ASC', type: 'number' },
  { expression: 'at', direction: 'DESC', type: 'number' },
  { expression: 'authorId', direction: 'ASC', type: 'string' },
];
const LIST = 'reviewsFor';

// The first step at distance 2 is the shared connection the reader is closest to (tie strength, then id).
const REVIEWS_FOR = cypher<{ items: Array<{ item: TrustedReviewRecord; key: CursorValue[] }>; total: number }>(
  'marketers.reviewsFor',
  `MATCH (reader:Customer {id: $readerId}), (product:Product {id: $productId})
   CALL (reader, product) {
     MATCH (author:Customer)-[rv:REVIEWED]->(product)
     WITH reader, product, author, rv, ${BAND('reader', 'author')} AS band, coalesce(rv.at, 0) AS at, author.id AS authorId
     WHERE ${afterCursor(KEYS)}
     WITH * ORDER BY ${orderBy(KEYS)} LIMIT $limitAndOne
     CALL (reader, author, band) {
       OPTIONAL MATCH (reader)-[k:KNOWS]-(m:Customer)-[:KNOWS]-(author) WHERE band = 2
       WITH m, k ORDER BY coalesce(k.strength, 0.0) DESC, m.id LIMIT 1
       RETURN m.id AS secondStep
     }
     RETURN collect({
       item: {
         review: rv ${REVIEW_PROJECTION('rv', 'author', 'product')},
         distance: CASE band WHEN 3 THEN null ELSE band END,
         viaId: CASE band WHEN 1 THEN author.id WHEN 2 THEN secondStep ELSE null END
       },
       key: [band, at, authorId]
     }) AS items
   }
   RETURN items, COUNT { ()-[:REVIEWED]->(product) } AS total`,
);

/** NOT_FOUND `readerId`; BAD_USER_INPUT `readerId`, `first`, `after`. */
export async function reviewsFor(
  graph: Graph,
  productId: string,
  readerId: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Page<TrustedReviewRecord>> {
  checkId('readerId', readerId);
  const request = pageRequest(LIST, KEYS, first, after);
  await requireCustomersIn(graph, { readerId });
  const [row] = await graph.read(REVIEWS_FOR, { readerId, productId, after: request.after, limitAndOne: request.limit + 1 });
  return toPage(LIST, row?.items ?? [], request, row?.total ?? 0);
}

export interface ReaderRatingRecord {
  plainAverage: number | null;
  trustWeightedAverage: number | null;
  reviewCount: number;
  connectionsWhoBought: number;
  connectionsWhoReviewed: number;
  connectionsWhoBoughtAndReviewed: number;
}

const RATING_FOR = cypher<{
  reviewCount: number;
  ratingSum: number;
  weightedSum: number;
  weightSum: number;
  connectionsWhoBought: number;
  connectionsWhoReviewed: number;
  connectionsWhoBoughtAndReviewed: number;
}>(
  'marketers.ratingFor',
  `MATCH (reader:Customer {id: $readerId}), (product:Product {id: $productId})
   CALL (reader, product) {
     MATCH (author:Customer)-[rv:REVIEWED]->(product)
     WITH rv, author, product, CASE ${BAND('reader', 'author')} WHEN 0 THEN $weights.near WHEN 1 THEN $weights.near WHEN 2 THEN $weights.twoHops ELSE $weights.everyone END
          * CASE WHEN coalesce(rv.revisions, 1) > $fullWeightRevisions THEN toFloat($fullWeightRevisions) / rv.revisions ELSE 1.0 END
          * CASE WHEN author.id IN $ringMembers
                   OR EXISTS { MATCH (author)-[:HAS_IDENTIFIER]->(:Identifier)<-[:HAS_IDENTIFIER]-(other:Customer)-[:REVIEWED]->(product) WHERE other <> author }
                 THEN $suspiciousWeight ELSE 1.0 END AS weight
     RETURN count(rv) AS reviewCount, sum(rv.rating) AS ratingSum, sum(weight * rv.rating) AS weightedSum, sum(weight) AS weightSum
   }
   CALL (reader, product) {
     MATCH (reader)-[:KNOWS]-(f:Customer)
     WITH DISTINCT f, product
     WITH EXISTS { (f)-[:PURCHASED]->(product) } AS bought, EXISTS { (f)-[:REVIEWED]->(product) } AS reviewed
     RETURN count(CASE WHEN bought THEN 1 END) AS connectionsWhoBought, count(CASE WHEN reviewed THEN 1 END) AS connectionsWhoReviewed,
            count(CASE WHEN bought AND reviewed THEN 1 END) AS connectionsWhoBoughtAndReviewed
   }
   RETURN reviewCount, ratingSum, weightedSum, weightSum, connectionsWhoBought, connectionsWhoReviewed, connectionsWhoBoughtAndReviewed`,
);

/** NOT_FOUND `readerId`; BAD_USER_INPUT `readerId`. */
export async function ratingFor(graph: Graph, productId: string, readerId: string, ringMembers: readonly string[]): Promise<ReaderRatingRecord> {
  checkId('readerId', readerId);
  await requireCustomersIn(graph, { readerId });
  const [row] = await graph.read(RATING_FOR, {
    readerId,
    productId,
    weights: TRUST_WEIGHTS,
    fullWeightRevisions: FULL_WEIGHT_REVISIONS,
    suspiciousWeight: SUSPICIOUS_REVIEW_WEIGHT,
    ringMembers,
  });
  if (!row || row.reviewCount === 0) {
    return { plainAverage: null, trustWeightedAverage: null, reviewCount: 0, connectionsWhoBought: row?.connectionsWhoBought ?? 0, connectionsWhoReviewed: 0, connectionsWhoBoughtAndReviewed: 0 };
  }
  return {
    plainAverage: row.ratingSum / row.reviewCount,
    trustWeightedAverage: row.weightedSum / row.weightSum,
    reviewCount: row.reviewCount,
    connectionsWhoBought: row.connectionsWhoBought,
    connectionsWhoReviewed: row.connectionsWhoReviewed,
    connectionsWhoBoughtAndReviewed: row.connectionsWhoBoughtAndReviewed,
  };
}
