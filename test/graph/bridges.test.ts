import { LOAD_CUSTOMERS, LOAD_KNOWS, strangerRow } from '../../graph/bulkLoad';
import { computeBridges } from '../../graph/analytics/bridges';
import { startExclusiveTestApi } from '../support/exclusive';
import { projectionsLeft } from '../support/projections';
import type { TestApi } from '../support/services';

// Whole-graph betweenness needs a graph of its own: every other test's customers would take part on the shared one.
describe('bridges on a graph where nobody lies between two others', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startExclusiveTestApi();
  });
  afterAll(() => api.close());

  test('two customers who know each other: no bridge, and the projection is dropped', async () => {
    await api.graph.write(LOAD_CUSTOMERS, { rows: ['pair-a', 'pair-b'].map((id) => strangerRow(id, 0)) });
    await api.graph.write(LOAD_KNOWS, { rows: [['pair-a', 'pair-b', 1]], now: 0 });
    const answer = await computeBridges(api.graph, { exactMaxCustomers: 1000, samplingSize: 10, samplingSeed: 1 });
    expect(answer).toMatchObject({ customers: 2, bridges: [] });
    expect(await projectionsLeft(api.graph, 'betweenness')).toBe(0);
  });
});
