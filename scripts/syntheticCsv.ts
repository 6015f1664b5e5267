import fs from 'node:fs';
import path from 'node:path';
import { SyntheticGraph } from '../graph/synthetic';

// The synthetic graph as the CSV files of `neo4j-admin database import`: one file per label and relationship
// type, with the same properties the driver's bulk loads (graph/bulkLoad.ts) set. Absent values are empty
// fields, which the import tool leaves unset, as the driver path leaves nulls unset.

export interface ImportCsvFiles {
  nodes: Array<{ label: string; file: string }>;
  relationships: Array<{ type: string; file: string }>;
}

type Cell = string | number | null | undefined;

function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes rows in large chunks: millions of small writes would cost more than the import itself. */
function writeCsv<T>(file: string, header: string[], rows: readonly T[], cells: (row: T) => Cell[]): void {
  const fd = fs.openSync(file, 'w');
  try {
    let chunk: string[] = [header.join(',')];
    for (const row of rows) {
      chunk.push(cells(row).map(csvField).join(','));
      if (chunk.length >= 50_000) {
        fs.writeSync(fd, `${chunk.join('\n')}\n`);
        chunk = [];
      }
    }
    if (chunk.length > 0) fs.writeSync(fd, `${chunk.join('\n')}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeSyntheticCsv(data: SyntheticGraph, dir: string, knowsSince: number): ImportCsvFiles {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, `${name}.csv`);
  writeCsv(file('campaigns'), ['id:ID(Campaign)', 'name', 'startsAt:long', 'endsAt:long', 'attributionWindowDays:long', 'attributionModel'], data.campaigns, (c) => [
    c.id, c.name, c.startsAt, c.endsAt, c.attributionWindowDays, c.attributionModel,
  ]);
  writeCsv(file('products'), ['id:ID(Product)', 'name'], data.products, (p) => [p.id, p.name]);
  writeCsv(file('customers'), ['id:ID(Customer)', 'name', 'stage', 'stageRank:long', 'createdAt:long', 'signedUpAt:long'], data.customers, (c) => [
    c.id, c.name, c.stage, c.stageRank, c.createdAt, c.signedUpAt,
  ]);
  writeCsv(file('knows'), [':START_ID(Customer)', ':END_ID(Customer)', 'strength:double', 'since:long'], data.knows, ([a, b, strength]) => [a, b, strength, knowsSince]);
  writeCsv(
    file('referred'),
    [':START_ID(Customer)', ':END_ID(Customer)', 'campaign', 'channel', 'status', 'invitedAt:long', 'clickedAt:long', 'signedUpAt:long', 'firstPurchaseAt:long'],
    data.referrals,
    (r) => [r.referrerId, r.inviteeId, r.campaign, r.channel, r.status, r.invitedAt, r.clickedAt, r.signedUpAt, r.firstPurchaseAt],
  );
  writeCsv(file('purchased'), [':START_ID(Customer)', ':END_ID(Product)', 'orderId', 'amount:double', 'currency', 'at:long'], data.purchases, (p) => [
    p.customerId, p.productId, p.orderId, p.amount, p.currency ?? 'EUR', p.at,
  ]);
  writeCsv(file('reviewed'), [':START_ID(Customer)', ':END_ID(Product)', 'rating:long', 'recommend:long', 'at:long', 'revisions:long'], data.reviews, (r) => [
    r.customerId, r.productId, r.rating, r.recommend, r.at, 1,
  ]);
  return {
    nodes: [
      { label: 'Campaign', file: file('campaigns') },
      { label: 'Product', file: file('products') },
      { label: 'Customer', file: file('customers') },
    ],
    relationships: [
      { type: 'KNOWS', file: file('knows') },
      { type: 'REFERRED', file: file('referred') },
      { type: 'PURCHASED', file: file('purchased') },
      { type: 'REVIEWED', file: file('reviewed') },
    ],
  };
}
