import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, GraphQLInputObjectType, GraphQLSchema, valueFromAST } from 'graphql';
import { DomainError } from '../../graph/errors';
import {
  abcCutoffs,
  parseMoney,
  parseValueRules,
  quintileCutoffs,
  quintileScore,
  requireRates,
  snapshotMoment,
  tierOf,
  VALUE_RULE_DEFAULTS,
  valueAtRisk,
} from '../../graph/valueRules';

const DAY = 86_400_000;

function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error.field;
    throw error;
  }
  return undefined;
}

describe('ABC tiers by cumulative revenue', () => {
  test('A is the customers who make the first 80% of revenue (the one crossing it included), B the next 15%, C the rest', () => {
    // Total 1000: 500 (before 0), 300 (before 500), 100 (before 800: not below 800), 60 (before 900), 40 (before 960).
    const cutoffs = abcCutoffs([100, 500, 40, 300, 60], 0.8, 0.95);
    expect(cutoffs).toEqual({ a: 300, b: 60 });
    expect([500, 300, 100, 60, 40].map((revenue) => tierOf(revenue, cutoffs))).toEqual(['A', 'A', 'B', 'B', 'C']);
  });

  test('customers tied with the last A customer are A too, and a customer without revenue is C', () => {
    const cutoffs = abcCutoffs([50, 50, 50, 50], 0.5, 0.9);
    expect(tierOf(50, cutoffs)).toBe('A');
    expect(tierOf(0, cutoffs)).toBe('C');
  });

  test('with no revenue at all nobody is A or B', () => {
    expect(abcCutoffs([], 0.8, 0.95)).toEqual({ a: null, b: null });
    expect(abcCutoffs([0, 0], 0.8, 0.95)).toEqual({ a: null, b: null });
    expect(tierOf(0, { a: null, b: null })).toBe('C');
  });
});

describe('RFM quintiles', () => {
  test('ten distinct values fall two to a score, 1 for the lowest fifth and 5 for the highest', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    const cutoffs = quintileCutoffs(values);
    expect(cutoffs).toEqual([3, 5, 7, 9]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((value) => quintileScore(value, cutoffs))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  test('ties score alike, and a single buyer scores 5', () => {
    const cutoffs = quintileCutoffs([1, 1, 1, 1, 2]);
    expect(quintileScore(1, cutoffs)).toBe(4);
    expect(quintileScore(2, cutoffs)).toBe(5);
    expect(quintileScore(7, quintileCutoffs([7]))).toBe(5);
  });
});

describe('value at risk', () => {
  test('is the average purchase times the purchases a year at the median interval', () => {
    expect(valueAtRisk(400, 4, 30 * DAY)).toBe(Math.round((100 * 365 * 100) / 30) / 100);
  });

  test('an interval under a day counts as a day, and no purchases risk nothing', () => {
    expect(valueAtRisk(10, 2, 0)).toBe(5 * 365);
    expect(valueAtRisk(0, 0, DAY)).toBe(0);
  });
});

describe('rules and money input', () => {
  test('omitted rules take the defaults', () => {
    expect(parseValueRules(undefined)).toEqual(VALUE_RULE_DEFAULTS);
    expect(parseValueRules({ lostAfterDays: 365 })).toEqual({ ...VALUE_RULE_DEFAULTS, lostAfterDays: 365 });
  });

  test('rules out of range name their field', () => {
    expect(fieldOf(() => parseValueRules({ abcA: 0.95, abcB: 0.9 }))).toBe('rules.abcB');
    expect(fieldOf(() => parseValueRules({ abcA: 1.5 }))).toBe('rules.abcA');
    expect(fieldOf(() => parseValueRules({ declineFactor: 0.5 }))).toBe('rules.declineFactor');
    expect(fieldOf(() => parseValueRules({ growthWindowDays: 1.5 }))).toBe('rules.growthWindowDays');
    expect(fieldOf(() => parseValueRules({ newWithinDays: 180 }))).toBe('rules.newWithinDays');
  });

  test('money defaults to EUR alone; rates name their currency and must be positive, once each, not the base', () => {
    expect(parseMoney(undefined)).toEqual({ base: 'EUR', rates: { EUR: 1 } });
    expect(parseMoney({ baseCurrency: 'USD', rates: [{ currency: 'EUR', rate: 1.1 }] })).toEqual({ base: 'USD', rates: { USD: 1, EUR: 1.1 } });
    expect(fieldOf(() => parseMoney({ baseCurrency: 'usd', rates: [] }))).toBe('money.baseCurrency');
    expect(fieldOf(() => parseMoney({ baseCurrency: 'EUR', rates: [{ currency: 'USD', rate: 0 }] }))).toBe('money.rates[0].rate');
    const twice = [{ currency: 'USD', rate: 1 }, { currency: 'USD', rate: 2 }];
    expect(fieldOf(() => parseMoney({ baseCurrency: 'EUR', rates: twice }))).toBe('money.rates[1].currency');
  });

  test('a currency without a rate is an error naming money.rates and the currency', () => {
    const money = parseMoney(undefined);
    expect(() => requireRates(money, [])).not.toThrow();
    expect(fieldOf(() => requireRates(money, ['USD', 'GBP', 'USD']))).toBe('money.rates');
    expect(() => requireRates(money, ['USD'])).toThrow(/USD/);
  });
});

describe('the moment of a value snapshot', () => {
  test('is the moving snapshot without asOf, else the start of the UTC day of asOf', () => {
    expect(snapshotMoment(undefined)).toBeNull();
    expect(snapshotMoment(null)).toBeNull();
    expect(snapshotMoment(Date.UTC(2026, 10, 29, 15, 30))).toBe(Date.UTC(2026, 10, 29));
    expect(snapshotMoment(Date.UTC(2026, 10, 29))).toBe(Date.UTC(2026, 10, 29));
  });
});

describe('the SDL states the defaults the code applies', () => {
  const schema: GraphQLSchema = buildSchema(
    fs.readdirSync(path.join(__dirname, '../../schema')).filter((file) => file.endsWith('.graphql')).map((file) => fs.readFileSync(path.join(__dirname, '../../schema', file), 'utf8')).join('\n'),
  );

  test('every ValueRulesInput default equals VALUE_RULE_DEFAULTS', () => {
    const input = schema.getType('ValueRulesInput') as GraphQLInputObjectType;
    const defaults = Object.fromEntries(Object.values(input.getFields()).map((field) => [field.name, field.defaultValue ?? valueFromAST(field.astNode?.defaultValue, field.type)]));
    expect(defaults).toEqual(VALUE_RULE_DEFAULTS);
  });
});

describe('value snapshots the refresh job keeps fresh', () => {
  test('a registered value question is asked again with the same arguments', async () => {
    const { purchaseBehaviourQuestion, questionFor, segmentTableQuestion, valueCutoffsQuestion } = await import('../../server/wholeGraphSnapshots');
    const money = parseMoney({ baseCurrency: 'EUR', rates: [{ currency: 'USD', rate: 0.9 }, { currency: 'GBP', rate: 1.2 }] });
    const cutoffs = valueCutoffsQuestion({ asOf: Date.UTC(2026, 10, 1), money, abcA: 0.7, abcB: 0.9 });
    const behaviour = purchaseBehaviourQuestion({ asOf: null, money });
    const segments = segmentTableQuestion({ asOf: null, money, rules: parseValueRules({ lostAfterDays: 365 }) });
    for (const question of [cutoffs, behaviour, segments]) {
      const registered = JSON.parse(JSON.stringify(question.request));
      expect(questionFor(registered)?.request).toEqual(question.request);
    }
  });
});
