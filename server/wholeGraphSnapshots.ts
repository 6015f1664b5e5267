import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '../graph/errors';
import { AdvocateFilterArgs, AdvocateRanking, advocateRanking } from '../graph/analytics/advocates';
import { BridgeSampling, BridgesRecord, computeBridges } from '../graph/analytics/bridges';
import { ALL_KINDS, CommunitiesRecord, computeCommunities } from '../graph/analytics/communities';
import { FraudRingRecord, fraudRings } from '../graph/analytics/fraudRings';
import { referralConversion, ReferralConversionRecord } from '../graph/analytics/conversion';
import { computeEngagement, EngagementRecord, EngagementSettings } from '../graph/analytics/engagement';
import { MAX_TOP_LIMIT, RankingRecord, topInfluencers } from '../graph/analytics/influence';
import { seedPlan, SeedPlanRecord } from '../graph/analytics/seeding';
import type { Graph } from '../graph/neo4j';
import type { CommunityAlgorithm, ConnectionKind, ConversionFilter, InfluenceMeasure } from '../schema/generated/types';
import type { CommunitySettings } from './communitySettings';
import { purchaseBehaviour, PurchaseBehaviourArgs, purchaseBehaviourQuestionArgs, PurchaseBehaviourRecord } from '../graph/analytics/purchaseBehaviour';
import { SegmentQuestionArgs, segmentQuestionArgs, SegmentTable, segmentTable } from '../graph/analytics/segments';
import { ValueCutoffs, valueCutoffs, ValueQuestionArgs, valueQuestionArgs } from '../graph/analytics/value';
import { DEFAULT_BASE_CURRENCY, Money, VALUE_RULE_DEFAULTS, ValueRules } from '../graph/valueRules';
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
  /**
   * `asOf` is the moment the snapshot reflects: questions that apply rules "now" apply them then. `previous`: the
   * snapshot served now, for questions that set `readsPrevious` (else null).
   */
  compute(graph: Graph, asOf: number, previous: Snapshot<T> | null): Promise<T>;
  /** The computation needs the snapshot it replaces (communities alternate the node property they write). */
  readsPrevious?: boolean;
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

/** The advocates ranking (graph/analytics/advocates.ts) for one filter; `limit` and `after` slice it. */
export function advocatesQuestion(filter: AdvocateFilterArgs): SnapshotQuestion<AdvocateRanking> {
  const args = { campaignId: filter.campaignId, minRecommend: filter.minRecommend, stage: filter.stage, untapped: filter.untapped };
  return { request: { name: 'advocates', args }, compute: (graph) => advocateRanking(graph, args) };
}

/** The seeding plan for k = MAX_SEED_K (graph/analytics/seeding.ts); a smaller k takes its first picks. */
export function seedQuestion(campaignId: string | null): SnapshotQuestion<SeedPlanRecord> {
  const args = { campaignId };
  return { request: { name: 'seedAdvocates', args }, compute: (graph) => seedPlan(graph, args.campaignId) };
}

const UNFILTERED_ADVOCATES: AdvocateFilterArgs = { campaignId: null, minRecommend: null, stage: null, untapped: false };
/** Communities of one algorithm over canonical `via` (see canonicalVia); the assignment is written to nodes. */
export function communitiesQuestion(algorithm: CommunityAlgorithm, via: readonly ConnectionKind[]): SnapshotQuestion<CommunitiesRecord> {
  const args = { algorithm, via: [...via] };
  return {
    request: { name: 'communities', args },
    readsPrevious: true,
    compute: (graph, _asOf, previous) => computeCommunities(graph, args.algorithm, args.via, previous?.value.slot ?? null),
  };
}

/** The settings are part of the question: a changed ENGAGEMENT_* or BRIDGES_* variable asks a new one. */
export function bridgesQuestion(sampling: BridgeSampling): SnapshotQuestion<BridgesRecord> {
  return { request: { name: 'bridges', args: { sampling } }, compute: (graph) => computeBridges(graph, sampling) };
}

export function engagementQuestion(settings: EngagementSettings): SnapshotQuestion<EngagementRecord> {
  return { request: { name: 'engagementLevels', args: { settings } }, compute: (graph) => computeEngagement(graph, settings) };
}

/** Every fraud ring of two or more members; `minSize` and `limit` are slices of this one snapshot. */
export function fraudRingsQuestion(): SnapshotQuestion<FraudRingRecord[]> {
  return { request: { name: 'fraudRings', args: {} }, compute: (graph) => fraudRings(graph) };
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
  if (request.name === 'advocates') return advocatesQuestion(request.args as unknown as AdvocateFilterArgs);
  if (request.name === 'seedAdvocates') return seedQuestion(request.args.campaignId as string | null);
  if (request.name === 'communities') return communitiesQuestion(request.args.algorithm as CommunityAlgorithm, request.args.via as ConnectionKind[]) as SnapshotQuestion<unknown>;
  if (request.name === 'bridges') return bridgesQuestion(request.args.sampling as BridgeSampling) as SnapshotQuestion<unknown>;
  if (request.name === 'engagementLevels') return engagementQuestion(request.args.settings as EngagementSettings) as SnapshotQuestion<unknown>;
  if (request.name === 'fraudRings') return fraudRingsQuestion();
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

/**
 * Community answers (GDS communities, betweenness, engagement levels) are heavier than rankings: their own job
 * refreshes them every COMMUNITY_REFRESH_SECONDS, and the ranking job leaves them alone.
 */
const COMMUNITY_QUESTIONS = new Set(['communities', 'bridges', 'engagementLevels']);
export const isCommunityQuestion = (request: SnapshotRequest) => COMMUNITY_QUESTIONS.has(request.name);

/** Refreshed by the community job whether or not anyone asked: Leiden over every kind of tie, bridges, levels. */
export function communityDefaultQuestions(settings: CommunitySettings): Array<SnapshotQuestion<unknown>> {
  return [
    communitiesQuestion('LEIDEN', ALL_KINDS) as SnapshotQuestion<unknown>,
    bridgesQuestion(settings.bridgeSampling) as SnapshotQuestion<unknown>,
    engagementQuestion(settings.engagement) as SnapshotQuestion<unknown>,
  ];
}

/** Refreshed by the job whether or not anyone asked: every ranking measure and the unfiltered funnel. */
export const DEFAULT_QUESTIONS: ReadonlyArray<SnapshotQuestion<unknown>> = [
  ...INFLUENCE_MEASURES.map((by) => rankingQuestion(by, null)),
  conversionQuestion(null),
  advocatesQuestion(UNFILTERED_ADVOCATES),
  advocatesQuestion({ ...UNFILTERED_ADVOCATES, untapped: true }),
  seedQuestion(null),
  fraudRingsQuestion(),
  valueCutoffsQuestion({ asOf: null, money: DEFAULT_MONEY, abcA: VALUE_RULE_DEFAULTS.abcA, abcB: VALUE_RULE_DEFAULTS.abcB }),
  segmentTableQuestion({ asOf: null, money: DEFAULT_MONEY, rules: { ...VALUE_RULE_DEFAULTS } }),
  purchaseBehaviourQuestion({ asOf: null, money: DEFAULT_MONEY }),
];
const DEFAULT_KEYS = new Set(DEFAULT_QUESTIONS.map((question) => snapshotKey(question.request)));

/** Computes the answer now; `asOf` is when the computation started, so it never claims more freshness than it has. */
export async function computeSnapshot<T>(graph: Graph, question: SnapshotQuestion<T>, previous: Snapshot<T> | null = null): Promise<Snapshot<T>> {
  const asOf = Date.now();
  return { asOf, value: await question.compute(graph, asOf, previous) };
}

function answerPending(waitedMs: number): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(waitedMs / 1000));
  return new GraphQLError(`This answer is being computed in the background for the first time; ask again in ${retryAfter} s.`, {
    extensions: { code: ERROR_CODES.ANSWER_PENDING, retryAfterSeconds: retryAfter, http: { headers: new Map([['retry-after', String(retryAfter)]]) } },
  });
}

/**
 * Serves snapshots to requests. A question with no snapshot yet (a campaign or filter nobody asked
 * before, or a default before the job's first run) is computed once: concurrent callers in this process
 * share one computation, run within the first caller's whole-graph share; a caller waits for it at most
 * `firstAnswerWaitMs`, then gets ANSWER_PENDING while it goes on. Non-default questions are
 * registered, so the refresh job keeps them fresh while they are asked. While Redis is unreachable the
 * answer is computed and not stored.
 */
export class SnapshotServer {
  private readonly singleFlight = new SingleFlight();

  constructor(
    private readonly graph: Graph,
    private readonly snapshots: SnapshotStore,
    /** How long a request waits for a first computation before it is told to come back (ANSWER_PENDING). */
    private readonly firstAnswerWaitMs: number,
  ) {}

  async serve<T>(question: SnapshotQuestion<T>, gate: <R>(work: () => Promise<R>) => Promise<R>): Promise<Snapshot<T>> {
    const key = snapshotKey(question.request);
    const stored = await this.snapshots.get<T>(question.request).catch(() => null);
    if (stored) {
      this.noteRequested(key, question.request);
      return stored;
    }
    const computing = this.singleFlight.run(key, async () => {
      const snapshot = await gate(() => computeSnapshot(this.graph, question));
      await this.snapshots.put(question.request, snapshot).catch(() => {
        // Not stored this time; the answer itself is right.
      });
      this.noteRequested(key, question.request);
      return snapshot;
    });
    // A first computation on a large graph (a projection of a million customers) takes minutes: the request does not
    // wait for it. The computation goes on, and a later request finds its snapshot stored.
    let timer: NodeJS.Timeout | undefined;
    const pending = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(answerPending(this.firstAnswerWaitMs)), this.firstAnswerWaitMs);
    });
    computing.catch(() => {
      // Reported to the request that waited for it, if one still does; otherwise the next request computes again.
    });
    try {
      return await Promise.race([computing, pending]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The stored snapshot, or null: never computes (for fields that use a whole-graph answer only when there is one). */
  async peek<T>(question: SnapshotQuestion<T>): Promise<Snapshot<T> | null> {
    return this.snapshots.get<T>(question.request).catch(() => null);
  }

  private noteRequested(key: string, request: SnapshotRequest): void {
    if (DEFAULT_KEYS.has(key)) return;
    void this.snapshots.noteRequested(request).catch(() => {
      // The job then forgets it sooner; the snapshot itself is served all the same.
    });
  }
}
