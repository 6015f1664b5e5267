import { cypher, Graph } from './neo4j';

const SERVICE_INFO = cypher(
  'service.info',
  `CALL dbms.components() YIELD name, versions WHERE name = 'Neo4j Kernel'
   RETURN versions[0] AS neo4jVersion, gds.version() AS gdsVersion, apoc.version() AS apocVersion`,
);

export async function serviceInfo(graph: Graph) {
  const [row] = await graph.read(SERVICE_INFO);
  return { neo4jVersion: String(row.neo4jVersion), gdsVersion: String(row.gdsVersion), apocVersion: String(row.apocVersion) };
}
