import { celfCoverage, CoverageCandidate, naiveCoverage } from '../../graph/analytics/celf';
import { seededRandom } from '../../graph/synthetic';

// Independent implementations from the definitions: plain greedy (re-evaluate every candidate each round)
// and brute force over every k-subset.

const union = (sets: ReadonlyArray<CoverageCandidate<number>>) => new Set(sets.flatMap((set) => [...set.members])).size;

function plainGreedy(candidates: ReadonlyArray<CoverageCandidate<number>>, k: number) {
  const covered = new Set<number>();
  const left = [...candidates];
  const picks: Array<{ id: string; marginal: number }> = [];
  while (picks.length < k && left.length > 0) {
    let best = -1;
    let bestGain = -1;
    left.forEach((candidate, index) => {
      const gain = new Set(candidate.members.filter((member) => !covered.has(member))).size;
      if (gain > bestGain || (gain === bestGain && candidate.id < left[best].id)) [best, bestGain] = [index, gain];
    });
    if (bestGain === 0) break;
    const [chosen] = left.splice(best, 1);
    chosen.members.forEach((member) => covered.add(member));
    picks.push({ id: chosen.id, marginal: bestGain });
  }
  return picks;
}

function bruteForceBest(candidates: ReadonlyArray<CoverageCandidate<number>>, k: number): number {
  let best = 0;
  const choose = (start: number, chosen: CoverageCandidate<number>[]) => {
    if (chosen.length === k || start === candidates.length) {
      best = Math.max(best, union(chosen));
      return;
    }
    for (let i = start; i < candidates.length; i++) choose(i + 1, [...chosen, candidates[i]]);
  };
  choose(0, []);
  return best;
}

function randomCandidates(seed: number, count: number, universe: number): CoverageCandidate<number>[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `c${String(i).padStart(2, '0')}`,
    members: Array.from({ length: Math.floor(random() * universe * 0.6) }, () => Math.floor(random() * universe)),
  }));
}

describe('CELF greedy coverage', () => {
  test('makes the same picks, with the same marginal gains, as plain greedy on 200 random set systems', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const candidates = randomCandidates(seed, 12, 30);
      for (const k of [1, 3, 6, 12]) {
        expect(celfCoverage(candidates, k).map(({ id, marginal }) => ({ id, marginal }))).toEqual(plainGreedy(candidates, k));
      }
    }
  });

  test('reaches at least 1 − 1/e of the best k-subset found by brute force, and the best itself for k = 1', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const candidates = randomCandidates(seed * 7, 10, 25);
      for (const k of [1, 2, 3, 4]) {
        const total = celfCoverage(candidates, k).reduce((sum, pick) => sum + pick.marginal, 0);
        const best = bruteForceBest(candidates, k);
        expect(total).toBeLessThanOrEqual(best);
        expect(total).toBeGreaterThanOrEqual((1 - 1 / Math.E) * best);
        if (k === 1) expect(total).toBe(best);
      }
    }
  });

  test('covers at least as much as the naive top-k by size on 200 random set systems', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const candidates = randomCandidates(seed * 13, 12, 30);
      for (const k of [1, 2, 4, 8]) {
        const picks = celfCoverage(candidates, k);
        const naive = naiveCoverage(candidates, k);
        const naiveTotal = naive.totals[naive.totals.length - 1] ?? 0;
        expect(picks.reduce((sum, pick) => sum + pick.marginal, 0)).toBeGreaterThanOrEqual(naiveTotal);
        expect(naiveTotal).toBe(union(candidates.filter((candidate) => naive.ids.slice(0, k).includes(candidate.id))));
      }
    }
  });

  test('chooses one advocate per circle of friends where naive top-k takes two from the same circle', () => {
    const circle = [1, 2, 3, 4, 5, 6];
    const candidates = [
      { id: 'a1', members: circle },
      { id: 'a2', members: [...circle, 7] },
      { id: 'b', members: [10, 11, 12, 13, 14] },
    ];
    expect(celfCoverage(candidates, 2)).toEqual([
      { id: 'a2', marginal: 7, size: 7 },
      { id: 'b', marginal: 5, size: 5 },
    ]);
    expect(naiveCoverage(candidates, 2)).toEqual({ ids: ['a2', 'a1'], totals: [7, 7] });
  });

  test('stops early when no candidate adds anything, and the picks for k are the first k of the picks for more', () => {
    const candidates = [
      { id: 'x', members: [1, 2] },
      { id: 'y', members: [1] },
    ];
    expect(celfCoverage(candidates, 5)).toEqual([{ id: 'x', marginal: 2, size: 2 }]);
    const many = randomCandidates(99, 12, 30);
    const ten = celfCoverage(many, 10);
    for (let k = 1; k <= 10; k++) expect(celfCoverage(many, k)).toEqual(ten.slice(0, k));
  });
});
