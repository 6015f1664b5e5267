import { QueuePlace, referralsToOvertake } from '../../graph/waitlist';

// The count is checked against a walk that applies one referral at a time and compares in the queue's order.
const ahead = (a: QueuePlace, b: QueuePlace) => a.score < b.score || (a.score === b.score && (a.credits > b.credits || (a.credits === b.credits && a.seq < b.seq)));
function byWalking(place: QueuePlace, target: QueuePlace, places: number): number | null {
  for (let k = 0; k < 10_000; k++) {
    if (ahead({ score: place.score - k * places, credits: place.credits + k, seq: place.seq }, target)) return k;
    if (places === 0) return null;
  }
  return null;
}

describe('referrals needed to reach the next wave', () => {
  test('agrees with moving up one referral at a time, whatever the gap, credits and join order', () => {
    for (let score = -5; score <= 20; score++) {
      for (const credits of [0, 1, 3]) {
        for (const places of [0, 1, 2, 3, 7]) {
          const place = { score, credits, seq: 10 };
          for (const target of [{ score: 2, credits: 0, seq: 2 }, { score: 4, credits: 2, seq: 12 }, { score: -1, credits: 3, seq: 1 }]) {
            expect({ score, credits, places, target, k: referralsToOvertake(place, target, places) }).toEqual({ score, credits, places, target, k: byWalking(place, target, places) });
          }
        }
      }
    }
  });
});
