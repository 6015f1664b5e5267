/**
 * Greedy maximum coverage with lazy evaluation (CELF, Leskovec et al. 2007): choose k sets whose union is
 * largest. Plain greedy takes, k times, the set adding the most elements not yet covered; coverage is
 * submodular (what a set adds only shrinks as others are chosen), so a gain computed in an earlier round is
 * an upper bound on the gain now. CELF keeps every candidate in a max-heap by its last computed gain and
 * re-evaluates only the top until the top's gain is current: the same picks as plain greedy, with far fewer
 * evaluations. Greedy reaches at least 1 − 1/e of the best possible union (Nemhauser, Wolsey, Fisher 1978).
 *
 * Ties are broken by id (smaller first), in the heap and in plain greedy alike, so the picks are
 * deterministic and the picks for k are the first k of the picks for any larger k.
 */

export interface CoverageCandidate<T> {
  id: string;
  members: readonly T[];
}

export interface CoveragePick {
  id: string;
  /** Elements this pick adds to those the earlier picks cover. */
  marginal: number;
  /** Elements this pick covers, whoever else covers them. */
  size: number;
}

interface HeapEntry {
  id: string;
  members: ReadonlySet<unknown>;
  gain: number;
  /** The round (number of picks made) in which `gain` was computed. */
  round: number;
}

/** Orders by gain, largest first, then by id, smallest first. */
const before = (a: HeapEntry, b: HeapEntry) => a.gain > b.gain || (a.gain === b.gain && a.id < b.id);

class MaxHeap {
  private readonly items: HeapEntry[] = [];

  get size() {
    return this.items.length;
  }

  push(entry: HeapEntry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): HeapEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let first = i;
        if (left < items.length && before(items[left], items[first])) first = left;
        if (right < items.length && before(items[right], items[first])) first = right;
        if (first === i) break;
        [items[i], items[first]] = [items[first], items[i]];
        i = first;
      }
    }
    return top;
  }
}

/** CELF: at most k picks in the order chosen; it stops early when no candidate adds anything. */
export function celfCoverage<T>(candidates: ReadonlyArray<CoverageCandidate<T>>, k: number): CoveragePick[] {
  const heap = new MaxHeap();
  for (const candidate of candidates) {
    const members = new Set(candidate.members);
    heap.push({ id: candidate.id, members, gain: members.size, round: 0 });
  }
  const covered = new Set<unknown>();
  const picks: CoveragePick[] = [];
  while (picks.length < k && heap.size > 0) {
    const top = heap.pop()!;
    if (top.round === picks.length) {
      // Current: no other candidate can add more (their stored gains bound what they would add now).
      if (top.gain === 0) break;
      for (const member of top.members) covered.add(member);
      picks.push({ id: top.id, marginal: top.gain, size: top.members.size });
      continue;
    }
    let gain = 0;
    for (const member of top.members) if (!covered.has(member)) gain += 1;
    heap.push({ ...top, gain, round: picks.length });
  }
  return picks;
}

/**
 * The naive choice: candidates by size, largest first, then by id. `totals[i]` is the size of the union of
 * the first i + 1, so one pass serves every k.
 */
export function naiveCoverage<T>(candidates: ReadonlyArray<CoverageCandidate<T>>, k: number): { ids: string[]; totals: number[] } {
  const sized = candidates.map((candidate) => ({ candidate, size: new Set(candidate.members).size }));
  sized.sort((a, b) => b.size - a.size || (a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0));
  const chosen = sized.slice(0, k).map((entry) => entry.candidate);
  const covered = new Set<T>();
  const totals: number[] = [];
  for (const candidate of chosen) {
    for (const member of candidate.members) covered.add(member);
    totals.push(covered.size);
  }
  return { ids: chosen.map((candidate) => candidate.id), totals };
}
