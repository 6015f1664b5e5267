import { useMemo } from 'react';
import { useQuery } from '../app/useQuery';
import { CustomerLink, type CustomerRef } from '../components/CustomerLink';
import { dateTime, decimal, integer, percent } from '../components/format';
import { NetworkDrawing, type NetworkEdge, type NetworkNode } from '../components/NetworkDrawing';
import { QueryStatus } from '../components/Status';
import type { PageDefinition } from './page';

// The community map: Leiden communities (the default snapshot) as nodes sized by members, joined by their
// connections (`neighbours`), and the bridges (highest betweenness) drawn in red between the communities they join.
// Each community's stats in a table beside it. Both answers are snapshots with `asOf`.

export const COMMUNITIES = `query DashboardCommunities {
  communities(algorithm: LEIDEN, minSize: 2, limit: 40) {
    asOf customers communityCount singletons
    communities {
      id size density internalConnections externalConnections
      topAdvocates { customer { id name } convertedReferrals referralsSent }
      conversion { referrals converted { count rate } kFactor }
      neighbours { communityId connections }
    }
  }
}`;
export const BRIDGES = `query DashboardBridges { bridges(limit: 10) { asOf samplingSize entries { rank betweenness customer { id name } joins { communityId neighbours own } } } }`;

interface Community {
  id: string;
  size: number;
  density: number;
  internalConnections: number;
  externalConnections: number;
  topAdvocates: Array<{ customer: CustomerRef; convertedReferrals: number; referralsSent: number }>;
  conversion: { referrals: number; converted: { count: number; rate: number }; kFactor: number };
  neighbours: Array<{ communityId: string; connections: number }>;
}
interface Communities {
  communities: { asOf: string; customers: number; communityCount: number; singletons: number; communities: Community[] };
}
interface Bridges {
  bridges: { asOf: string; samplingSize: number | null; entries: Array<{ rank: number; betweenness: number; customer: CustomerRef; joins: Array<{ communityId: string; neighbours: number; own: boolean }> }> };
}

/** `leiden:c17` → `c17`: the community is named after its smallest member id. */
const shortName = (id: string) => id.replace(/^[a-z]+:/, '');

function CommunitiesPage() {
  const communities = useQuery<Communities>(COMMUNITIES, {});
  const bridges = useQuery<Bridges>(BRIDGES, {});
  const data = communities.data?.communities;
  const bridgeList = bridges.data?.bridges;

  const drawing = useMemo(() => {
    if (!data) return null;
    const listed = new Set(data.communities.map((c) => c.id));
    const nodes: NetworkNode[] = data.communities.map((c) => ({ id: c.id, label: `${shortName(c.id)} (${c.size})`, size: c.size }));
    const edges: NetworkEdge[] = [];
    for (const c of data.communities) {
      for (const n of c.neighbours) if (c.id < n.communityId && listed.has(n.communityId)) edges.push({ source: c.id, target: n.communityId, weight: n.connections });
    }
    for (const bridge of bridgeList?.entries ?? []) {
      const joined = bridge.joins.filter((j) => listed.has(j.communityId));
      if (joined.length === 0) continue;
      nodes.push({ id: `bridge:${bridge.customer.id}`, label: bridge.customer.name ?? bridge.customer.id, highlight: true });
      for (const j of joined) edges.push({ source: `bridge:${bridge.customer.id}`, target: j.communityId, weight: 1 });
    }
    return { nodes, edges };
  }, [data, bridgeList]);

  return (
    <>
      <QueryStatus state={communities} what="the communities" />
      {data && (
        <div className="grid">
          <section className="card wide" aria-labelledby="map-heading">
            <h2 id="map-heading">Community map</h2>
            <dl className="headline" data-testid="communities-headline">
              <div>
                <dt>Communities</dt>
                <dd data-metric="communityCount">{integer(data.communityCount)}</dd>
              </div>
              <div>
                <dt>Customers alone</dt>
                <dd data-metric="singletons">{integer(data.singletons)}</dd>
              </div>
              <div>
                <dt>Customers</dt>
                <dd data-metric="customers">{integer(data.customers)}</dd>
              </div>
            </dl>
            <p className="muted">
              Leiden communities over every kind of tie, as of {dateTime(data.asOf)}: the {data.communities.length} largest, sized by members, joined by
              their connections; bridges (the customers on the most shortest paths) in red, tied to the communities they join.
            </p>
            {drawing && <NetworkDrawing nodes={drawing.nodes} edges={drawing.edges} label="Community map: the table below lists the same communities" height={460} testId="community-map" />}
          </section>
          <section className="card wide" aria-labelledby="stats-heading">
            <h2 id="stats-heading">Each community</h2>
            <div className="table-scroll">
              <table className="numbers" data-testid="communities-table">
                <thead>
                  <tr>
                    <th scope="col">Community</th>
                    <th scope="col">Members</th>
                    <th scope="col">Density</th>
                    <th scope="col">Internal ties</th>
                    <th scope="col">External ties</th>
                    <th scope="col">Referrals inside</th>
                    <th scope="col">Converted</th>
                    <th scope="col">K-factor</th>
                    <th scope="col">Top advocates</th>
                  </tr>
                </thead>
                <tbody>
                  {data.communities.map((c) => (
                    <tr key={c.id} data-community={c.id}>
                      <th scope="row">{c.id}</th>
                      <td data-metric="size">{integer(c.size)}</td>
                      <td data-metric="density">{percent(c.density)}</td>
                      <td data-metric="internalConnections">{integer(c.internalConnections)}</td>
                      <td data-metric="externalConnections">{integer(c.externalConnections)}</td>
                      <td data-metric="referrals">{integer(c.conversion.referrals)}</td>
                      <td data-metric="converted">{integer(c.conversion.converted.count)}</td>
                      <td data-metric="kFactor">{decimal(c.conversion.kFactor)}</td>
                      <td style={{ textAlign: 'left' }}>
                        {c.topAdvocates.length === 0
                          ? '—'
                          : c.topAdvocates.map((a, i) => (
                              <span key={a.customer.id}>
                                {i > 0 && ', '}
                                <CustomerLink customer={a.customer} /> <span className="muted">{a.convertedReferrals}/{a.referralsSent}</span>
                              </span>
                            ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </div>
      )}
      <section className="card" aria-labelledby="bridges-heading">
        <h2 id="bridges-heading">Bridges</h2>
        <QueryStatus state={bridges} what="the bridges" />
        {bridgeList && (
          <>
            <p className="muted">
              Betweenness {bridgeList.samplingSize ? `estimated from ${bridgeList.samplingSize} sampled customers` : 'exact'}, as of {dateTime(bridgeList.asOf)}.
            </p>
            <table className="numbers" data-testid="bridges-table">
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Betweenness</th>
                  <th scope="col">Joins (own first; neighbours there)</th>
                </tr>
              </thead>
              <tbody>
                {bridgeList.entries.map((bridge) => (
                  <tr key={bridge.customer.id} data-customer={bridge.customer.id}>
                    <th scope="row">
                      {bridge.rank}. <CustomerLink customer={bridge.customer} />
                    </th>
                    <td data-metric="betweenness">{decimal(bridge.betweenness)}</td>
                    <td data-metric="joins" style={{ textAlign: 'left' }}>
                      {bridge.joins.map((j) => `${j.communityId}${j.own ? ' (own)' : ''} ${j.neighbours}`).join(' · ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

export const communitiesPage: PageDefinition = { path: 'communities', title: 'Communities', roles: ['COMMUNITY', 'MARKETER', 'ADMIN'], Component: CommunitiesPage };
