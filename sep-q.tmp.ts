import { connectGraph, cypher } from './graph/neo4j';
(async () => {
  const g = connectGraph({ uri: 'bolt://127.0.0.1:17687', user: 'neo4j', password: '' });
  const q = process.argv[2];
  const rows = await g.read(cypher('x', q));
  console.log(JSON.stringify(rows, null, 1).slice(0, 3000));
  await g.close();
})();
