import { useMemo } from 'react';
import { ALL_ROLES, canReadPersonalData } from '../app/roles';
import { href, navigate } from '../app/router';
import { useQuery } from '../app/useQuery';
import { Chart, type ChartOption } from '../components/Chart';
import { CustomerIdForm } from '../components/CustomerIdForm';
import { CustomerLink } from '../components/CustomerLink';
import { date, decimal, integer } from '../components/format';
import { ReferralTree } from '../components/ReferralTree';
import { ErrorMessage, Loading, QueryStatus } from '../components/Status';
import type { PageDefinition, PageProps } from './page';

// One customer: profile, the chain of referrals above them up to the root advocate, the tree below (fetched
// level by level), their reach per generation and their reviews. `email` is asked for only by roles that may read it.

const PROFILE = `query DashboardCustomer($id: ID!, $withEmail: Boolean!) {
  customer(id: $id) {
    id name email @include(if: $withEmail) stage createdAt signedUpAt
    referredBy { channel status campaign { id name } referrer { id name } }
    connections(first: 1) { totalCount }
    followers(first: 1) { totalCount }
    referrals(first: 1) { totalCount }
    purchases(first: 1) { totalCount }
    reviews(first: 20) { totalCount edges { node { rating text recommend at product { id name } } } }
  }
}`;

const CHAIN = `query DashboardChain($id: ID!) {
  referralChain(customerId: $id, maxDepth: 1) {
    upward { id name stage }
    root { id name }
    cycleDetected
  }
}`;

const REACH = `query DashboardReach($id: ID!) {
  influencerReach(customerId: $id, maxDepth: 5) {
    invitesSent directReferrals downstreamCustomers downstreamConverted downstreamPurchaseTotal
    generations { generation customers converted }
    socialReach { hops customers }
  }
}`;

// Value and community are marketer/community answers (a SERVICE key gets FORBIDDEN): asked only by those roles.
export const VALUE = `query DashboardCustomerValue($id: ID!) {
  customerValue(customerId: $id) {
    revenue currency purchases lastPurchaseAt daysSinceLastPurchase medianIntervalDays tier rfm { recency frequency monetary } lifecycle cutoffsAsOf
  }
  customer(id: $id) { engagementLevel community { id size density neighbours { communityId } } }
}`;

const TOP = `query DashboardTopAdvocates { topInfluencers(by: REFERRAL_REACH, limit: 8) { rank score customer { id name } } }`;

interface Profile {
  customer: null | {
    id: string;
    name: string | null;
    email?: string | null;
    stage: string;
    createdAt: string;
    signedUpAt: string | null;
    referredBy: null | { channel: string | null; status: string; campaign: { id: string; name: string } | null; referrer: { id: string; name: string | null } };
    connections: { totalCount: number };
    followers: { totalCount: number };
    referrals: { totalCount: number };
    purchases: { totalCount: number };
    reviews: { totalCount: number; edges: Array<{ node: { rating: number; text: string | null; recommend: number | null; at: string; product: { id: string; name: string | null } } }> };
  };
}

interface Chain {
  referralChain: { upward: Array<{ id: string; name: string | null; stage: string }>; root: { id: string; name: string | null }; cycleDetected: boolean };
}

interface Reach {
  influencerReach: {
    invitesSent: number;
    directReferrals: number;
    downstreamCustomers: number;
    downstreamConverted: number;
    downstreamPurchaseTotal: number;
    generations: Array<{ generation: number; customers: number; converted: number }>;
    socialReach: Array<{ hops: number; customers: number }>;
  };
}

interface Value {
  customerValue: {
    revenue: number;
    currency: string;
    purchases: number;
    lastPurchaseAt: string | null;
    daysSinceLastPurchase: number | null;
    medianIntervalDays: number | null;
    tier: string | null;
    rfm: { recency: number; frequency: number; monetary: number } | null;
    lifecycle: string | null;
    cutoffsAsOf: string;
  };
  customer: null | { engagementLevel: string; community: null | { id: string; size: number; density: number; neighbours: Array<{ communityId: string }> } };
}

const stageText = (stage: string) => stage.replace('_', ' ').toLowerCase();

function Pick() {
  const top = useQuery<{ topInfluencers: Array<{ rank: number; score: number; customer: { id: string; name: string | null } }> }>(TOP, {});
  return (
    <section className="card" aria-labelledby="pick-heading">
      <h2 id="pick-heading">Find a customer</h2>
      <CustomerIdForm label="Customer id" onSubmit={(id) => navigate(href('customer', id))} />
      <h3>Or start from an advocate with the largest referral tree</h3>
      {top.loading && <Loading what="advocates" />}
      {top.error && <ErrorMessage error={top.error} onRetry={top.reload} />}
      {top.data && (
        <ol className="plain-list">
          {top.data.topInfluencers.map((entry) => (
            <li key={entry.customer.id}>
              <CustomerLink customer={entry.customer} /> <span className="muted">· {integer(entry.score)} below them</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ReachSection({ id }: { id: string }) {
  const reach = useQuery<Reach>(REACH, { id });
  const data = reach.data?.influencerReach;
  const option = useMemo<ChartOption | null>(
    () =>
      data
        ? {
            tooltip: { trigger: 'axis' },
            legend: { top: 0, data: ['Signed up', 'Bought'] },
            grid: { left: 40, right: 16, top: 36, bottom: 28 },
            xAxis: { type: 'category', name: 'gen.', data: data.generations.map((g) => String(g.generation)) },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              { type: 'bar', name: 'Signed up', data: data.generations.map((g) => g.customers), itemStyle: { color: '#e3a33b' } },
              { type: 'bar', name: 'Bought', data: data.generations.map((g) => g.converted), itemStyle: { color: '#2f6f4f' } },
            ],
          }
        : null,
    [data],
  );
  return (
    <section className="card" aria-labelledby="reach-heading">
      <h2 id="reach-heading">Reach</h2>
      {reach.loading && <Loading what="reach" />}
      {reach.error && <ErrorMessage error={reach.error} onRetry={reach.reload} />}
      {data && (
        <>
          <dl className="headline" data-testid="reach-headline">
            <div>
              <dt>Invites sent</dt>
              <dd data-metric="invitesSent">{integer(data.invitesSent)}</dd>
            </div>
            <div>
              <dt>Direct referrals</dt>
              <dd data-metric="directReferrals">{integer(data.directReferrals)}</dd>
            </div>
            <div>
              <dt>Below them (5 generations)</dt>
              <dd data-metric="downstreamCustomers">{integer(data.downstreamCustomers)}</dd>
            </div>
            <div>
              <dt>Of whom bought</dt>
              <dd data-metric="downstreamConverted">{integer(data.downstreamConverted)}</dd>
            </div>
            <div>
              <dt>Their purchases</dt>
              <dd data-metric="downstreamPurchaseTotal">{decimal(data.downstreamPurchaseTotal)}</dd>
            </div>
          </dl>
          {data.generations.length > 0 && option && <Chart option={option} label="Customers signed up and converted per generation below this customer" height={200} />}
          <table className="numbers" data-testid="reach-table">
            <thead>
              <tr>
                <th scope="col">Generation</th>
                <th scope="col">Signed up</th>
                <th scope="col">Bought</th>
              </tr>
            </thead>
            <tbody>
              {data.generations.map((g) => (
                <tr key={g.generation} data-generation={g.generation}>
                  <th scope="row">{g.generation}</th>
                  <td data-metric="customers">{integer(g.customers)}</td>
                  <td data-metric="converted">{integer(g.converted)}</td>
                </tr>
              ))}
              {data.generations.length === 0 && (
                <tr>
                  <td colSpan={3}>Nobody signed up through this customer yet.</td>
                </tr>
              )}
            </tbody>
          </table>
          <p className="muted">
            Social reach (KNOWS and FOLLOWS, either way):{' '}
            {data.socialReach.map((hop) => `${integer(hop.customers)} within ${hop.hops} hop${hop.hops > 1 ? 's' : ''}`).join(', ')}.
          </p>
        </>
      )}
    </section>
  );
}

function ValueSection({ id }: { id: string }) {
  const value = useQuery<Value>(VALUE, { id });
  const data = value.data?.customerValue;
  const customer = value.data?.customer;
  return (
    <section className="card" aria-labelledby="value-heading">
      <h2 id="value-heading">Value and community</h2>
      <QueryStatus state={value} what="value and community" />
      {data && (
        <dl className="facts" data-testid="value">
          <dt>Value tier</dt>
          <dd data-field="tier">{data.tier ?? 'no purchase'}</dd>
          <dt>Lifecycle</dt>
          <dd data-field="lifecycle">{data.lifecycle?.toLowerCase() ?? '—'}</dd>
          <dt>RFM</dt>
          <dd data-field="rfm">{data.rfm ? `${data.rfm.recency}${data.rfm.frequency}${data.rfm.monetary}` : '—'}</dd>
          <dt>Revenue</dt>
          <dd data-field="revenue">
            {decimal(data.revenue)} {data.currency} <span className="muted">from {integer(data.purchases)} purchases</span>
          </dd>
          <dt>Last purchase</dt>
          <dd>{data.lastPurchaseAt ? `${date(data.lastPurchaseAt)}${data.medianIntervalDays !== null ? ` · usually every ${integer(Math.round(data.medianIntervalDays))} days` : ''}` : 'never'}</dd>
          {customer && (
            <>
              <dt>Engagement</dt>
              <dd data-field="engagementLevel">{customer.engagementLevel.toLowerCase()}</dd>
              <dt>Community</dt>
              <dd data-field="community">
                {customer.community ? (
                  <>
                    <a href={href('communities')}>{customer.community.id}</a>{' '}
                    <span className="muted">
                      {integer(customer.community.size)} members, {customer.community.neighbours.length} neighbouring communities
                    </span>
                  </>
                ) : (
                  'not in the latest snapshot yet'
                )}
              </dd>
            </>
          )}
        </dl>
      )}
      {data && <p className="muted">Tiers and RFM against the cut-offs of {date(data.cutoffsAsOf)}.</p>}
    </section>
  );
}

function ChainSection({ id, self }: { id: string; self: { id: string; name: string | null; stage: string } }) {
  const chain = useQuery<Chain>(CHAIN, { id });
  const data = chain.data?.referralChain;
  return (
    <section className="card wide" aria-labelledby="chain-heading">
      <h2 id="chain-heading">Referral chain</h2>
      {chain.loading && <Loading what="the chain" />}
      {chain.error && <ErrorMessage error={chain.error} onRetry={chain.reload} />}
      {data && (
        <nav aria-label="Referral chain up to the root advocate">
          {data.upward.length === 0 ? (
            <p>Nobody referred this customer: they are a root advocate.</p>
          ) : (
            <ol className="chain" data-testid="chain">
              {[...data.upward].reverse().map((customer) => (
                <li key={customer.id}>
                  <CustomerLink customer={customer} />
                </li>
              ))}
              <li aria-current="page">
                <strong>{self.name ?? self.id}</strong>
              </li>
            </ol>
          )}
          {data.cycleDetected && <p className="warning">The stored referrals above this customer hold a cycle; the chain stops before the repeat.</p>}
        </nav>
      )}
      <h3>Who they referred</h3>
      <ReferralTree root={self} />
    </section>
  );
}

function CustomerPage({ route, role }: PageProps) {
  const id = route.segments[1];
  const withEmail = canReadPersonalData(role);
  const profile = useQuery<Profile>(PROFILE, { id, withEmail }, { skip: !id });
  if (!id) return <Pick />;
  const customer = profile.data?.customer;
  return (
    <>
      <CustomerIdForm label="Customer id" initial={id} onSubmit={(next) => navigate(href('customer', next))} />
      {profile.loading && !customer && <Loading what="the customer" />}
      {profile.error && <ErrorMessage error={profile.error} onRetry={profile.reload} />}
      {profile.data && customer === null && (
        <div className="error" role="alert">
          <strong>Not found.</strong> No customer has the id “{id}”.
        </div>
      )}
      {customer && customer.id === id && (
        <div className="grid">
          <section className="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading" data-testid="customer-name">
              {customer.name ?? customer.id}
            </h2>
            <dl className="facts" data-testid="profile">
              <dt>Id</dt>
              <dd>{customer.id}</dd>
              {customer.email !== undefined && (
                <>
                  <dt>Email</dt>
                  <dd data-field="email">{customer.email ?? '—'}</dd>
                </>
              )}
              <dt>Stage</dt>
              <dd data-field="stage">
                <span className={`stage stage-${customer.stage}`}>{stageText(customer.stage)}</span>
              </dd>
              <dt>Known since</dt>
              <dd>{date(customer.createdAt)}</dd>
              <dt>Signed up</dt>
              <dd>{customer.signedUpAt ? date(customer.signedUpAt) : 'not yet'}</dd>
              <dt>Referred by</dt>
              <dd>
                {customer.referredBy ? (
                  <>
                    <CustomerLink customer={customer.referredBy.referrer} />
                    {customer.referredBy.campaign && <> in {customer.referredBy.campaign.name}</>}
                    {customer.referredBy.channel && <> via {customer.referredBy.channel}</>}
                  </>
                ) : (
                  'nobody (organic)'
                )}
              </dd>
              <dt>Connections</dt>
              <dd data-field="connections">{integer(customer.connections.totalCount)}</dd>
              <dt>Followers</dt>
              <dd data-field="followers">{integer(customer.followers.totalCount)}</dd>
              <dt>Referrals sent</dt>
              <dd data-field="referrals">{integer(customer.referrals.totalCount)}</dd>
              <dt>Purchases</dt>
              <dd data-field="purchases">{integer(customer.purchases.totalCount)}</dd>
            </dl>
            <p>
              <a href={`#/connection?from=${encodeURIComponent(customer.id)}`}>How is this customer connected to someone?</a>
            </p>
          </section>
          {role !== 'SERVICE' && <ValueSection id={id} />}
          <ReachSection id={id} />
          <ChainSection id={id} self={customer} />
          <section className="card wide" aria-labelledby="reviews-heading">
            <h2 id="reviews-heading">Reviews ({integer(customer.reviews.totalCount)})</h2>
            {customer.reviews.edges.length === 0 ? (
              <p>No reviews.</p>
            ) : (
              <ul className="reviews" data-testid="reviews">
                {customer.reviews.edges.map(({ node }) => (
                  <li key={node.product.id}>
                    <span className="stars" aria-label={`${node.rating} of 5 stars`}>
                      {'★'.repeat(node.rating)}
                      {'☆'.repeat(5 - node.rating)}
                    </span>{' '}
                    <strong>{node.product.name ?? node.product.id}</strong> <span className="muted">{date(node.at)}</span>
                    {node.recommend !== null && <span className="muted"> · would recommend {node.recommend}/10</span>}
                    {node.text && <p>{node.text}</p>}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </>
  );
}

export const customerPage: PageDefinition = { path: 'customer', title: 'Customer', roles: ALL_ROLES, Component: CustomerPage };
