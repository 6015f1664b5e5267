import type { RecordPurchaseInput, RecordReviewInput } from '../server/generated/graphql';
import { ADVANCE_STAGE } from './customers';
import { conflict, notFound } from './errors';
import { ProductRecord, PurchaseRecord, ReviewRecord } from './model';
import { cypher, Graph, Tx } from './neo4j';
import { checkCurrency, checkId, checkIntRange, checkNumberRange, checkText } from './validate';

export const PURCHASE_PROJECTION = (rel: string, customer: string, product: string) =>
  `{orderId: ${rel}.orderId, customerId: ${customer}.id, productId: ${product}.id, amount: ${rel}.amount, currency: ${rel}.currency, at: ${rel}.at}`;

export const REVIEW_PROJECTION = (rel: string, customer: string, product: string) =>
  `{customerId: ${customer}.id, productId: ${product}.id, rating: ${rel}.rating, text: ${rel}.text, recommend: ${rel}.recommend, at: ${rel}.at, revisions: ${rel}.revisions}`;

// A repeat buyer who would recommend the company (NPS promoter, 9–10) is a loyal advocate.
const PROMOTE_LOYAL = (customer: string) =>
  `CALL (${customer}) {
     WITH ${customer} WHERE ${customer}.stage = 'REPEAT_BUYER' AND EXISTS { (${customer})-[rv:REVIEWED]->() WHERE rv.recommend >= 9 }
     SET ${customer}.stage = 'LOYAL', ${customer}.stageRank = 6
   }`;

const ORDER_OWNER = cypher(
  'purchase.orderOwner',
  `OPTIONAL MATCH (c:Customer {id: $customerId})
   OPTIONAL MATCH ()-[p:PURCHASED {orderId: $orderId}]->()
   RETURN c IS NOT NULL AS customerExists, p IS NOT NULL AS orderExists`,
);

// Stage counts every purchase: the first makes a buyer, the second a repeat buyer, whenever they happened.
// The credited referral (the one with signedUpAt) converts on the invitee's first purchase at or after
// the credited sign-up; a purchase before it does not convert. Events arrive out of order, so a purchase
// dated earlier than the current firstPurchaseAt (and still at or after the sign-up) moves it back.
// CREDIT_REFERRAL in graph/referrals.ts applies the same rule to purchases already recorded.
// Creating p write-locks c, as SIGN_UP's SET on c does: a concurrent sign-up and purchase serialise on c,
// and whichever runs second sees the other.
const RECORD_PURCHASE = cypher(
  'purchase.record',
  `MATCH (c:Customer {id: $customerId})
   MERGE (product:Product {id: $productId})
   ON CREATE SET product.name = $productName
   CREATE (c)-[p:PURCHASED {orderId: $orderId, amount: $amount, currency: $currency, at: $at}]->(product)
   WITH c, p, product, COUNT { (c)-[:PURCHASED]->() } AS purchases
   CALL (c, purchases) {
     WITH c WHERE purchases = 1
     ${ADVANCE_STAGE('c', "'BUYER'", '4')}
   }
   CALL (c) {
     MATCH (:Customer)-[r:REFERRED]->(c)
     WHERE r.signedUpAt IS NOT NULL AND r.signedUpAt <= $at AND (r.firstPurchaseAt IS NULL OR $at < r.firstPurchaseAt)
     SET r.status = 'CONVERTED', r.firstPurchaseAt = $at
   }
   CALL (c, purchases) {
     WITH c WHERE purchases >= 2
     ${ADVANCE_STAGE('c', "'REPEAT_BUYER'", '5')}
   }
   ${PROMOTE_LOYAL('c')}
   RETURN p ${PURCHASE_PROJECTION('p', 'c', 'product')} AS purchase`,
);

export async function recordPurchase(tx: Tx, input: RecordPurchaseInput, now: number, path = 'input'): Promise<PurchaseRecord> {
  const customerId = checkId(`${path}.customerId`, input.customerId);
  const productId = checkId(`${path}.productId`, input.productId);
  const orderId = checkId(`${path}.orderId`, input.orderId);
  const amount = checkNumberRange(`${path}.amount`, input.amount, 0, 1e9);
  const currency = checkCurrency(`${path}.currency`, input.currency);
  const productName = checkText(`${path}.productName`, input.productName, 200) ?? null;
  const [state] = await tx.run(ORDER_OWNER, { customerId, orderId });
  if (!state.customerExists) throw notFound(`${path}.customerId`, `no customer with id "${customerId}".`);
  if (state.orderExists) throw conflict(`${path}.orderId`, `order "${orderId}" is already recorded.`);
  const [row] = await tx.run(RECORD_PURCHASE, { customerId, productId, productName, orderId, amount, currency, at: input.at ?? now });
  return row.purchase as PurchaseRecord;
}

// One review per customer and product: a second one replaces it and counts the revision.
const RECORD_REVIEW = cypher(
  'review.record',
  `MATCH (c:Customer {id: $customerId})
   MERGE (product:Product {id: $productId})
   MERGE (c)-[rv:REVIEWED]->(product)
   SET rv.rating = $rating, rv.text = $text, rv.recommend = $recommend, rv.at = $at, rv.revisions = coalesce(rv.revisions, 0) + 1
   WITH c, rv, product
   ${PROMOTE_LOYAL('c')}
   RETURN rv ${REVIEW_PROJECTION('rv', 'c', 'product')} AS review`,
);

const CUSTOMER_EXISTS = cypher('customer.exists', 'OPTIONAL MATCH (c:Customer {id: $id}) RETURN c IS NOT NULL AS exists');

export async function recordReview(tx: Tx, input: RecordReviewInput, now: number, path = 'input'): Promise<ReviewRecord> {
  const customerId = checkId(`${path}.customerId`, input.customerId);
  const productId = checkId(`${path}.productId`, input.productId);
  const rating = checkIntRange(`${path}.rating`, input.rating, 1, 5);
  const recommend = input.recommend === null || input.recommend === undefined ? null : checkIntRange(`${path}.recommend`, input.recommend, 0, 10);
  const text = checkText(`${path}.text`, input.text, 5000) ?? null;
  const [state] = await tx.run(CUSTOMER_EXISTS, { id: customerId });
  if (!state.exists) throw notFound(`${path}.customerId`, `no customer with id "${customerId}".`);
  const [row] = await tx.run(RECORD_REVIEW, { customerId, productId, rating, recommend, text, at: input.at ?? now });
  return row.review as ReviewRecord;
}

const PRODUCTS_BY_ID = cypher(
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
  return new Map(rows.map((row) => [(row.product as ProductRecord).id, row.product as ProductRecord]));
}
