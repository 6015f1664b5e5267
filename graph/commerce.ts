import type { RecordPurchaseInput, RecordReviewInput } from '../schema/generated/types';
import { ADVANCE_STAGE, requireCustomers } from './customers';
import { conflict, conflictOn, notFound } from './errors';
import { ProductRecord, PROMOTER_MIN_RECOMMEND, PurchaseRecord, ReviewRecord, stageRank, TEXT_LIMITS } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkCurrency, checkId, checkIntRange, checkNumberRange, checkText } from './validate';

export const PURCHASE_PROJECTION = (rel: string, customer: string, product: string) =>
  `{orderId: ${rel}.orderId, customerId: ${customer}.id, productId: ${product}.id, amount: ${rel}.amount, currency: ${rel}.currency, at: ${rel}.at}`;

export const REVIEW_PROJECTION = (rel: string, customer: string, product: string) =>
  `{customerId: ${customer}.id, productId: ${product}.id, rating: ${rel}.rating, text: ${rel}.text, recommend: ${rel}.recommend, at: ${rel}.at, revisions: ${rel}.revisions}`;

// A repeat buyer who would recommend the company (NPS promoter, 9–10) is a loyal advocate.
const PROMOTE_LOYAL = (customer: string) =>
  `CALL (${customer}) {
     WITH ${customer} WHERE ${customer}.stage = 'REPEAT_BUYER' AND EXISTS { (${customer})-[rv:REVIEWED]->() WHERE rv.recommend >= ${PROMOTER_MIN_RECOMMEND} }
     SET ${customer}.stage = 'LOYAL', ${customer}.stageRank = ${stageRank('LOYAL')}
   }`;

const ORDER_OWNER = cypher<{ customerExists: boolean; orderExists: boolean }>(
  'purchase.orderOwner',
  `OPTIONAL MATCH (c:Customer {id: $customerId})
   OPTIONAL MATCH ()-[p:PURCHASED {orderId: $orderId}]->()
   RETURN c IS NOT NULL AS customerExists, p IS NOT NULL AS orderExists`,
);

// Stage counts every purchase: the first makes a buyer, the second a repeat buyer, whenever they happened.
// The credited referral (the one with signedUpAt) converts on the invitee's first purchase at or after
// the credited sign-up; a purchase before it does not convert. Events arrive out of order, so a purchase
// dated earlier than the current firstPurchaseAt (and still at or after the sign-up) moves it back.
// CREDIT_REFERRAL in graph/signup.ts applies the same rule to purchases already recorded.
// One purchase per order id is the purchased_order_id constraint: of concurrent writers of one order,
// the first commits and the others fail on it (ORDER_OWNER only answers the common repeat early).
// Creating p write-locks c, as SIGN_UP's SET on c does: a concurrent sign-up and purchase serialise on c,
// and whichever runs second sees the other.
const RECORD_PURCHASE = cypher<{ purchase: PurchaseRecord }>(
  'purchase.record',
  `MATCH (c:Customer {id: $customerId})
   MERGE (product:Product {id: $productId})
   ON CREATE SET product.name = $productName
   CREATE (c)-[p:PURCHASED {orderId: $orderId, amount: $amount, currency: $currency, at: $at}]->(product)
   WITH c, p, product, COUNT { (c)-[:PURCHASED]->() } AS purchases
   CALL (c, purchases) {
     WITH c WHERE purchases = 1
     ${ADVANCE_STAGE('c', 'BUYER')}
   }
   CALL (c) {
     MATCH (:Customer)-[r:REFERRED]->(c)
     WHERE r.signedUpAt IS NOT NULL AND r.signedUpAt <= $at AND (r.firstPurchaseAt IS NULL OR $at < r.firstPurchaseAt)
     SET r.status = 'CONVERTED', r.firstPurchaseAt = $at
   }
   CALL (c, purchases) {
     WITH c WHERE purchases >= 2
     ${ADVANCE_STAGE('c', 'REPEAT_BUYER')}
   }
   ${PROMOTE_LOYAL('c')}
   RETURN p ${PURCHASE_PROJECTION('p', 'c', 'product')} AS purchase`,
);

export async function recordPurchase(tx: Tx, input: RecordPurchaseInput, now: number): Promise<PurchaseRecord> {
  const customerId = checkId('customerId', input.customerId);
  const productId = checkId('productId', input.productId);
  const orderId = checkId('orderId', input.orderId);
  const amount = checkNumberRange('amount', input.amount, 0, 1e9);
  const currency = checkCurrency('currency', input.currency);
  const productName = checkText('productName', input.productName, TEXT_LIMITS.name) ?? null;
  const [state] = await tx.run(ORDER_OWNER, { customerId, orderId });
  if (!state.customerExists) throw notFound('customerId', `no customer with id "${customerId}".`);
  const orderTaken = `order "${orderId}" is already recorded.`;
  if (state.orderExists) throw conflict('orderId', orderTaken);
  const [row] = await conflictOn('orderId', orderTaken, () =>
    tx.run(RECORD_PURCHASE, { customerId, productId, productName, orderId, amount, currency, at: input.at ?? now }),
  );
  return row.purchase;
}

// One review per customer and product: a second one replaces it and counts the revision.
const RECORD_REVIEW = cypher<{ review: ReviewRecord }>(
  'review.record',
  `MATCH (c:Customer {id: $customerId})
   MERGE (product:Product {id: $productId})
   MERGE (c)-[rv:REVIEWED]->(product)
   SET rv.rating = $rating, rv.text = $text, rv.recommend = $recommend, rv.at = $at, rv.revisions = coalesce(rv.revisions, 0) + 1
   WITH c, rv, product
   ${PROMOTE_LOYAL('c')}
   RETURN rv ${REVIEW_PROJECTION('rv', 'c', 'product')} AS review`,
);

export async function recordReview(tx: Tx, input: RecordReviewInput, now: number): Promise<ReviewRecord> {
  const customerId = checkId('customerId', input.customerId);
  const productId = checkId('productId', input.productId);
  const rating = checkIntRange('rating', input.rating, 1, 5);
  const recommend = input.recommend === null || input.recommend === undefined ? null : checkIntRange('recommend', input.recommend, 0, 10);
  const text = checkText('text', input.text, TEXT_LIMITS.reviewText) ?? null;
  await requireCustomers(tx, { customerId });
  const [row] = await tx.run(RECORD_REVIEW, { customerId, productId, rating, recommend, text, at: input.at ?? now });
  return row.review;
}

const PRODUCTS_BY_ID = cypher<{ product: ProductRecord }>(
  'product.byIds',
  `UNWIND $ids AS id
   MATCH (p:Product {id: id})
   CALL (p) {
     OPTIONAL MATCH ()-[rv:REVIEWED]->(p)
     RETURN avg(rv.rating) AS averageRating, count(rv) AS reviewCount
   }
   RETURN p {.id, .name, averageRating: averageRating, reviewCount: reviewCount, purchaseCount: COUNT { ()-[:PURCHASED]->(p) }} AS product`,
);

export async function productsByIds(graph: Graph, ids: readonly string[]): Promise<Map<string, ProductRecord>> {
  const rows = await graph.read(PRODUCTS_BY_ID, { ids: [...new Set(ids)] });
  return new Map(rows.map((row) => [row.product.id, row.product]));
}
