import { useEffect, useMemo, useState } from 'react';
import { graphql, ApiError } from '../app/api';
import { ALL_ROLES } from '../app/roles';
import { useQuery } from '../app/useQuery';
import { Chart, type ChartOption } from '../components/Chart';
import { ConversionFunnel, FUNNEL_FIELDS, FUNNEL_STEPS } from '../components/funnel';
import { dateTime, decimal, integer, percent } from '../components/format';
import { ErrorMessage, Loading, QueryStatus } from '../components/Status';
import type { PageDefinition, PageProps } from './page';
import { CampaignOptions } from '../components/CampaignOptions';

// Programme overview: the referral funnel (overall or one campaign), K-factor per generation, a weekly trend,
// and the campaigns side by side. Every number comes from `referralConversion`, served from snapshots (`asOf`).

const CAMPAIGNS = `query DashboardCampaigns { campaigns(first: 100) { id name startsAt endsAt } }`;

const CONVERSION = `query DashboardConversion($filter: ConversionFilter) {
  referralConversion(filter: $filter) {
    asOf
    overall { ${FUNNEL_FIELDS} }
    byGeneration { generation funnel { ${FUNNEL_FIELDS} } }
  }
}`;

interface Campaign {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string | null;
}

interface Conversion {
  referralConversion: {
    asOf: string;
    overall: ConversionFunnel;
    byGeneration: Array<{ generation: number; funnel: ConversionFunnel }>;
  };
}

function funnelOption(funnel: ConversionFunnel): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 90, right: 24, top: 16, bottom: 24 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', inverse: true, data: FUNNEL_STEPS.map((step) => step.label) },
    series: [
      {
        type: 'bar',
        name: 'Referrals',
        data: FUNNEL_STEPS.map((step) => funnel[step.key].count),
        label: { show: true, position: 'right' },
        itemStyle: { color: '#2f6f4f' },
      },
    ],
  };
}

function generationOption(generations: Conversion['referralConversion']['byGeneration']): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: ['K-factor', 'Invite → purchase'] },
    grid: { left: 48, right: 48, top: 36, bottom: 28 },
    xAxis: { type: 'category', name: 'gen.', data: generations.map((g) => String(g.generation)) },
    yAxis: [{ type: 'value', name: 'K' }, { type: 'value', name: 'rate', max: 1 }],
    series: [
      { type: 'bar', name: 'K-factor', data: generations.map((g) => Number(g.funnel.kFactor.toFixed(3))), itemStyle: { color: '#7a4fa0' } },
      { type: 'line', name: 'Invite → purchase', yAxisIndex: 1, data: generations.map((g) => Number(g.funnel.converted.rate.toFixed(3))) },
    ],
  };
}

function FunnelTable({ funnel, caption }: { funnel: ConversionFunnel; caption: string }) {
  return (
    <table className="numbers" data-testid="funnel-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Referrals</th>
          <th scope="col">Share of invites</th>
        </tr>
      </thead>
      <tbody>
        {FUNNEL_STEPS.map((step) => (
          <tr key={step.key} data-step={step.key}>
            <th scope="row">{step.label}</th>
            <td className="count">{integer(funnel[step.key].count)}</td>
            <td>{percent(funnel[step.key].rate)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Headline({ funnel }: { funnel: ConversionFunnel }) {
  return (
    <dl className="headline" data-testid="headline">
      <div>
        <dt>K-factor</dt>
        <dd data-metric="kFactor">{decimal(funnel.kFactor)}</dd>
      </div>
      <div>
        <dt>Referrers</dt>
        <dd data-metric="referrers">{integer(funnel.referrers)}</dd>
      </div>
      <div>
        <dt>Invites per referrer</dt>
        <dd data-metric="invitesPerReferrer">{decimal(funnel.invitesPerReferrer)}</dd>
      </div>
      <div>
        <dt>Median time to first purchase</dt>
        <dd data-metric="medianHours">{funnel.medianHoursToConversion === null ? '—' : `${decimal(funnel.medianHoursToConversion / 24)} days`}</dd>
      </div>
    </dl>
  );
}

// Referred against organic buyers (a marketer answer: a SERVICE key gets FORBIDDEN, so it is not asked).
export const PURCHASE_BEHAVIOUR = `query DashboardPurchaseBehaviour {
  purchaseBehaviour {
    asOf currency
    referred { buyers repeatPurchaseRate crossSellRate upsellRate revenuePerBuyer }
    organic { buyers repeatPurchaseRate crossSellRate upsellRate revenuePerBuyer }
  }
}`;

interface Rates {
  buyers: number;
  repeatPurchaseRate: number;
  crossSellRate: number;
  upsellRate: number;
  revenuePerBuyer: number;
}

/** Do referred customers buy again more often than organic ones? The programme's quality, not only its volume. */
function PurchaseBehaviourSection() {
  const behaviour = useQuery<{ purchaseBehaviour: { asOf: string; currency: string; referred: Rates; organic: Rates } }>(PURCHASE_BEHAVIOUR, {});
  const data = behaviour.data?.purchaseBehaviour;
  const rows: Array<{ key: 'referred' | 'organic'; label: string }> = [
    { key: 'referred', label: 'Referred' },
    { key: 'organic', label: 'Organic' },
  ];
  return (
    <section className="card" aria-labelledby="behaviour-heading">
      <h2 id="behaviour-heading">Referred vs organic buyers</h2>
      <QueryStatus state={behaviour} what="purchase behaviour" />
      {data && (
        <>
          <table className="numbers" data-testid="behaviour-table">
            <caption>Among buyers, all campaigns, as of {dateTime(data.asOf)}.</caption>
            <thead>
              <tr>
                <th scope="col">Buyers</th>
                <th scope="col">Count</th>
                <th scope="col">Bought again</th>
                <th scope="col">Cross-sell</th>
                <th scope="col">Upsell</th>
                <th scope="col">Revenue per buyer ({data.currency})</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ key, label }) => (
                <tr key={key} data-group={key}>
                  <th scope="row">{label}</th>
                  <td data-metric="buyers">{integer(data[key].buyers)}</td>
                  <td data-metric="repeatPurchaseRate">{percent(data[key].repeatPurchaseRate)}</td>
                  <td>{percent(data[key].crossSellRate)}</td>
                  <td>{percent(data[key].upsellRate)}</td>
                  <td>{decimal(data[key].revenuePerBuyer)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** The funnel of each of the 8 weeks before a date, asked one week at a time (each is its own snapshot). */
function WeeklyTrend({ campaignId }: { campaignId: string | null }) {
  const [until, setUntil] = useState(() => new Date().toISOString().slice(0, 10));
  const [weeks, setWeeks] = useState<Array<{ from: string; funnel: ConversionFunnel }> | null>(null);
  const [state, setState] = useState<{ loading: boolean; error?: ApiError }>({ loading: false });

  async function load() {
    setState({ loading: true });
    setWeeks(null);
    const end = Date.parse(`${until}T00:00:00Z`) + 24 * 3600 * 1000;
    const rows: Array<{ from: string; funnel: ConversionFunnel }> = [];
    try {
      for (let i = 7; i >= 0; i--) {
        const from = new Date(end - (i + 1) * WEEK_MS).toISOString();
        const to = new Date(end - i * WEEK_MS).toISOString();
        const filter = { from, to, ...(campaignId ? { campaignId } : {}) };
        const data = await graphql<Conversion>(CONVERSION, { filter });
        rows.push({ from, funnel: data.referralConversion.overall });
      }
      setWeeks(rows);
      setState({ loading: false });
    } catch (error) {
      setState({ loading: false, error: error instanceof ApiError ? error : new ApiError('other', String(error)) });
    }
  }

  const option = useMemo<ChartOption | null>(
    () =>
      weeks && {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: ['Invites', 'Sign-ups', 'Purchases'] },
        grid: { left: 48, right: 16, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: weeks.map((w) => w.from.slice(5, 10)) },
        yAxis: { type: 'value' },
        series: [
          { type: 'line', name: 'Invites', data: weeks.map((w) => w.funnel.invited.count) },
          { type: 'line', name: 'Sign-ups', data: weeks.map((w) => w.funnel.signedUp.count) },
          { type: 'line', name: 'Purchases', data: weeks.map((w) => w.funnel.converted.count) },
        ],
      },
    [weeks],
  );

  return (
    <section aria-labelledby="trend-heading" className="card">
      <h2 id="trend-heading">Weekly trend</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void load();
        }}
      >
        <label>
          8 weeks up to <input type="date" value={until} onChange={(event) => setUntil(event.target.value)} required />
        </label>
        <button type="submit" disabled={state.loading}>
          Show trend
        </button>
      </form>
      <p className="muted">By invite date; each week is one filtered funnel, computed on first request.</p>
      {state.loading && <Loading what="weekly funnels" />}
      {state.error && <ErrorMessage error={state.error} onRetry={() => void load()} />}
      {weeks && option && (
        <>
          <Chart option={option} label="Invites, sign-ups and purchases per week" />
          <table className="numbers" data-testid="trend-table">
            <thead>
              <tr>
                <th scope="col">Week from</th>
                <th scope="col">Invites</th>
                <th scope="col">Sign-ups</th>
                <th scope="col">Purchases</th>
                <th scope="col">K-factor</th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week.from}>
                  <th scope="row">{week.from.slice(0, 10)}</th>
                  <td>{integer(week.funnel.invited.count)}</td>
                  <td>{integer(week.funnel.signedUp.count)}</td>
                  <td>{integer(week.funnel.converted.count)}</td>
                  <td>{decimal(week.funnel.kFactor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The campaigns side by side, asked one at a time so that they never queue behind each other at the API. */
const COMPARED_AT_ONCE = 10;

function CampaignComparison({ campaigns: all }: { campaigns: Campaign[] }) {
  // Each campaign's funnel is computed by the API on its first request: compare the latest few, more on demand.
  const [shown, setShown] = useState(COMPARED_AT_ONCE);
  const campaigns = useMemo(() => all.slice(0, shown), [all, shown]);
  const [rows, setRows] = useState<Map<string, ConversionFunnel | ApiError>>(new Map());
  const [loading, setLoading] = useState(false);
  async function load() {
    setLoading(true);
    const next = new Map(rows);
    for (const campaign of campaigns) {
      if (next.has(campaign.id) && !(next.get(campaign.id) instanceof ApiError)) continue;
      try {
        const data = await graphql<Conversion>(CONVERSION, { filter: { campaignId: campaign.id } });
        next.set(campaign.id, data.referralConversion.overall);
      } catch (error) {
        next.set(campaign.id, error instanceof ApiError ? error : new ApiError('other', String(error)));
      }
      setRows(new Map(next));
    }
    setLoading(false);
  }
  useEffect(() => {
    if (campaigns.length > 0) void load();
  }, [campaigns]); // load once per campaign list
  return (
    <section aria-labelledby="campaigns-heading" className="card">
      <h2 id="campaigns-heading">Campaigns</h2>
      {campaigns.length === 0 && <p>No campaigns yet.</p>}
      {loading && <Loading what="campaign funnels" />}
      {campaigns.length > 0 && (
        <div className="table-scroll">
          <table className="numbers" data-testid="campaign-table">
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Invited</th>
                <th scope="col">Clicked</th>
                <th scope="col">Signed up</th>
                <th scope="col">Bought</th>
                <th scope="col">Bought again</th>
                <th scope="col">K-factor</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((campaign) => {
                const row = rows.get(campaign.id);
                return (
                  <tr key={campaign.id} data-campaign={campaign.id}>
                    <th scope="row">
                      <a href={`#/overview?campaign=${encodeURIComponent(campaign.id)}`}>{campaign.name}</a>
                    </th>
                    {row === undefined ? (
                      <td colSpan={6} className="muted">
                        …
                      </td>
                    ) : row instanceof ApiError ? (
                      <td colSpan={6} className="row-error" data-error-kind={row.kind}>
                        {row.message}
                      </td>
                    ) : (
                      <>
                        {FUNNEL_STEPS.map((step) => (
                          <td key={step.key} data-step={step.key}>
                            {integer(row[step.key].count)}
                          </td>
                        ))}
                        <td data-metric="kFactor">{decimal(row.kFactor)}</td>
                      </>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {all.length > shown && (
        <button type="button" onClick={() => setShown((n) => n + COMPARED_AT_ONCE)} disabled={loading}>
          Compare {Math.min(COMPARED_AT_ONCE, all.length - shown)} more of {all.length - shown} older campaigns
        </button>
      )}
    </section>
  );
}

function OverviewPage({ route, role }: PageProps) {
  const campaignId = route.query.get('campaign');
  const campaigns = useQuery<{ campaigns: Campaign[] }>(CAMPAIGNS, {});
  const filter = campaignId ? { campaignId } : null;
  const conversion = useQuery<Conversion>(CONVERSION, { filter });
  const data = conversion.data?.referralConversion;
  const funnelChart = useMemo(() => (data ? funnelOption(data.overall) : null), [data]);
  const generationChart = useMemo(() => (data ? generationOption(data.byGeneration) : null), [data]);
  const campaignName = campaigns.data?.campaigns.find((c) => c.id === campaignId)?.name ?? campaignId;

  return (
    <>
      <div className="scope">
        <label htmlFor="campaign-select">Campaign</label>{' '}
        <select
          id="campaign-select"
          value={campaignId ?? ''}
          onChange={(event) => {
            window.location.hash = event.target.value ? `#/overview?campaign=${encodeURIComponent(event.target.value)}` : '#/overview';
          }}
        >
          <option value="">All campaigns</option>
          <CampaignOptions campaigns={campaigns.data?.campaigns} />
        </select>
        {data && <span className="muted as-of">Figures as of {dateTime(data.asOf)}</span>}
      </div>
      {conversion.loading && !data && <Loading what="the referral funnel" />}
      {conversion.error && <ErrorMessage error={conversion.error} onRetry={conversion.reload} />}
      {data && funnelChart && generationChart && (
        <div className="grid">
          <section aria-labelledby="funnel-heading" className="card">
            <h2 id="funnel-heading">Funnel{campaignId ? `: ${campaignName}` : ''}</h2>
            <Headline funnel={data.overall} />
            <Chart option={funnelChart} label="Referral funnel: invited, clicked, signed up, bought, bought again" />
            <FunnelTable funnel={data.overall} caption="Referrals at each step" />
          </section>
          <section aria-labelledby="generation-heading" className="card">
            <h2 id="generation-heading">K-factor per generation</h2>
            {data.byGeneration.length === 0 ? (
              <p>No referrals yet.</p>
            ) : (
              <>
                <Chart option={generationChart} label="K-factor and invite-to-purchase rate per generation" />
                <table className="numbers" data-testid="generation-table">
                  <thead>
                    <tr>
                      <th scope="col">Generation</th>
                      <th scope="col">Invites</th>
                      <th scope="col">Bought</th>
                      <th scope="col">K-factor</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.byGeneration.map((g) => (
                      <tr key={g.generation} data-generation={g.generation}>
                        <th scope="row">{g.generation}</th>
                        <td>{integer(g.funnel.invited.count)}</td>
                        <td>{integer(g.funnel.converted.count)}</td>
                        <td data-metric="kFactor">{decimal(g.funnel.kFactor)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </section>
        </div>
      )}
      {role !== 'SERVICE' && <PurchaseBehaviourSection />}
      {campaigns.error && <ErrorMessage error={campaigns.error} onRetry={campaigns.reload} />}
      {campaigns.data && !campaignId && <CampaignComparison campaigns={campaigns.data.campaigns} />}
      <WeeklyTrend key={campaignId ?? ''} campaignId={campaignId} />
    </>
  );
}

export const overviewPage: PageDefinition = { path: 'overview', title: 'Programme overview', roles: ALL_ROLES, Component: OverviewPage };
