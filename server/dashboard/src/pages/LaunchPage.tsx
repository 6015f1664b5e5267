import { useState } from 'react';
import { ALL_ROLES } from '../app/roles';
import { useQuery } from '../app/useQuery';
import { CustomerIdForm } from '../components/CustomerIdForm';
import { dateTime, decimal, integer, percent } from '../components/format';
import { QueryStatus } from '../components/Status';
import type { PageDefinition, PageProps } from './page';

// Invite-only launches: each campaign with an invite quota or a waitlist, its waves (`launchReport`), and where one
// customer stands on its waitlist (`waitlistPosition`).

const CAMPAIGNS = `query DashboardLaunchCampaigns { campaigns(first: 100) { id name inviteQuota waitlist waveSize moveUpPerReferral } }`;
export const LAUNCH_REPORT = `query DashboardLaunchReport($id: ID!) {
  launchReport(campaignId: $id) {
    waiting
    overall { ${'members invitesGranted invitesSpent acceptedInvites acceptanceRate kFactor neverInvitedShare depth'} }
    waves { wave admittedAt admitted members invitesGranted invitesSpent acceptedInvites acceptanceRate medianHoursToAcceptance kFactor neverInvitedShare depth }
  }
}`;
const POSITION = `query DashboardWaitlistPosition($customerId: ID!, $campaignId: ID!) {
  waitlistPosition(customerId: $customerId, campaignId: $campaignId) {
    status position waiting creditedReferrals nextWaveSize referralsToNextWave admittedInWave invitationsLeft
  }
}`;

interface Campaign {
  id: string;
  name: string;
  inviteQuota: number | null;
  waitlist: boolean;
  waveSize: number | null;
  moveUpPerReferral: number;
}
interface Cohort {
  wave: number | null;
  admittedAt: string | null;
  admitted: number;
  members: number;
  invitesGranted: number | null;
  invitesSpent: number;
  acceptedInvites: number;
  acceptanceRate: number | null;
  medianHoursToAcceptance: number | null;
  kFactor: number | null;
  neverInvitedShare: number | null;
  depth: number;
}
interface Position {
  status: string;
  position: number | null;
  waiting: number;
  creditedReferrals: number;
  nextWaveSize: number | null;
  referralsToNextWave: number | null;
  admittedInWave: number | null;
  invitationsLeft: number | null;
}

const orDash = (value: number | null, format: (n: number) => string) => (value === null ? '—' : format(value));

function Waves({ campaign }: { campaign: Campaign }) {
  const report = useQuery<{ launchReport: { waiting: number; overall: Cohort; waves: Cohort[] } }>(LAUNCH_REPORT, { id: campaign.id });
  const data = report.data?.launchReport;
  return (
    <section className="card wide" aria-labelledby="waves-heading">
      <h2 id="waves-heading">Waves of {campaign.name}</h2>
      <QueryStatus state={report} what="the launch report" />
      {data && (
        <>
          <dl className="headline" data-testid="launch-headline">
            <div>
              <dt>Members</dt>
              <dd data-metric="members">{integer(data.overall.members)}</dd>
            </div>
            <div>
              <dt>Waiting</dt>
              <dd data-metric="waiting">{integer(data.waiting)}</dd>
            </div>
            <div>
              <dt>Invites spent</dt>
              <dd data-metric="invitesSpent">{integer(data.overall.invitesSpent)}</dd>
            </div>
            <div>
              <dt>K-factor</dt>
              <dd data-metric="kFactor">{orDash(data.overall.kFactor, decimal)}</dd>
            </div>
          </dl>
          <div className="table-scroll">
            <table className="numbers" data-testid="waves-table">
              <thead>
                <tr>
                  <th scope="col">Wave</th>
                  <th scope="col">Admitted</th>
                  <th scope="col">Members now</th>
                  <th scope="col">Invitations</th>
                  <th scope="col">Spent</th>
                  <th scope="col">Accepted</th>
                  <th scope="col">Acceptance</th>
                  <th scope="col">Median h to accept</th>
                  <th scope="col">K-factor</th>
                  <th scope="col">Never invited</th>
                  <th scope="col">Depth</th>
                </tr>
              </thead>
              <tbody>
                {data.waves.map((wave) => (
                  <tr key={wave.wave ?? 'x'} data-wave={wave.wave ?? ''}>
                    <th scope="row">
                      {wave.wave === 0 ? 'founders' : wave.wave} {wave.admittedAt && <span className="muted">{dateTime(wave.admittedAt)}</span>}
                    </th>
                    <td data-metric="admitted">{integer(wave.admitted)}</td>
                    <td data-metric="members">{integer(wave.members)}</td>
                    <td>{orDash(wave.invitesGranted, integer)}</td>
                    <td data-metric="invitesSpent">{integer(wave.invitesSpent)}</td>
                    <td data-metric="acceptedInvites">{integer(wave.acceptedInvites)}</td>
                    <td>{orDash(wave.acceptanceRate, percent)}</td>
                    <td>{orDash(wave.medianHoursToAcceptance, decimal)}</td>
                    <td data-metric="kFactor">{orDash(wave.kFactor, decimal)}</td>
                    <td>{orDash(wave.neverInvitedShare, percent)}</td>
                    <td>{integer(wave.depth)}</td>
                  </tr>
                ))}
                {data.waves.length === 0 && (
                  <tr>
                    <td colSpan={11}>Nobody admitted yet.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function WaitlistLookup({ campaign }: { campaign: Campaign }) {
  const [customerId, setCustomerId] = useState<string | null>(null);
  const position = useQuery<{ waitlistPosition: Position }>(POSITION, { customerId, campaignId: campaign.id }, { skip: !customerId });
  const data = position.data?.waitlistPosition;
  return (
    <section className="card" aria-labelledby="position-heading">
      <h2 id="position-heading">Where does a customer stand?</h2>
      <CustomerIdForm label="Customer id" onSubmit={setCustomerId} buttonLabel="Look up" />
      <QueryStatus state={position} what="the waitlist position" />
      {data && customerId && (
        <dl className="facts" data-testid="waitlist-position">
          <dt>Status</dt>
          <dd data-field="status">{data.status.toLowerCase().replaceAll('_', ' ')}</dd>
          <dt>Place</dt>
          <dd data-field="position">{data.position === null ? '—' : `${integer(data.position)} of ${integer(data.waiting)}`}</dd>
          <dt>Credited referrals</dt>
          <dd data-field="creditedReferrals">{integer(data.creditedReferrals)}</dd>
          <dt>Referrals to reach the next wave</dt>
          <dd data-field="referralsToNextWave">{orDash(data.referralsToNextWave, integer)}</dd>
          <dt>Admitted in wave</dt>
          <dd>{orDash(data.admittedInWave, integer)}</dd>
          <dt>Invitations left</dt>
          <dd>{orDash(data.invitationsLeft, integer)}</dd>
        </dl>
      )}
    </section>
  );
}

function LaunchPage({ route }: PageProps) {
  const campaigns = useQuery<{ campaigns: Campaign[] }>(CAMPAIGNS, {});
  const launches = campaigns.data?.campaigns.filter((c) => c.inviteQuota !== null || c.waitlist) ?? [];
  const chosen = launches.find((c) => c.id === route.query.get('campaign')) ?? launches[0];
  return (
    <>
      <QueryStatus state={campaigns} what="campaigns" />
      {campaigns.data && launches.length === 0 && <p>No campaign is invite-only or has a waitlist.</p>}
      {chosen && (
        <>
          <div className="scope">
            <label htmlFor="launch-campaign">Launch campaign</label>
            <select id="launch-campaign" value={chosen.id} onChange={(event) => (window.location.hash = `#/launch?campaign=${encodeURIComponent(event.target.value)}`)}>
              {launches.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <span className="muted">
              {chosen.inviteQuota !== null ? `${chosen.inviteQuota} invitations each` : 'no quota'} · {chosen.waitlist ? `waitlist, ${chosen.moveUpPerReferral} places up per referral` : 'no waitlist'}
            </span>
          </div>
          <div className="grid">
            <Waves key={chosen.id} campaign={chosen} />
            {chosen.waitlist && <WaitlistLookup key={`w-${chosen.id}`} campaign={chosen} />}
          </div>
        </>
      )}
    </>
  );
}

export const launchPage: PageDefinition = { path: 'launch', title: 'Launch', roles: ALL_ROLES, Component: LaunchPage };
