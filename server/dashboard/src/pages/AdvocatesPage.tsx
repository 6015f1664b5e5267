import { useState } from 'react';
import { ApiError } from '../app/api';
import { downloadCsv } from '../app/exportCsv';
import { useQuery } from '../app/useQuery';
import { CustomerLink, type CustomerRef } from '../components/CustomerLink';
import { dateTime, decimal, integer, percent } from '../components/format';
import { ErrorMessage, QueryStatus } from '../components/Status';
import type { PageDefinition, PageProps } from './page';
import { CampaignOptions } from '../components/CampaignOptions';

// Whom to ask for a referral (`advocates`, every reason as a column), promoters nobody has asked yet
// (`untappedAdvocates`), and whom to seed a campaign with (`seedAdvocates`), against the naive top-k. All three are
// whole-graph snapshots (`asOf`); a first question is computed in the background (ANSWER_PENDING, retried by useQuery).

const ADVOCATE_FIELDS = `customer { id name } score recommend promoter reviewCount experienceLift reachWithin1Hop reachWithin2Hops
  invitesSent conversions conversionRate lastPurchaseAt daysSinceLastPurchase asOf`;

/** The ranked list; the same query is sent to /export.csv for the download, so the file holds what the table shows. */
export const ADVOCATES = `query DashboardAdvocates($limit: Int, $campaignId: ID) { advocates(filter: { limit: $limit, campaignId: $campaignId }) { ${ADVOCATE_FIELDS} } }`;
const UNTAPPED = `query DashboardUntapped { untappedAdvocates(limit: 10) { customer { id name } score recommend reachWithin2Hops } }`;
const SEED = `query DashboardSeed($k: Int!, $campaignId: ID) {
  seedAdvocates(k: $k, campaignId: $campaignId) { picks { customer { id name } marginalReach reach } totalReach naiveTotalReach naivePicks { id name } candidates asOf }
}`;

interface Advocate {
  customer: CustomerRef;
  score: number;
  recommend: number | null;
  promoter: boolean;
  reviewCount: number;
  experienceLift: number | null;
  reachWithin1Hop: number;
  reachWithin2Hops: number;
  invitesSent: number;
  conversions: number;
  conversionRate: number;
  lastPurchaseAt: string | null;
  daysSinceLastPurchase: number | null;
  asOf: string;
}

interface SeedPlan {
  picks: Array<{ customer: CustomerRef; marginalReach: number; reach: number }>;
  totalReach: number;
  naiveTotalReach: number;
  naivePicks: CustomerRef[];
  candidates: number;
  asOf: string;
}

const dash = (value: number | null, format: (n: number) => string) => (value === null ? '—' : format(value));

const CAMPAIGNS = `query DashboardAdvocateCampaigns { campaigns(first: 100) { id name } }`;

function CsvButton({ limit, campaignId }: { limit: number; campaignId: string | null }) {
  const [state, setState] = useState<{ busy: boolean; error?: ApiError; rows?: number }>({ busy: false });
  return (
    <div className="actions">
      <button
        type="button"
        disabled={state.busy}
        onClick={() => {
          setState({ busy: true });
          downloadCsv(ADVOCATES, { limit, campaignId }, campaignId ? `advocates-${campaignId}.csv` : 'advocates.csv').then(
            (rows) => setState({ busy: false, rows }),
            (error: unknown) => setState({ busy: false, error: error instanceof ApiError ? error : new ApiError('other', String(error)) }),
          );
        }}
      >
        {state.busy ? 'Preparing CSV…' : 'Download CSV'}
      </button>
      {state.rows !== undefined && (
        <span className="muted" role="status">
          Downloaded {integer(state.rows)} rows.
        </span>
      )}
      {state.error && <ErrorMessage error={state.error} />}
    </div>
  );
}

function Ranking({ campaignId }: { campaignId: string | null }) {
  const [limit, setLimit] = useState(20);
  const ranking = useQuery<{ advocates: Advocate[] }>(ADVOCATES, { limit, campaignId });
  const rows = ranking.data?.advocates;
  return (
    <section className="card wide" aria-labelledby="ranking-heading">
      <h2 id="ranking-heading">Whom to ask for a referral</h2>
      <div className="scope">
        <label htmlFor="advocate-limit">Show</label>
        <select id="advocate-limit" value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
          {[20, 50, 100].map((n) => (
            <option key={n} value={n}>
              top {n}
            </option>
          ))}
        </select>
        <CsvButton limit={limit} campaignId={campaignId} />
        {rows && rows.length > 0 && (
          <span className="muted" data-testid="advocates-as-of">
            Ranking as of {dateTime(rows[0].asOf)}
          </span>
        )}
      </div>
      <QueryStatus state={ranking} what="the ranking" />
      {rows && (
        <div className="table-scroll">
          <table className="numbers" data-testid="advocates-table">
            <caption>Score 0–100 = 30% NPS + 15% experience + 25% reach + 15% referral record + 10% recency.</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Score</th>
                <th scope="col">NPS answer</th>
                <th scope="col">Reviews</th>
                <th scope="col">Experience lift (★)</th>
                <th scope="col">Reach 1 hop</th>
                <th scope="col">Reach 2 hops</th>
                <th scope="col">Invites sent</th>
                <th scope="col">Converted</th>
                <th scope="col">Conversion rate</th>
                <th scope="col">Days since last purchase</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.customer.id} data-customer={row.customer.id}>
                  <th scope="row">
                    <CustomerLink customer={row.customer} /> {row.promoter && <span className="tag">promoter</span>}
                  </th>
                  <td data-metric="score">{decimal(row.score)}</td>
                  <td data-metric="recommend">{dash(row.recommend, integer)}</td>
                  <td data-metric="reviewCount">{integer(row.reviewCount)}</td>
                  <td data-metric="experienceLift">{dash(row.experienceLift, decimal)}</td>
                  <td data-metric="reachWithin1Hop">{integer(row.reachWithin1Hop)}</td>
                  <td data-metric="reachWithin2Hops">{integer(row.reachWithin2Hops)}</td>
                  <td data-metric="invitesSent">{integer(row.invitesSent)}</td>
                  <td data-metric="conversions">{integer(row.conversions)}</td>
                  <td data-metric="conversionRate">{percent(row.conversionRate)}</td>
                  <td data-metric="daysSinceLastPurchase">{dash(row.daysSinceLastPurchase, (n) => integer(Math.round(n)))}</td>
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={11}>Nobody has bought or reviewed yet.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Untapped() {
  const untapped = useQuery<{ untappedAdvocates: Array<{ customer: CustomerRef; score: number; recommend: number | null; reachWithin2Hops: number }> }>(UNTAPPED, {});
  const rows = untapped.data?.untappedAdvocates;
  return (
    <section className="card" aria-labelledby="untapped-heading">
      <h2 id="untapped-heading">Untapped promoters</h2>
      <p className="muted">Promoters (NPS 9–10) with friends who have never sent a referral: ask them first.</p>
      <QueryStatus state={untapped} what="untapped promoters" />
      {rows && (
        <table className="numbers" data-testid="untapped-table">
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">Score</th>
              <th scope="col">NPS</th>
              <th scope="col">Reach 2 hops</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.customer.id} data-customer={row.customer.id}>
                <th scope="row">
                  <CustomerLink customer={row.customer} />
                </th>
                <td data-metric="score">{decimal(row.score)}</td>
                <td>{dash(row.recommend, integer)}</td>
                <td data-metric="reachWithin2Hops">{integer(row.reachWithin2Hops)}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={4}>Every promoter with friends has already referred someone.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Seeding({ campaignId }: { campaignId: string | null }) {
  const [k, setK] = useState(5);
  const [draft, setDraft] = useState('5');
  const seed = useQuery<{ seedAdvocates: SeedPlan }>(SEED, { k, campaignId });
  const plan = seed.data?.seedAdvocates;
  return (
    <section className="card" aria-labelledby="seed-heading">
      <h2 id="seed-heading">Whom to seed a campaign with</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const next = Number(draft);
          if (Number.isInteger(next) && next >= 1 && next <= 100) setK(next);
        }}
      >
        <label>
          Advocates to seed
          <input type="number" min={1} max={100} value={draft} onChange={(event) => setDraft(event.target.value)} />
        </label>
        <button type="submit">Plan</button>
      </form>
      <QueryStatus state={seed} what="the seeding plan" />
      {plan && (
        <>
          <dl className="headline" data-testid="seed-headline">
            <div>
              <dt>Reach of these {plan.picks.length}</dt>
              <dd data-metric="totalReach">{integer(plan.totalReach)}</dd>
            </div>
            <div>
              <dt>Reach of the naive top {plan.naivePicks.length}</dt>
              <dd data-metric="naiveTotalReach">{integer(plan.naiveTotalReach)}</dd>
            </div>
            <div>
              <dt>Gain</dt>
              <dd data-metric="gain">{plan.naiveTotalReach > 0 ? `+${percent(plan.totalReach / plan.naiveTotalReach - 1)}` : '—'}</dd>
            </div>
          </dl>
          <table className="numbers" data-testid="seed-table">
            <caption>
              Chosen one by one from the {integer(plan.candidates)} customers with the largest reach, each adding the most people the earlier picks do not
              reach (within two hops). As of {dateTime(plan.asOf)}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Pick</th>
                <th scope="col">Adds</th>
                <th scope="col">Own reach</th>
              </tr>
            </thead>
            <tbody>
              {plan.picks.map((pick, i) => (
                <tr key={pick.customer.id} data-customer={pick.customer.id}>
                  <th scope="row">
                    {i + 1}. <CustomerLink customer={pick.customer} />
                  </th>
                  <td data-metric="marginalReach">{integer(pick.marginalReach)}</td>
                  <td data-metric="reach">{integer(pick.reach)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Naive choice (largest reach): {plan.naivePicks.map((customer) => customer.name ?? customer.id).join(', ')}.
          </p>
        </>
      )}
    </section>
  );
}

function AdvocatesPage({ route }: PageProps) {
  const campaignId = route.query.get('campaign');
  const campaigns = useQuery<{ campaigns: Array<{ id: string; name: string }> }>(CAMPAIGNS, {});
  return (
    <>
      <div className="scope">
        <label htmlFor="advocates-campaign">Campaign</label>
        <select
          id="advocates-campaign"
          value={campaignId ?? ''}
          onChange={(event) => (window.location.hash = event.target.value ? `#/advocates?campaign=${encodeURIComponent(event.target.value)}` : '#/advocates')}
        >
          <option value="">All campaigns</option>
          <CampaignOptions campaigns={campaigns.data?.campaigns} />
        </select>
        <span className="muted">A campaign ranks those who referred in it, by their record there, and seeds it.</span>
      </div>
      <div className="grid">
        <Ranking campaignId={campaignId} />
        <Untapped />
        <Seeding campaignId={campaignId} />
      </div>
    </>
  );
}

export const advocatesPage: PageDefinition = { path: 'advocates', title: 'Advocates', roles: ['MARKETER', 'COMMUNITY', 'ADMIN'], Component: AdvocatesPage };
