import { CAMPAIGN, failure, ok } from '../support/builders';
import { startExclusiveTestApi } from '../support/exclusive';
import { TestApi, uniquePrefix } from '../support/services';

const LIST = 'query($first: Int!) { campaigns(first: $first) { id name startsAt } }';

describe('the campaigns list', () => {
  let api: TestApi;
  beforeAll(async () => {
    // The whole list is the answer: an empty database of its own, where no other test's campaigns take part.
    api = await startExclusiveTestApi();
  });
  afterAll(() => api.close());

  test('lists campaigns latest start first, to every role, at most `first` of them', async () => {
    const prefix = uniquePrefix('campaigns');
    for (const [suffix, startsAt] of [['early', '2098-01-01T00:00:00.000Z'], ['late', '2099-01-01T00:00:00.000Z']]) {
      await ok(api, CAMPAIGN, { input: { id: `${prefix}-${suffix}`, name: `Campaign ${suffix}`, startsAt } });
    }
    const body = await api.gql('marketer', LIST, { first: 2 });
    expect(body.errors).toBeUndefined();
    expect(body.data?.campaigns).toEqual([
      { id: `${prefix}-late`, name: 'Campaign late', startsAt: '2099-01-01T00:00:00.000Z' },
      { id: `${prefix}-early`, name: 'Campaign early', startsAt: '2098-01-01T00:00:00.000Z' },
    ]);
  });

  test('a page size outside 1 to 100 is BAD_USER_INPUT naming `first`', async () => {
    for (const first of [0, 101]) {
      expect(failure(await api.gql('community', LIST, { first }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });
});
