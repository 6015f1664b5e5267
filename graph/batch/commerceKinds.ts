import type { RecordPurchaseInput, RecordReviewInput } from '../../schema/generated/types';
import { checkOrderState, ORDER_OWNER, parsePurchase, parseReview, purchaseEvents, RECORD_PURCHASE, RECORD_REVIEW } from '../commerce';
import { reviewEvent } from '../outbox';
import { checkCustomersExist } from '../customers';
import { linkIdentifiers } from '../identifiers';
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
  read: (tx, rows) => byIndex(rows, () => tx.run(ORDER_OWNER, { rows: rows.map(({ index, parsed }) => ({ index, customerId: parsed.customerId, orderId: parsed.orderId })) })),
  decide: (row, state) => checkOrderState(row, state),
  write: async (tx, rows, outbox) => {
    const written = await byIndex(rows, () => tx.run(RECORD_PURCHASE, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }));
    await linkIdentifiers(tx, rows.map(({ parsed }) => parsed));
    for (const { index } of rows) outbox.add(index, purchaseEvents([written.get(index)!]));
    return new Map([...written].map(([index, row]) => [index, row.purchase]));
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
  read: (tx, rows) => existenceOf(tx, rows, (row) => ({ customerId: row.customerId })),
  decide: (row, existing) => checkCustomersExist(existing, { customerId: row.customerId }),
  write: async (tx, rows, outbox) => {
    const written = await byIndex(rows, () => tx.run(RECORD_REVIEW, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }));
    for (const { index, parsed } of rows) outbox.add(index, [reviewEvent(parsed.customerId, parsed.productId)]);
    return new Map([...written].map(([index, row]) => [index, row.review]));
  },
});
