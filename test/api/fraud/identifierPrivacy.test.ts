import { cypher } from '../../../graph/neo4j';
import { ok } from '../../support/builders';
import { startTestApi, TestApi, uniquePrefix } from '../../support/services';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const UPSERT = `mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`;
const EXPORT = `query($id: ID!) { exportCustomer(id: $id) }`;
const ERASE = `mutation($id: ID!) { eraseCustomer(id: $id) { erased } }`;
const LINKS = cypher<{ links: number; identifiers: number }>(
  'test.identifierLinks',
  `MATCH (c:Customer) WHERE elementId(c) = $key
   RETURN COUNT { (c)-[:HAS_IDENTIFIER]->() } AS links,
          COUNT { MATCH (i:Identifier) WHERE i.hash IN $hashes } AS identifiers`,
);
const KEY_AND_HASHES = cypher<{ key: string; hashes: string[] }>(
  'test.identifierHashes',
  `MATCH (c:Customer {id: $id}) RETURN elementId(c) AS key, COLLECT { MATCH (c)-[:HAS_IDENTIFIER]->(i) RETURN i.hash } AS hashes`,
);

test('exportCustomer lists identifiers as kind and hash prefix; eraseCustomer removes the links and identifiers nobody else has', async () => {
  const p = uniquePrefix('ident-privacy');
  await ok(api, UPSERT, { input: { id: `${p}-a`, identifiers: [{ kind: 'DEVICE', value: `own-${p}` }, { kind: 'IP', value: `shared-${p}` }] } });
  await ok(api, UPSERT, { input: { id: `${p}-b`, identifiers: [{ kind: 'IP', value: `shared-${p}` }] } });

  const exported = (await ok(api, EXPORT, { id: `${p}-a` }, 'admin')).exportCustomer;
  expect(exported.identifiers).toEqual([
    { kind: 'DEVICE', hashPrefix: expect.stringMatching(/^[0-9a-f]{8}$/), since: expect.any(String) },
    { kind: 'IP', hashPrefix: expect.stringMatching(/^[0-9a-f]{8}$/), since: expect.any(String) },
  ]);
  expect(JSON.stringify(exported)).not.toContain(`own-${p}`);

  const [{ key, hashes }] = await api.graph.read(KEY_AND_HASHES, { id: `${p}-a` });
  expect(hashes).toHaveLength(2);
  await ok(api, ERASE, { id: `${p}-a` }, 'admin');
  // The shared IP stays for b; a's own device goes.
  expect((await api.graph.read(LINKS, { key, hashes }))[0]).toEqual({ links: 0, identifiers: 1 });
});
