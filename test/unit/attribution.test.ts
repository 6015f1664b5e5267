import { Candidate, pickAttribution } from '../../graph/attribution';

const touch = (referrerId: string, campaignId: string, model: Candidate['model'], at: number): Candidate => ({ referrerId, campaignId, model, touch: at, launch: false });

describe('sign-up attribution', () => {
  test('with no open invite or click nobody is credited', () => {
    expect(pickAttribution([])).toEqual([]);
  });

  test('the campaign acted on last wins, and under LAST_TOUCH its latest touch is credited first', () => {
    const picked = pickAttribution([touch('a', 'spring', 'LAST_TOUCH', 10), touch('b', 'spring', 'LAST_TOUCH', 30), touch('c', 'vip', 'FIRST_TOUCH', 20)]);
    expect(picked.map((c) => c.referrerId)).toEqual(['b', 'a']);
  });

  test('under FIRST_TOUCH the earliest touch in the winning campaign is credited first', () => {
    const picked = pickAttribution([touch('a', 'vip', 'FIRST_TOUCH', 10), touch('b', 'vip', 'FIRST_TOUCH', 40), touch('c', 'spring', 'LAST_TOUCH', 20)]);
    expect(picked.map((c) => c.referrerId)).toEqual(['a', 'b']);
  });

  test('touches of the losing campaigns are never candidates', () => {
    const picked = pickAttribution([touch('a', 'spring', 'LAST_TOUCH', 50), touch('c', 'vip', 'FIRST_TOUCH', 20)]);
    expect(picked.map((c) => c.campaignId)).toEqual(['spring']);
  });
});
