import neo4j from 'neo4j-driver';
const driver = neo4j.driver(process.env.URI ?? 'bolt://127.0.0.1:17687', neo4j.auth.basic('neo4j', 'unused'), { disableLosslessIntegers: true });
(async () => {
  const s = driver.session();
  const r = await s.run(process.argv[2]);
  console.log(JSON.stringify(r.records.map((x) => x.toObject())).slice(0, 3000));
  await s.close(); await driver.close();
})();
