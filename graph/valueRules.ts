import type { MoneyInput, ValueRulesInput } from '../schema/generated/types';
import { badInput } from './errors';
import { DAY_MS } from './model';
import { checkCurrency, checkIntRange, checkNumberRange } from './validate';

// The classic CRM segment rules (ABC, RFM, lifecycle, churn) and their defaults, defined once.
// schema/value.graphql states the same defaults; test/unit/valueRules.test.ts checks that they agree.

export const VALUE_RULE_DEFAULTS = {
  /** A: the customers who together make the first 80% of revenue (largest first). */
  abcA: 0.8,
  /** B: the next ones up to 95%; C: the rest. */
  abcB: 0.95,
  /** NEW: the first purchase is at most this many days before asOf. */
  newWithinDays: 30,
  /** LOST: no purchase for more than this many days. */
  lostAfterDays: 180,
  /** DECLINING: the time since the last purchase exceeds this many times the customer's median interval. */
  declineFactor: 3,
  /** GROWING compares the purchases in the last window of this many days with the window before it. */
  growthWindowDays: 90,
  /** A customer "still buys" (may be on a win-back route) with a purchase in the last this many days. */
  activeWithinDays: 90,
  /** Churn contagion counts connections who became LOST within the last this many days. */
  contagionPeriodDays: 90,
} as const;

export const DEFAULT_BASE_CURRENCY = 'EUR';
/** Win-back route length: the referrer (when still buying) and then the strongest connections who still buy. */
export const WIN_BACK_ROUTE_LENGTH = 5;
export const MAX_CHURN_LIMIT = 100;
const MAX_DAYS = 3650;

export type ValueRules = { -readonly [K in keyof typeof VALUE_RULE_DEFAULTS]: number };

/** The rules with defaults filled in, checked: BAD_USER_INPUT naming `rules.<field>`. */
export function parseValueRules(input: ValueRulesInput | null | undefined, field = 'rules'): ValueRules {
  const rules: ValueRules = { ...VALUE_RULE_DEFAULTS };
  for (const [name, value] of Object.entries(input ?? {})) {
    if (value !== null && value !== undefined) (rules as Record<string, number>)[name] = value as number;
  }
  const at = (name: keyof ValueRules) => `${field}.${name}`;
  checkNumberRange(at('abcA'), rules.abcA, 0.01, 0.99);
  checkNumberRange(at('abcB'), rules.abcB, 0.01, 1);
  if (rules.abcB <= rules.abcA) throw badInput(at('abcB'), `${at('abcB')} must be above ${at('abcA')} (${rules.abcA}); got ${rules.abcB}.`);
  for (const name of ['newWithinDays', 'lostAfterDays', 'growthWindowDays', 'activeWithinDays', 'contagionPeriodDays'] as const) {
    checkIntRange(at(name), rules[name], 1, MAX_DAYS);
  }
  if (rules.newWithinDays >= rules.lostAfterDays) {
    throw badInput(at('newWithinDays'), `${at('newWithinDays')} must be below ${at('lostAfterDays')} (${rules.lostAfterDays}); got ${rules.newWithinDays}.`);
  }
  checkNumberRange(at('declineFactor'), rules.declineFactor, 1, 100);
  return rules;
}

/** How amounts in several currencies are combined: converted into `base` at the caller's rates, never added as they are. */
export interface Money {
  base: string;
  /** Units of `base` per unit of each currency; `base` itself is 1. */
  rates: Record<string, number>;
}

export function parseMoney(input: MoneyInput | null | undefined, field = 'money'): Money {
  const base = checkCurrency(`${field}.baseCurrency`, input?.baseCurrency ?? DEFAULT_BASE_CURRENCY);
  const rates: Record<string, number> = { [base]: 1 };
  (input?.rates ?? []).forEach((rate, index) => {
    const at = `${field}.rates[${index}]`;
    const currency = checkCurrency(`${at}.currency`, rate.currency);
    if (currency === base) throw badInput(`${at}.currency`, `${at}.currency is the base currency ${base}, whose rate is 1: leave it out.`);
    if (rates[currency] !== undefined) throw badInput(`${at}.currency`, `${at}.currency names ${currency} a second time.`);
    checkNumberRange(`${at}.rate`, rate.rate, 1e-9, 1e9);
    if (rate.rate <= 0) throw badInput(`${at}.rate`, `${at}.rate must be above 0.`);
    rates[currency] = rate.rate;
  });
  return { base, rates };
}

/** The error for purchases in currencies the caller gave no rate for: never added silently. */
export function requireRates(money: Money, missing: readonly string[], field = 'money'): void {
  const currencies = [...new Set(missing.filter((currency) => currency !== null))].sort();
  if (currencies.length === 0) return;
  throw badInput(
    `${field}.rates`,
    `purchases in ${currencies.join(', ')} have no rate to ${money.base}: give ${field}.rates (units of ${money.base} per unit of each currency), or choose ${field}.baseCurrency.`,
  );
}

/** The money in a canonical form, so that equal choices share one snapshot. */
export const canonicalMoney = (money: Money) => ({
  base: money.base,
  rates: Object.keys(money.rates).sort().map((currency) => [currency, money.rates[currency]] as const),
});

export interface AbcCutoffs {
  /** The least revenue of an A customer; null when nobody has revenue. */
  a: number | null;
  /** The least revenue of a B customer; null when nobody has revenue. */
  b: number | null;
}

/**
 * ABC by cumulative revenue: customers sorted by revenue, largest first; a customer is A while the revenue of those
 * before them is below abcA of the total (so the customer who crosses 80% is A), B while it is below abcB, C after.
 * Served as revenue cut-offs, so that a customer's tier follows their own revenue: customers tied with the last A
 * customer are A too.
 */
export function abcCutoffs(revenues: readonly number[], abcA: number, abcB: number): AbcCutoffs {
  const sorted = [...revenues].sort((x, y) => y - x);
  const total = sorted.reduce((sum, revenue) => sum + revenue, 0);
  if (total <= 0) return { a: null, b: null };
  let before = 0;
  let a: number | null = null;
  let b: number | null = null;
  for (const revenue of sorted) {
    if (before < abcA * total) a = revenue;
    if (before < abcB * total) b = revenue;
    else break;
    before += revenue;
  }
  return { a, b };
}

export type Tier = 'A' | 'B' | 'C';

/** The tier from revenue cut-offs; TIER in graph/analytics/value.ts is the same rule in Cypher. */
export function tierOf(revenue: number, cutoffs: AbcCutoffs): Tier {
  if (cutoffs.a !== null && revenue > 0 && revenue >= cutoffs.a) return 'A';
  if (cutoffs.b !== null && revenue > 0 && revenue >= cutoffs.b) return 'B';
  return 'C';
}

/**
 * Quintile cut-offs of RFM: the values sorted ascending, v[0..n-1]; cut-off k (k = 1..4) is v[floor(k·n/5)].
 * A value scores 1 + the number of cut-offs it reaches (≥), so 1 to 5, 5 the best fifth; ties score alike.
 */
export function quintileCutoffs(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((x, y) => x - y);
  return [1, 2, 3, 4].map((k) => sorted[Math.floor((k * sorted.length) / 5)]);
}

export const quintileScore = (value: number, cutoffs: readonly number[]): number => 1 + cutoffs.filter((cutoff) => value >= cutoff).length;

/**
 * Value at risk of a declining customer: what they were on course to spend in a year at their usual rhythm,
 * average purchase amount × 365 days / median interval (an interval under a day counts as a day).
 */
export function valueAtRisk(revenue: number, purchases: number, medianIntervalMs: number): number {
  if (purchases === 0) return 0;
  const perYear = 365 / Math.max(1, medianIntervalMs / DAY_MS);
  return Math.round((revenue / purchases) * perYear * 100) / 100;
}

/**
 * The moment a whole-graph value snapshot is computed as of, for a question asked `asOf`: null (the moving snapshot
 * the background job refreshes) when the caller gave none, else the start of asOf's UTC day. Rounding keeps callers
 * who pass "now" from starting a whole-graph computation (and a snapshot the job keeps fresh) per request: at most
 * one per day asked about.
 */
export const snapshotMoment = (asOf: number | null | undefined): number | null =>
  asOf === null || asOf === undefined ? null : Math.floor(asOf / DAY_MS) * DAY_MS;
