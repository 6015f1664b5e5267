import crypto from 'node:crypto';
import neo4j from 'neo4j-driver';
import type { EventInput, EventKind } from '../../schema/generated/types';
import { LOAD_CAMPAIGNS, LOAD_PRODUCTS } from '../../graph/bulkLoad';
import { EVENTS } from '../../graph/events';
import { writeInBulk } from '../../graph/batch/run';
import { IdempotencyLedger } from '../../graph/idempotency';
import { connectGraph, Cypher, Params, sentForm, Tx } from '../../graph/neo4j';
import { applyMigrations } from '../../graph/migrations';
import { useIdentifierSecret } from '../../graph/identifiers';
import { DAY, storyEvents } from './story';

// Developer tool: one batch of the writes bench's units through writeInBulk with PROFILE on every statement,
// printing per statement: time, db hits, rows, and the operators that cost the most (Eager flagged).
// `tsx scripts/bench/profileBatch.ts [units] [batches]` against NEO4J_URI. Without PROFILE=0 the last batch is profiled.

const T0 = Date.UTC(2026, 5, 1);
const UNITS = Number(process.argv[2] ?? 200);
const BATCHES = Number(process.argv[3] ?? 3);

const unit = (prefix: string, k: number, campaign: string, product: string) => storyEvents({ prefix, k, campaign, product, t0: T0 }, (epochMs) => epochMs) as EventInput[];

interface Op { operatorType: string; dbHits: number; rows: number; children: Op[]; arguments: Record<string, unknown> }

function flatten(op: Op, depth = 0, out: Array<{ op: Op; depth: number }> = []) {
  out.push({ op, depth });
  for (const child of op.children) flatten(child, depth + 1, out);
  return out;
}

async function main() {
  useIdentifierSecret('profile-batch-identifier-secret-0123');
  const uri = process.env.NEO4J_URI ?? 'bolt://127.0.0.1:17687';
  const graph = connectGraph({ uri, user: 'neo4j', password: '' });
  await applyMigrations(graph);
  const campaign = process.env.PROFILE_CAMPAIGN ?? 'profile-batch-campaign';
  const product = process.env.PROFILE_PRODUCT ?? 'profile-batch-product';
  await graph.write(LOAD_CAMPAIGNS, { rows: [{ id: campaign, name: 'P', startsAt: T0 - DAY, endsAt: T0 + 365 * DAY, attributionWindowDays: 30, attributionModel: 'LAST_TOUCH' }] });
  await graph.write(LOAD_PRODUCTS, { rows: [{ id: product, name: 'P' }] });
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', 'unused'), { disableLosslessIntegers: true });
  for (let batch = 1; batch <= BATCHES; batch++) {
    const profile = batch === BATCHES && process.env.PROFILE !== '0';
    const prefix = `pb-${crypto.randomBytes(4).toString('hex')}`;
    const events = Array.from({ length: UNITS }, (_, k) => unit(prefix, k, campaign, product)).flat();
    const kinds = events.map((event) => (Object.keys(EVENTS) as EventKind[]).find((kind) => event[EVENTS[kind].field] != null)!);
    const inputs = events.map((event, index) => event[EVENTS[kinds[index]].field]);
    const keys = inputs.flatMap((input) => ((input as { idempotencyKey?: string }).idempotencyKey ? [(input as { idempotencyKey: string }).idempotencyKey] : []));
    const session = driver.session();
    const transaction = await session.beginTransaction();
    const lines: string[] = [];
    let total = 0;
    const tx: Tx = {
      async run<R extends object>(query: Cypher<R>, params: Params = {}) {
        const started = process.hrtime.bigint();
        // Sent as the service sends it (graph/wireForm.ts), so that the plans profiled are the ones the service runs.
        const result = await transaction.run(...sentForm((profile ? 'PROFILE ' : '') + query.text, params));
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        total += ms;
        let detail = '';
        if (profile && result.summary.profile) {
          const ops = flatten(result.summary.profile as unknown as Op);
          const hits = ops.reduce((sum, { op }) => sum + op.dbHits, 0);
          const eager = ops.filter(({ op }) => op.operatorType.startsWith('Eager')).length;
          detail = ` dbHits=${hits} rows=${result.records.length}${eager ? ` EAGER x${eager}` : ''}\n` +
            ops.filter(({ op }) => op.dbHits > 0 || op.operatorType.startsWith('Eager')).sort((a, b) => b.op.dbHits - a.op.dbHits).slice(0, 6)
              .map(({ op }) => `      ${op.operatorType.padEnd(34)} hits=${String(op.dbHits).padStart(8)} rows=${op.rows} ${String(op.arguments.Details ?? '').slice(0, 110)}`).join('\n');
        }
        lines.push(`${query.name.padEnd(30)} ${ms.toFixed(1).padStart(7)} ms${detail}`);
        return result.records.map((record) => record.toObject() as R);
      },
    };
    const started = process.hrtime.bigint();
    const ledger = await IdempotencyLedger.open(tx, keys, T0);
    await writeInBulk(tx, ledger, inputs.map((input, index) => ({ kind: kinds[index], input })), T0,
      (kind, input, result) => (EVENTS[kind] as unknown as { subjects: (i: unknown, r: unknown) => string[] }).subjects(input, result), (_i, error) => error);
    await ledger.close();
    const commitStarted = process.hrtime.bigint();
    await transaction.commit();
    const commitMs = Number(process.hrtime.bigint() - commitStarted) / 1e6;
    const wall = Number(process.hrtime.bigint() - started) / 1e6;
    await session.close();
    process.stdout.write(`batch ${batch}${profile ? ' (PROFILE)' : ''}: ${events.length} events, ${lines.length} statements, statements ${total.toFixed(0)} ms, commit ${commitMs.toFixed(0)} ms, wall ${wall.toFixed(0)} ms\n`);
    if (profile || process.env.VERBOSE) process.stdout.write(lines.join('\n') + '\n');
  }
  await driver.close();
  await graph.close();
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
