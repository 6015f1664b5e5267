import { AnalyticsCache } from '../../server/cache/analyticsCache';
import { MemoryStore } from '../../server/cache/store';

// The in-process store stands in for Redis here: what is tested is the cache's own single flight.

describe('AnalyticsCache single flight', () => {
  test('concurrent callers of the same key share one computation', async () => {
    const cache = new AnalyticsCache(new MemoryStore(), 60);
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { answer: 42 };
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.remember('ranking', { by: 'PAGERANK' }, compute)));
    expect(computations).toBe(1);
    expect(answers.every((answer) => answer.answer === 42)).toBe(true);
  });

  test('different arguments are computed separately', async () => {
    const cache = new AnalyticsCache(new MemoryStore(), 60);
    let computations = 0;
    const compute = async () => ++computations;
    await Promise.all([cache.remember('ranking', { limit: 1 }, compute), cache.remember('ranking', { limit: 2 }, compute)]);
    expect(computations).toBe(2);
  });

  test('a caller after a write does not join a computation that started before it', async () => {
    const cache = new AnalyticsCache(new MemoryStore(), 60);
    let release!: () => void;
    const before = cache.remember('ranking', {}, () => new Promise<string>((resolve) => (release = () => resolve('before'))));
    await new Promise((resolve) => setImmediate(resolve));
    await cache.graphChanged();
    const after = await cache.remember('ranking', {}, async () => 'after');
    release();
    expect([await before, after]).toEqual(['before', 'after']);
  });

  test('a failed computation is shared by its callers and not remembered', async () => {
    const cache = new AnalyticsCache(new MemoryStore(), 60);
    let computations = 0;
    const failing = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('boom');
    };
    const results = await Promise.allSettled([cache.remember('x', {}, failing), cache.remember('x', {}, failing)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(computations).toBe(1);
    expect(await cache.remember('x', {}, async () => 'fine')).toBe('fine');
  });
});
