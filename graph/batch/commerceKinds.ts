import type { RecordPurchaseInput, RecordReviewInput } from '../../schema/generated/types';
import { checkOrderState, ORDER_OWNER, parsePurchase, parseReview, purchaseEvents, RECORD_PURCHASE, RECORD_REVIEW } from '../commerce';
import { reviewEvent } from '../outbox';
import { checkCustomersExist } from '../customers';
import { identifierLinks, LINK_IDENTIFIERS } from '../identifiers';
import { part, step } from './combined';
import { existenceOf } from './customerKinds';
import { byIndex, bulkKind } from './kind';

// Purchases and reviews in bulk: the same checks and statements as graph/commerce.ts.

export const purchases = bulkKind({
  parse: (input: RecordPurchaseInput, now: number) => parsePurchase(input, now),
  needs: (row) => ({ products: [row.productId] }),
  access: (row, facts) => {
    const product = facts.product(row.productId);
    return { reads: product.reads, writes: [`c:${row.customerId}`, `order:${row.orderId}`, ...product.writes] };
  },
  read: (rows) =>
    step(
      { orders: part(ORDER_OWNER, { rows: rows.map(({ index, parsed }) => ({ index, customerId: parsed.customerId, orderId: parsed.orderId })) }, ['index', 'customerExists', 'orderExists']) },
      ({ orders }) => byIndex(orders),
    ),
  decide: (row, state) => checkOrderState(row, state),
  write: (rows, outbox) => {
    const links = identifierLinks(rows.map(({ parsed }) => parsed));
    return step(
      {
        purchases: part(RECORD_PURCHASE, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index', 'purchase', 'conversion']),
        identifiers: part(LINK_IDENTIFIERS, { rows: links }, []),
      },
      ({ purchases }) => {
        for (const written of purchases) outbox.add(written.index, purchaseEvents([written]));
        return new Map(purchases.map((row) => [row.index, row.purchase]));
      },
    );
  },
  identifierOwner: (row) => (row.identifiers.length > 0 ? row.customerId : null),
});

export const reviews = bulkKind({
  parse: (input: RecordReviewInput, now: number) => parseReview(input, now),
  needs: (row) => ({ products: [row.productId] }),
  access: (row, facts) => {
    const product = facts.product(row.productId);
    return { reads: product.reads, writes: [`c:${row.customerId}`, ...product.writes] };
  },
  read: (rows) => existenceOf(rows, (row) => ({ customerId: row.customerId })),
  decide: (row, existing) => checkCustomersExist(existing, { customerId: row.customerId }),
  write: (rows, outbox) =>
    step({ reviews: part(RECORD_REVIEW, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index', 'review']) }, ({ reviews }) => {
      for (const { index, parsed } of rows) outbox.add(index, [reviewEvent(parsed.customerId, parsed.productId)]);
      return new Map(reviews.map((row) => [row.index, row.review]));
    }),
});
