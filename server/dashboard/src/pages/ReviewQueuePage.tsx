import { useMemo, useState } from 'react';
import { ApiError, graphql } from '../app/api';
import { newIdempotencyKey } from '../app/idempotencyKey';
import { useQuery } from '../app/useQuery';
import { CustomerLink, type CustomerRef } from '../components/CustomerLink';
import { dateTime, decimal, percent } from '../components/format';
import { NetworkDrawing, type NetworkEdge, type NetworkNode } from '../components/NetworkDrawing';
import { ErrorMessage, QueryStatus } from '../components/Status';
import type { PageDefinition } from './page';

// What waits for a person: referrals held at the write (shared identifier, velocity) and pending rewards, each with
// its evidence and decision buttons; and the suspected rings (`fraudRings` snapshot) drawn with the identifiers and
// referrals that join their members. Every decision sends a fresh idempotency key.

export const REVIEW_QUEUE = `query DashboardReviewQueue {
  reviewQueue {
    heldReferrals {
      reason heldAt
      referral { referrer { id name } invitee { id name } campaign { id name } signedUpAt firstPurchaseAt }
      evidence { sharedIdentifiers { kind hashPrefix } referrerSignupsLastHour refunded }
    }
    pendingRewards {
      reward { id side customer { id name } campaignId amount currency points orderId holdUntil manualApproval }
      evidence { sharedIdentifiers { kind hashPrefix } referrerSignupsLastHour refunded }
    }
  }
}`;
export const FRAUD_RINGS = `query DashboardFraudRings {
  fraudRings(minSize: 3, limit: 10) {
    asOf
    rings { id size score sharedIdentifierShare referralDensity refundRate members { id name } links { identifier { kind hashPrefix } customerIds } referrals { referrerId inviteeId status } }
  }
}`;

const DECISIONS = {
  approveReferral: `mutation DashboardApproveReferral($input: ApproveReferralInput!) { approveReferral(input: $input) { status } }`,
  rejectReferral: `mutation DashboardRejectReferral($input: RejectReferralInput!) { rejectReferral(input: $input) { status } }`,
  approveReward: `mutation DashboardApproveReward($input: RewardDecisionInput!) { approveReward(input: $input) { status } }`,
  revokeReward: `mutation DashboardRevokeReward($input: RewardDecisionInput!) { revokeReward(input: $input) { status } }`,
} as const;
type Decision = keyof typeof DECISIONS;

interface Evidence {
  sharedIdentifiers: Array<{ kind: string; hashPrefix: string }>;
  referrerSignupsLastHour: number | null;
  refunded: boolean;
}
interface Queue {
  reviewQueue: {
    heldReferrals: Array<{
      reason: string;
      heldAt: string;
      referral: { referrer: CustomerRef; invitee: CustomerRef; campaign: { id: string; name: string } | null; signedUpAt: string | null; firstPurchaseAt: string | null };
      evidence: Evidence;
    }>;
    pendingRewards: Array<{
      reward: { id: string; side: string; customer: CustomerRef; campaignId: string; amount: number | null; currency: string | null; points: number | null; orderId: string | null; holdUntil: string; manualApproval: boolean };
      evidence: Evidence;
    }>;
  };
}
interface Ring {
  id: string;
  size: number;
  score: number;
  sharedIdentifierShare: number;
  referralDensity: number;
  refundRate: number;
  members: CustomerRef[];
  links: Array<{ identifier: { kind: string; hashPrefix: string }; customerIds: string[] }>;
  referrals: Array<{ referrerId: string; inviteeId: string; status: string }>;
}

function EvidenceList({ evidence }: { evidence: Evidence }) {
  return (
    <ul className="plain-list" data-testid="evidence">
      {evidence.sharedIdentifiers.map((id) => (
        <li key={`${id.kind}:${id.hashPrefix}`}>
          shares {id.kind.toLowerCase()} <code className="hash">{id.hashPrefix}…</code>
        </li>
      ))}
      {evidence.referrerSignupsLastHour !== null && <li>referrer’s credited sign-ups within an hour: {evidence.referrerSignupsLastHour}</li>}
      {evidence.refunded && <li>the converting order was refunded</li>}
      {evidence.sharedIdentifiers.length === 0 && evidence.referrerSignupsLastHour === null && !evidence.refunded && <li className="muted">no evidence recorded</li>}
    </ul>
  );
}

/** Approve / reject buttons of one item; tells the page when a decision went through so it reloads the queue. */
function DecisionButtons({ what, approve, reject, variables, onDecided }: { what: string; approve: Decision; reject: Decision; variables: Record<string, string>; onDecided: () => void }) {
  const [state, setState] = useState<{ busy: boolean; error?: ApiError }>({ busy: false });
  const decide = (decision: Decision) => {
    setState({ busy: true });
    graphql(DECISIONS[decision], { input: { ...variables, idempotencyKey: newIdempotencyKey() } }).then(
      () => {
        setState({ busy: false });
        onDecided();
      },
      (error: unknown) => setState({ busy: false, error: error instanceof ApiError ? error : new ApiError('other', String(error)) }),
    );
  };
  return (
    <div className="actions">
      <button type="button" disabled={state.busy} onClick={() => decide(approve)} aria-label={`Approve ${what}`}>
        Approve
      </button>
      <button type="button" className="danger" disabled={state.busy} onClick={() => decide(reject)} aria-label={`${reject === 'revokeReward' ? 'Revoke' : 'Reject'} ${what}`}>
        {reject === 'revokeReward' ? 'Revoke' : 'Reject'}
      </button>
      {state.error && <ErrorMessage error={state.error} />}
    </div>
  );
}

const who = (customer: CustomerRef) => customer.name ?? customer.id;

function Queue() {
  const queue = useQuery<Queue>(REVIEW_QUEUE, {});
  const data = queue.data?.reviewQueue;
  return (
    <>
      <section className="card wide" aria-labelledby="held-heading">
        <h2 id="held-heading">Held referrals {data && `(${data.heldReferrals.length})`}</h2>
        <QueryStatus state={queue} what="the review queue" />
        {data && (
          <div className="table-scroll">
            <table className="numbers text-table" data-testid="held-table">
              <thead>
                <tr>
                  <th scope="col">Referrer → invitee</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Why held</th>
                  <th scope="col">Evidence</th>
                  <th scope="col">Held</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {data.heldReferrals.map((item) => (
                  <tr key={item.referral.invitee.id} data-invitee={item.referral.invitee.id}>
                    <th scope="row">
                      <CustomerLink customer={item.referral.referrer} /> → <CustomerLink customer={item.referral.invitee} />
                      {item.referral.firstPurchaseAt && <span className="tag">bought since</span>}
                    </th>
                    <td>{item.referral.campaign?.name ?? '—'}</td>
                    <td data-field="reason">{item.reason.replace('_', ' ').toLowerCase()}</td>
                    <td style={{ textAlign: 'left' }}>
                      <EvidenceList evidence={item.evidence} />
                    </td>
                    <td>{dateTime(item.heldAt)}</td>
                    <td>
                      <DecisionButtons
                        what={`the referral of ${who(item.referral.invitee)} by ${who(item.referral.referrer)}`}
                        approve="approveReferral"
                        reject="rejectReferral"
                        variables={{ inviteeId: item.referral.invitee.id }}
                        onDecided={queue.reload}
                      />
                    </td>
                  </tr>
                ))}
                {data.heldReferrals.length === 0 && (
                  <tr>
                    <td colSpan={6}>No referral is held.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card wide" aria-labelledby="rewards-heading">
        <h2 id="rewards-heading">Pending rewards {data && `(${data.pendingRewards.length})`}</h2>
        {data && (
          <div className="table-scroll">
            <table className="numbers text-table" data-testid="rewards-table">
              <thead>
                <tr>
                  <th scope="col">Reward</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Evidence</th>
                  <th scope="col">Held until</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {data.pendingRewards.map(({ reward, evidence }) => (
                  <tr key={reward.id} data-reward={reward.id}>
                    <th scope="row">
                      {reward.side.toLowerCase()}: <CustomerLink customer={reward.customer} />
                      {reward.manualApproval && <span className="tag">manual approval</span>}
                    </th>
                    <td>{reward.points !== null ? `${reward.points} points` : `${decimal(reward.amount ?? 0)} ${reward.currency ?? ''}`}</td>
                    <td>{reward.campaignId}</td>
                    <td style={{ textAlign: 'left' }}>
                      <EvidenceList evidence={evidence} />
                    </td>
                    <td>{dateTime(reward.holdUntil)}</td>
                    <td>
                      <DecisionButtons
                        what={`the ${reward.side.toLowerCase()} reward of ${who(reward.customer)}`}
                        approve="approveReward"
                        reject="revokeReward"
                        variables={{ rewardId: reward.id }}
                        onDecided={queue.reload}
                      />
                    </td>
                  </tr>
                ))}
                {data.pendingRewards.length === 0 && (
                  <tr>
                    <td colSpan={6}>No reward is pending.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function RingPicture({ ring }: { ring: Ring }) {
  const drawing = useMemo(() => {
    const names = new Map(ring.members.map((m) => [m.id, m.name ?? m.id]));
    const nodes: NetworkNode[] = ring.members.map((m) => ({ id: m.id, label: names.get(m.id)!, highlight: true }));
    const edges: NetworkEdge[] = [];
    for (const link of ring.links) {
      const id = `${link.identifier.kind}:${link.identifier.hashPrefix}`;
      nodes.push({ id, label: `${link.identifier.kind.toLowerCase()} ${link.identifier.hashPrefix}`, secondary: true });
      for (const customerId of link.customerIds) edges.push({ source: customerId, target: id });
    }
    for (const referral of ring.referrals) edges.push({ source: referral.referrerId, target: referral.inviteeId, directed: true, label: referral.status.toLowerCase() });
    return { nodes, edges };
  }, [ring]);
  return (
    <article className="card" data-ring={ring.id} aria-labelledby={`ring-${ring.id}`}>
      <h3 id={`ring-${ring.id}`}>
        {ring.size} customers, score {decimal(ring.score)}
      </h3>
      <p className="muted">
        shared identifiers {percent(ring.sharedIdentifierShare)} · referral density {percent(ring.referralDensity)} · refunds {percent(ring.refundRate)}
      </p>
      <NetworkDrawing nodes={drawing.nodes} edges={drawing.edges} height={260} label={`Ring of ${ring.size}: members (red), shared identifiers (diamonds) and referrals (arrows); listed below`} />
      <p>
        Members:{' '}
        {ring.members.map((m, i) => (
          <span key={m.id}>
            {i > 0 && ', '}
            <CustomerLink customer={m} />
          </span>
        ))}
      </p>
    </article>
  );
}

function Rings() {
  const rings = useQuery<{ fraudRings: { asOf: string; rings: Ring[] } }>(FRAUD_RINGS, {});
  const data = rings.data?.fraudRings;
  return (
    <section className="card wide" aria-labelledby="rings-heading">
      <h2 id="rings-heading">Suspected rings</h2>
      <QueryStatus state={rings} what="suspected rings" />
      {data && (
        <>
          <p className="muted" data-testid="rings-summary">
            {data.rings.length} groups joined by shared identifiers and referrals, highest score first, as of {dateTime(data.asOf)}.
          </p>
          <div className="grid">
            {data.rings.map((ring) => (
              <RingPicture key={ring.id} ring={ring} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function ReviewQueuePage() {
  return (
    <div className="grid">
      <Queue />
      <Rings />
    </div>
  );
}

export const reviewQueuePage: PageDefinition = { path: 'review-queue', title: 'Review queue', roles: ['COMMUNITY', 'ADMIN'], Component: ReviewQueuePage };
