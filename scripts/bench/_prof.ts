import neo4j from 'neo4j-driver';
const driver = neo4j.driver(process.env.URI ?? 'bolt://127.0.0.1:17687', neo4j.auth.basic('neo4j', 'unused'), { disableLosslessIntegers: true });
function walk(p: any, depth = 0, out: string[] = []) {
  out.push(`${'  '.repeat(depth)}${p.operatorType} rows=${p.rows} dbHits=${p.dbHits} ${p.arguments?.Details ?? ''}`.slice(0, 220));
  for (const c of p.children ?? []) walk(c, depth + 1, out);
  return out;
}
const total = (p: any): number => p.dbHits + (p.children ?? []).reduce((s: number, c: any) => s + total(c), 0);
(async () => {
  const s = driver.session();
  const params = JSON.parse(process.argv[3] ?? '{}');
  const r = await s.run('PROFILE ' + process.argv[2], params);
  console.log(walk(r.summary.profile).join('\n'));
  console.log('total dbHits', total(r.summary.profile), 'rows', r.records.length, JSON.stringify(r.records[0]?.toObject()).slice(0, 300));
  await s.close(); await driver.close();
})();
