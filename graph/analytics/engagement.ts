import { cypher, Graph } from '../neo4j';
import { DAY_MS } from '../model';

/**
 * Engagement levels: every customer in one of four levels by commitment (a weighted score of what they did in
 * a period) and presence (whether they did anything in its last days), from the events the graph holds:
 * purchases (PURCHASED.at), referrals sent (REFERRED.invitedAt), reviews (REVIEWED.at, the latest revision)
 * and follows given (FOLLOWS.at).
 *
 * For a period ending at E (the current period ends when the computation starts; the previous one ends a
 * period earlier), a customer's score is Σ weight × events in [E − periodDays, E), and they are present when
 * they had any event in [E − presenceDays, E). Then:
 *
 *   1 LEADING       score ≥ leadingScore and present
 *   2 CONTRIBUTING  score ≥ contributingScore and present
 *   3 PARTICIPATING score > 0 (any weighted event in the period)
 *   4 EXPLORING     everyone else, customers with no event in the period included
 *
 * Levels are computed for both periods, so the answer also says how customers moved between them.
 */
export interface EngagementSettings {
  weights: { purchase: number; referral: number; review: number; follow: number };
  periodDays: number;
  presenceDays: number;
  leadingScore: number;
  contributingScore: number;
}

export const LEVELS = [
  { level: 1, name: 'LEADING' },
  { level: 2, name: 'CONTRIBUTING' },
  { level: 3, name: 'PARTICIPATING' },
  { level: 4, name: 'EXPLORING' },
] as const;

export type EngagementLevelName = (typeof LEVELS)[number]['name'];

export interface EngagementRecord {
  periodEnd: number;
  settings: EngagementSettings;
  customers: number;
  levels: Array<{ level: number; name: EngagementLevelName; customers: number; previousCustomers: number }>;
  /** Every (previous level, current level) pair, zeros included: a 4 × 4 matrix in reading order. */
  transitions: Array<{ from: number; to: number; customers: number }>;
}

// Events since the previous period's start, as timestamps; each period's level is taken from those lists by
// the rule in the comment above (test/api/community/engagement.test.ts writes the rule again, independently).
const levelIn = (end: string) => {
  const inPeriod = (list: string) => `size([t IN ${list} WHERE t >= ${end} - $period AND t < ${end}])`;
  const score = `($w.purchase * ${inPeriod('purchases')} + $w.referral * ${inPeriod('referrals')} + $w.review * ${inPeriod('reviews')} + $w.follow * ${inPeriod('follows')})`;
  const present = `any(t IN purchases + referrals + reviews + follows WHERE t >= ${end} - $presence AND t < ${end})`;
  return `CASE WHEN ${present} AND ${score} >= $leading THEN 1
               WHEN ${present} AND ${score} >= $contributing THEN 2
               WHEN ${score} > 0 THEN 3
               ELSE 4 END`;
};

const EVENT_LISTS = `[(c)-[p:PURCHASED]->() WHERE p.at >= $since AND p.at < $end | p.at] AS purchases,
        [(c)-[r:REFERRED]->() WHERE r.invitedAt >= $since AND r.invitedAt < $end | r.invitedAt] AS referrals,
        [(c)-[rv:REVIEWED]->() WHERE rv.at >= $since AND rv.at < $end | rv.at] AS reviews,
        [(c)-[f:FOLLOWS]->() WHERE f.at >= $since AND f.at < $end | f.at] AS follows`;

const LEVEL_MOVES = cypher<{ previous: number; current: number; customers: number }>(
  'engagement.levels',
  `MATCH (c:Customer)
   WITH ${EVENT_LISTS}
   WITH ${levelIn('$previousEnd')} AS previous, ${levelIn('$end')} AS current
   RETURN previous, current, count(*) AS customers`,
);

function parameters(settings: EngagementSettings, periodEnd: number) {
  const period = settings.periodDays * DAY_MS;
  return {
    end: periodEnd,
    previousEnd: periodEnd - period,
    since: periodEnd - 2 * period,
    period,
    presence: settings.presenceDays * DAY_MS,
    w: settings.weights,
    leading: settings.leadingScore,
    contributing: settings.contributingScore,
  };
}

const CUSTOMER_LEVEL = cypher<{ level: number }>(
  'engagement.customerLevel',
  `MATCH (c:Customer {id: $id})
   WITH ${EVENT_LISTS}
   RETURN ${levelIn('$end')} AS level`,
);

/** One customer's level in the period ending now, from their own events: exact, not from the snapshot. */
export async function customerEngagementLevel(graph: Graph, customerId: string, settings: EngagementSettings, periodEnd = Date.now()): Promise<EngagementLevelName | null> {
  const [row] = await graph.read(CUSTOMER_LEVEL, { id: customerId, ...parameters(settings, periodEnd) });
  return row ? LEVELS[row.level - 1].name : null;
}

export async function computeEngagement(graph: Graph, settings: EngagementSettings, periodEnd = Date.now()): Promise<EngagementRecord> {
  const rows = await graph.read(LEVEL_MOVES, parameters(settings, periodEnd));
  const count = (pick: (row: (typeof rows)[number]) => boolean) => rows.filter(pick).reduce((total, row) => total + row.customers, 0);
  return {
    periodEnd,
    settings,
    customers: count(() => true),
    levels: LEVELS.map(({ level, name }) => ({ level, name, customers: count((row) => row.current === level), previousCustomers: count((row) => row.previous === level) })),
    transitions: LEVELS.flatMap(({ level: from }) => LEVELS.map(({ level: to }) => ({ from, to, customers: count((row) => row.previous === from && row.current === to) }))),
  };
}
