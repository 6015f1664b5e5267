import { useEffect, useState } from 'react';
import { ALL_ROLES } from '../app/roles';
import { liveClient } from '../app/subscriptions';
import { useQuery } from '../app/useQuery';
import { CustomerIdForm } from '../components/CustomerIdForm';
import { CustomerLink } from '../components/CustomerLink';
import { dateTime } from '../components/format';
import { QueryStatus } from '../components/Status';
import type { PageDefinition, PageProps } from './page';
import { CampaignOptions } from '../components/CampaignOptions';

// The activity feed: GraphQL subscriptions over graphql-ws (same host, path /graphql, the key in connectionParams),
// for a campaign (`referralActivity`) or a referral tree (`chainActivity`); community and admin keys also watch the
// review queue (`reviewQueueChanged`). Events arrive as the writes commit; nothing reloads the page.

// `customer` is read now with the caller's role (never the email for a marketer): it gives the name to show.
const EVENT_FIELDS = 'id type at sequence rootCustomerId customerId referrerId inviteeId campaignId productId rewardId generation customer { id name }';
const BY_CAMPAIGN = `subscription DashboardReferralActivity($id: ID!) { event: referralActivity(campaignId: $id) { ${EVENT_FIELDS} } }`;
const BY_CHAIN = `subscription DashboardChainActivity($id: ID!) { event: chainActivity(rootCustomerId: $id) { ${EVENT_FIELDS} } }`;
const REVIEW_QUEUE = `subscription DashboardReviewQueueChanged { event: reviewQueueChanged { ${EVENT_FIELDS} } }`;
const CAMPAIGNS = `query DashboardLiveCampaigns { campaigns(first: 100) { id name } }`;

interface LiveEvent {
  id: string;
  type: string;
  at: string;
  sequence: number;
  rootCustomerId: string;
  customerId: string | null;
  referrerId: string | null;
  inviteeId: string | null;
  campaignId: string | null;
  productId: string | null;
  rewardId: string | null;
  generation: number | null;
  customer: { id: string; name: string | null } | null;
}

const FEED_LIMIT = 200;

function describe(event: LiveEvent) {
  const customer = event.customerId ? <CustomerLink customer={event.customer ?? { id: event.customerId }} /> : null;
  const referrer = event.referrerId ? <CustomerLink customer={{ id: event.referrerId }} /> : null;
  switch (event.type) {
    case 'CUSTOMER_SIGNED_UP':
      return <>{customer} signed up{referrer && <> (referred by {referrer})</>}</>;
    case 'REFERRAL_CREDITED':
      return <>{referrer} was credited with {customer}</>;
    case 'REFERRAL_CONVERTED':
      return <>{customer}, referred by {referrer}, made a first purchase</>;
    case 'REFERRAL_HELD':
      return <>the referral of {customer} by {referrer} was held for review</>;
    case 'REWARD_CHANGED':
      return <>reward {event.rewardId} of {customer} changed</>;
    case 'REVIEW_POSTED':
      return <>{customer} reviewed {event.productId}</>;
    case 'CHAIN_GREW':
      return <>the tree of <CustomerLink customer={{ id: event.rootCustomerId }} /> reached generation {event.generation}{customer && <> with {customer}</>}</>;
    default:
      return <>{event.type.toLowerCase()} {customer}</>;
  }
}

type Watch = { kind: 'campaign' | 'chain'; id: string } | null;

function Feed({ watch, reviewQueue }: { watch: Watch; reviewQueue: boolean }) {
  const [events, setEvents] = useState<Array<LiveEvent & { feed: string }>>([]);
  const [connection, setConnection] = useState<{ state: string; detail?: string }>({ state: 'connecting' });
  const [subscriptionError, setSubscriptionError] = useState<string | null>(null);
  useEffect(() => {
    setEvents([]);
    setSubscriptionError(null);
    const client = liveClient((state, detail) => setConnection({ state, detail }));
    const unsubscribes: Array<() => void> = [];
    const listen = (feed: string, query: string, variables: Record<string, unknown>) =>
      unsubscribes.push(
        client.subscribe<{ event: LiveEvent }>(
          { query, variables },
          {
            next: ({ data, errors }) => {
              if (errors?.length) setSubscriptionError(errors[0].message);
              if (data?.event) setEvents((previous) => [{ ...data.event, feed }, ...previous].slice(0, FEED_LIMIT));
            },
            error: (error) => setSubscriptionError(Array.isArray(error) ? String((error as Array<{ message: string }>)[0]?.message) : error instanceof Error ? error.message : 'The subscription stopped.'),
            complete: () => {},
          },
        ),
      );
    if (watch?.kind === 'campaign') listen('campaign', BY_CAMPAIGN, { id: watch.id });
    if (watch?.kind === 'chain') listen('tree', BY_CHAIN, { id: watch.id });
    if (reviewQueue) listen('review queue', REVIEW_QUEUE, {});
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
      void client.dispose();
    };
  }, [watch?.kind, watch?.id, reviewQueue]);

  return (
    <section className="card wide" aria-labelledby="feed-heading">
      <h2 id="feed-heading">Activity</h2>
      <p className="muted" role="status" data-testid="live-connection" data-state={connection.state}>
        {connection.state === 'connected' ? 'Live: events appear here as they happen.' : connection.state === 'connecting' ? 'Connecting…' : `Disconnected${connection.detail ? `: ${connection.detail}` : ''}.`}
      </p>
      {subscriptionError && (
        <div className="error" role="alert">
          <strong>Subscription failed.</strong> {subscriptionError}
        </div>
      )}
      <ol className="feed" data-testid="feed" aria-live="polite">
        {events.map((event) => (
          <li key={`${event.feed}:${event.id}`} data-type={event.type} data-customer={event.customerId ?? undefined}>
            <span className="tag">{event.type.replaceAll('_', ' ').toLowerCase()}</span> {describe(event)}{' '}
            <span className="muted">
              · {dateTime(event.at)} · {event.feed}
            </span>
          </li>
        ))}
        {events.length === 0 && <li className="muted">Nothing yet.</li>}
      </ol>
    </section>
  );
}

function LivePage({ route, role }: PageProps) {
  const campaigns = useQuery<{ campaigns: Array<{ id: string; name: string }> }>(CAMPAIGNS, {});
  const campaignId = route.query.get('campaign');
  const rootId = route.query.get('root');
  const watch: Watch = rootId ? { kind: 'chain', id: rootId } : campaignId ? { kind: 'campaign', id: campaignId } : null;
  const reviewQueue = role === 'COMMUNITY' || role === 'ADMIN';
  return (
    <>
      <div className="scope">
        <label htmlFor="live-campaign">Campaign</label>
        <select
          id="live-campaign"
          data-testid="live-campaign"
          value={campaignId ?? ''}
          onChange={(event) => {
            window.location.hash = event.target.value ? `#/live?campaign=${encodeURIComponent(event.target.value)}` : '#/live';
          }}
        >
          <option value="">{rootId ? '(watching a tree)' : 'None'}</option>
          <CampaignOptions campaigns={campaigns.data?.campaigns} />
          {/* A campaign named in the link but beyond the first 100 listed. */}
          {campaignId && campaigns.data && !campaigns.data.campaigns.some((campaign) => campaign.id === campaignId) && <option value={campaignId}>{campaignId}</option>}
        </select>
        <span className="muted">or the tree of one root advocate:</span>
        <CustomerIdForm label="Root customer id" initial={rootId ?? ''} onSubmit={(id) => (window.location.hash = `#/live?root=${encodeURIComponent(id)}`)} />
      </div>
      <QueryStatus state={campaigns} what="campaigns" />
      {!watch && !reviewQueue && <p>Pick a campaign or a root advocate to watch.</p>}
      {(watch || reviewQueue) && <Feed watch={watch} reviewQueue={reviewQueue} />}
    </>
  );
}

export const livePage: PageDefinition = { path: 'live', title: 'Live', roles: ALL_ROLES, Component: LivePage };
