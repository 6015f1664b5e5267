import { referralConversion, ReferralConversionRecord } from '../graph/analytics/conversion';
import { MAX_TOP_LIMIT, RankingRecord, topInfluencers } from '../graph/analytics/influence';
import type { Graph } from '../graph/neo4j';
import { purchaseBehaviour, PurchaseBehaviourArgs, purchaseBehaviourQuestionArgs, PurchaseBehaviourRecord } from '../graph/analytics/purchaseBehaviour';
import { SegmentQuestionArgs, segmentQuestionArgs, SegmentTable, segmentTable } from '../graph/analytics/segments';
import { ValueCutoffs, valueCutoffs, ValueQuestionArgs, valueQuestionArgs } from '../graph/analytics/value';
import { DEFAULT_BASE_CURRENCY, Money, VALUE_RULE_DEFAULTS, ValueRules } from '../graph/valueRules';
import type { ConversionFilter, InfluenceMeasure } from '../schema/generated/types';
import { SingleFlight } from './cache/singleFlight';
import { Snapshot, snapshotKey, SnapshotRequest, SnapshotStore } from './cache/snapshots';

/**
 * Whole-graph answers (rankings, the referral funnel) are served from snapshots, never computed per
 * caller after each write: a refresh job recomputes them in the background (server/jobs/snapshotRefresh.ts)
 * and every answer carries its `asOf`. Rankings are always computed for the top MAX_TOP_LIMIT and sliced,
 * so one snapshot serves every `limit`. Per-customer questions stay exact and are not served from here.
 */
export interface SnapshotQuestion<T> {
  request: SnapshotRequest;
  /** `asOf` is the moment the snapshot reflects: questions that apply rules "now" apply them then. */
  compute(graph: Graph, asOf: number): Promise<T>;
}

export const INFLUENCE_MEASURES: readonly InfluenceMeasure[] = ['REFERRAL_REACH', 'CONVERSIONS', 'PAGERANK', 'SOCIAL_REACH'];

export function rankingQuestion(by: InfluenceMeasure, campaignId: string | null | undefined): SnapshotQuestion<RankingRecord[]> {
  const args = { by, campaignId: campaignId ?? null };
  return { request: { name: 'topInfluencers', args }, compute: (graph) => topInfluencers(graph, args.by, args.campaignId, MAX_TOP_LIMIT) };
}

const FILTER_FIELDS = ['campaignId', 'referrerId', 'channel', 'from', 'to', 'generation'] as const;

/** The filter with its fields in one order and absent ones left out, so equal filters share a snapshot. */
function canonicalFilter(filter: ConversionFilter | null | undefined): ConversionFilter | null {
  const canonical: Record<string, unknown> = {};
  for (const field of FILTER_FIELDS) if (filter?.[field] !== undefined && filter[field] !== null) canonical[field] = filter[field];
  return Object.keys(canonical).length === 0 ? null : (canonical as ConversionFilter);
}

export function conversionQuestion(filter: ConversionFilter | null | undefined): SnapshotQuestion<ReferralConversionRecord> {
  const args = { filter: canonicalFilter(filter) };
  return { request: { name: 'referralConversion', args }, compute: (graph) => referralConversion(graph, args.filter) };
}

type CanonicalMoney = { base: string; rates: Array<readonly [string, number]> };
const moneyFrom = (money: CanonicalMoney): Money => ({ base: money.base, rates: Object.fromEntries(money.rates) });

/** The ABC and RFM cut-offs of customer value (graph/analytics/value.ts): asOf null means the snapshot's own moment. */
export function valueCutoffsQuestion(args: ValueQuestionArgs): SnapshotQuestion<ValueCutoffs> {
  return { request: { name: 'valueCutoffs', args: valueQuestionArgs(args) }, compute: (graph, asOf) => valueCutoffs(graph, args, asOf) };
}

/** Every buyer's tier, lifecycle and campaign, behind customerSegments and churnRisks (graph/analytics/segments.ts). */
export function segmentTableQuestion(args: SegmentQuestionArgs): SnapshotQuestion<SegmentTable> {
  return { request: { name: 'valueSegments', args: segmentQuestionArgs(args) }, compute: (graph, asOf) => segmentTable(graph, args, asOf) };
}

export function purchaseBehaviourQuestion(args: PurchaseBehaviourArgs): SnapshotQuestion<PurchaseBehaviourRecord> {
  return {
    request: { name: 'purchaseBehaviour', args: purchaseBehaviourQuestionArgs(args) },
    compute: (graph, asOf) => purchaseBehaviour(graph, args, asOf),
  };
}

const DEFAULT_MONEY: Money = { base: DEFAULT_BASE_CURRENCY, rates: { [DEFAULT_BASE_CURRENCY]: 1 } };

/** The question a registered request asks, or undefined for one this version no longer knows. */
export function questionFor(request: SnapshotRequest): SnapshotQuestion<unknown> | undefined {
  if (request.name === 'topInfluencers') return rankingQuestion(request.args.by as InfluenceMeasure, request.args.campaignId as string | null);
  if (request.name === 'referralConversion') return conversionQuestion(request.args.filter as ConversionFilter | null);
  if (request.name === 'valueCutoffs') {
    const [abcA, abcB] = request.args.abc as [number, number];
    return valueCutoffsQuestion({ asOf: request.args.asOf as number | null, money: moneyFrom(request.args.money as CanonicalMoney), abcA, abcB });
  }
  if (request.name === 'valueSegments') {
    const rules = Object.fromEntries(request.args.rules as Array<[string, number]>) as ValueRules;
    return segmentTableQuestion({ asOf: request.args.asOf as number | null, money: moneyFrom(request.args.money as CanonicalMoney), rules });
  }
  if (request.name === 'purchaseBehaviour') {
    return purchaseBehaviourQuestion({ asOf: request.args.asOf as number | null, money: moneyFrom(request.args.money as CanonicalMoney) });
  }
  return undefined;
}

/** Refreshed by the job whether or not anyone asked: every ranking measure and the unfiltered funnel. */
export const DEFAULT_QUESTIONS: ReadonlyArray<SnapshotQuestion<unknown>> = [
  ...INFLUENCE_MEASURES.map((by) => rankingQuestion(by, null)),
  conversionQuestion(null),
  valueCutoffsQuestion({ asOf: null, money: DEFAULT_MONEY, abcA: VALUE_RULE_DEFAULTS.abcA, abcB: VALUE_RULE_DEFAULTS.abcB }),
  segmentTableQuestion({ asOf: null, money: DEFAULT_MONEY, rules: { ...VALUE_RULE_DEFAULTS } }),
  purchaseBehaviourQuestion({ asOf: null, money: DEFAULT_MONEY }),
];
const DEFAULT_KEYS = new Set(DEFAULT_QUESTIONS.map((question) => snapshotKey(question.request)));

/** Computes the answer now; `asOf` is when the computation started, so it never claims more freshness than it has. */
export async function computeSnapshot<T>(graph: Graph, question: SnapshotQuestion<T>): Promise<Snapshot<T>> {
  const asOf = Date.now();
  return { asOf, value: await question.compute(graph, asOf) };
}

/**
 * Serves snapshots to requests. A question with no snapshot yet (a campaign or filter nobody asked
 * before, or a default before the job's first run) is computed once: concurrent callers in this process
 * share one computation, run within the first caller's whole-graph share. Non-default questions are
 * registered, so the refresh job keeps them fresh while they are asked. While Redis is unreachable the
 * answer is computed and not stored.
 */
export class SnapshotServer {
  private readonly singleFlight = new SingleFlight();

  constructor(
    private readonly graph: Graph,
    private readonly snapshots: SnapshotStore,
  ) {}

  async serve<T>(question: SnapshotQuestion<T>, gate: <R>(work: () => Promise<R>) => Promise<R>): Promise<Snapshot<T>> {
    const key = snapshotKey(question.request);
    const stored = await this.snapshots.get<T>(question.request).catch(() => null);
    if (stored) {
      this.noteRequested(key, question.request);
      return stored;
    }
    return this.singleFlight.run(key, async () => {
      const snapshot = await gate(() => computeSnapshot(this.graph, question));
      await this.snapshots.put(question.request, snapshot).catch(() => {
        // Not stored this time; the answer itself is right.
      });
      this.noteRequested(key, question.request);
      return snapshot;
    });
  }

  private noteRequested(key: string, request: SnapshotRequest): void {
    if (DEFAULT_KEYS.has(key)) return;
    void this.snapshots.noteRequested(request).catch(() => {
      // The job then forgets it sooner; the snapshot itself is served all the same.
    });
  }
}
