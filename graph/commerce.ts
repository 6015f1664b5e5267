import type { RecordPurchaseInput, RecordReviewInput } from '../schema/generated/types';
import { ADVANCE_STAGE, requireCustomers } from './customers';
import { conflict, conflictOn, notFound } from './errors';
import { ProductRecord, PROMOTER_MIN_RECOMMEND, PurchaseRecord, ReviewRecord, stageRank, TEXT_LIMITS } from './model';
import { HashedIdentifier, linkIdentifiers, parseIdentifiers } from './identifiers';
import { cypher, Graph, Tx } from './neo4j';
import { REWARDS_ON_CONVERSION } from './rewards';
import { conversionEvent, emitEvents, reviewEvent } from './outbox';
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

// The statements take `$rows`: a single mutation sends one row, a batch (graph/batch) one row per event.
export const ORDER_OWNER = cypher<{ index: number; customerExists: boolean; orderExists: boolean }>(
  'purchase.orderOwner',
  `UNWIND $rows AS row
   OPTIONAL MATCH (c:Customer {id: row.customerId})
   OPTIONAL MATCH ()-[p:PURCHASED {orderId: row.orderId}]->()
   WITH row, c, count(p) > 0 AS orderExists
   RETURN row.index AS index, c IS NOT NULL AS customerExists, orderExists`,
);

// Stage counts every purchase: the first makes a buyer, the second a repeat buyer, whenever they happened.
// The credited referral (the one with signedUpAt) converts on the invitee's first purchase at or after
// the credited sign-up; a purchase before it does not convert. Events arrive out of order, so a purchase
// dated earlier than the current firstPurchaseAt (and still at or after the sign-up) moves it back.
// CREDIT_REFERRAL in graph/signup.ts applies the same rule to purchases already recorded. A HELD referral records
// its first purchase but stays HELD (no conversion until approved); a conversion creates the campaign's rewards.
// One purchase per order id is the purchased_order_id constraint: of concurrent writers of one order,
// the first commits and the others fail on it (ORDER_OWNER only answers the common repeat early).
// Creating p write-locks c, as SIGN_UP's SET on c does: a concurrent sign-up and purchase serialise on c,
// and whichever runs second sees the other.
export const RECORD_PURCHASE = cypher<{ index: number; purchase: PurchaseRecord; conversion: Conversion | null }>(
  'purchase.record',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId})
   MERGE (product:Product {id: row.productId})
   ON CREATE SET product.name = row.productName
   CREATE (c)-[p:PURCHASED {orderId: row.orderId, amount: row.amount, currency: row.currency, at: row.at}]->(product)
   WITH row, c, p, product, COUNT { (c)-[:PURCHASED]->() } AS purchases
   CALL (c, purchases) {
     WITH c WHERE purchases = 1
     ${ADVANCE_STAGE('c', 'BUYER')}
   }
   CALL (c, row) {
     OPTIONAL MATCH (referrer:Customer)-[r:REFERRED]->(c)
     WHERE r.signedUpAt IS NOT NULL AND r.signedUpAt <= row.at AND (r.firstPurchaseAt IS NULL OR row.at < r.firstPurchaseAt)
     WITH referrer, r, c, r IS NOT NULL AND NOT r.status IN ['CONVERTED', 'HELD'] AS converts
     SET r.status = CASE WHEN r.status = 'HELD' THEN 'HELD' ELSE 'CONVERTED' END, r.firstPurchaseAt = row.at
     WITH referrer, r, c, converts
     ${REWARDS_ON_CONVERSION('r', 'referrer', 'c')}
     RETURN CASE WHEN converts THEN {referrerId: referrer.id, campaignId: r.campaign} END AS conversion
   }
   CALL (c, purchases) {
     WITH c WHERE purchases >= 2
     ${ADVANCE_STAGE('c', 'REPEAT_BUYER')}
   }
   ${PROMOTE_LOYAL('c')}
   RETURN row.index AS index, p ${PURCHASE_PROJECTION('p', 'c', 'product')} AS purchase, conversion`,
);

/** The credited referral a purchase converted (the invitee's first purchase at or after the sign-up). */
export interface Conversion {
  referrerId: string;
  campaignId: string | null;
}

/** The events of written purchases: each conversion. */
export const purchaseEvents = (written: ReadonlyArray<{ purchase: PurchaseRecord; conversion: Conversion | null }>) =>
  written.flatMap(({ purchase, conversion }) => (conversion ? [conversionEvent(purchase.customerId, conversion)] : []));

export interface PurchaseRow {
  customerId: string;
  productId: string;
  productName: string | null;
  orderId: string;
  amount: number;
  currency: string;
  at: number;
  identifiers: HashedIdentifier[];
}

export function parsePurchase(input: RecordPurchaseInput, now: number): PurchaseRow {
  const customerId = checkId('customerId', input.customerId);
  const productId = checkId('productId', input.productId);
  const orderId = checkId('orderId', input.orderId);
  const amount = checkNumberRange('amount', input.amount, 0, 1e9);
  const currency = checkCurrency('currency', input.currency);
  const productName = checkText('productName', input.productName, TEXT_LIMITS.name) ?? null;
  const identifiers = parseIdentifiers('identifiers', input.identifiers);
  return { customerId, productId, productName, orderId, amount, currency, at: input.at ?? now, identifiers };
}

export function checkOrderState(row: PurchaseRow, state: { customerExists: boolean; orderExists: boolean }): void {
  if (!state.customerExists) throw notFound('customerId', `no customer with id "${row.customerId}".`);
  if (state.orderExists) throw conflict('orderId', orderTaken(row.orderId));
}

const orderTaken = (orderId: string) => `order "${orderId}" is already recorded.`;

export async function recordPurchase(tx: Tx, input: RecordPurchaseInput, now: number): Promise<PurchaseRecord> {
  const row = { ...parsePurchase(input, now), index: 0 };
  const [state] = await tx.run(ORDER_OWNER, { rows: [row] });
  checkOrderState(row, state);
  const [written] = await conflictOn('orderId', orderTaken(row.orderId), () => tx.run(RECORD_PURCHASE, { rows: [row] }));
  await linkIdentifiers(tx, [row]);
  await emitEvents(tx, purchaseEvents([written]));
  return written.purchase;
}

// One review per customer and product: a second one replaces it and counts the revision.
export const RECORD_REVIEW = cypher<{ index: number; review: ReviewRecord }>(
  'review.record',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId})
   MERGE (product:Product {id: row.productId})
   MERGE (c)-[rv:REVIEWED]->(product)
   SET rv.rating = row.rating, rv.text = row.text, rv.recommend = row.recommend, rv.at = row.at, rv.revisions = coalesce(rv.revisions, 0) + 1
   WITH row, c, rv, product
   ${PROMOTE_LOYAL('c')}
   RETURN row.index AS index, rv ${REVIEW_PROJECTION('rv', 'c', 'product')} AS review`,
);

export interface ReviewRow {
  customerId: string;
  productId: string;
  rating: number;
  recommend: number | null;
  text: string | null;
  at: number;
}

export function parseReview(input: RecordReviewInput, now: number): ReviewRow {
  const customerId = checkId('customerId', input.customerId);
  const productId = checkId('productId', input.productId);
  const rating = checkIntRange('rating', input.rating, 1, 5);
  const recommend = input.recommend === null || input.recommend === undefined ? null : checkIntRange('recommend', input.recommend, 0, 10);
  const text = checkText('text', input.text, TEXT_LIMITS.reviewText) ?? null;
  return { customerId, productId, rating, recommend, text, at: input.at ?? now };
}

export async function recordReview(tx: Tx, input: RecordReviewInput, now: number): Promise<ReviewRecord> {
  const row = parseReview(input, now);
  await requireCustomers(tx, { customerId: row.customerId });
  const [written] = await tx.run(RECORD_REVIEW, { rows: [{ ...row, index: 0 }] });
  await emitEvents(tx, [reviewEvent(row.customerId, row.productId)]);
  return written.review;
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
