import { BATCH, CAMPAIGN, iso, key, ok } from '../../support/builders';
import type { TestApi } from '../../support/services';

// What the launch tests share: a launch campaign, customers, and the documents they send.

export const ADMIT_MEMBERS = `
  mutation($input: AdmitMembersInput!) {
    admitMembers(input: $input) { admittedCustomerIds campaign { id inviteQuota } }
  }
`;
export const ADMIT_WAVE = `
  mutation($input: AdmitWaveInput!) {
    admitWave(input: $input) { admittedCustomerIds wave { number size at campaign { id } } }
  }
`;
export const JOIN = `
  mutation($input: JoinWaitlistInput!) {
    joinWaitlist(input: $input) { status position waiting }
  }
`;
export const POSITION = `
  query($customerId: ID!, $campaignId: ID!) {
    waitlistPosition(customerId: $customerId, campaignId: $campaignId) {
      status position waiting creditedReferrals nextWaveSize referralsToNextWave admittedInWave invitationsLeft
      customer { id }
    }
  }
`;
export const INVITE_ONLY = `
  mutation($input: RecordInviteInput!) {
    recordInvite(input: $input) { status invitee { id } }
  }
`;

export interface LaunchSettings {
  inviteQuota?: number | null;
  waitlist?: boolean;
  moveUpPerReferral?: number;
  earnedInvitesPerConvertedInvitee?: number;
  waveSize?: number | null;
}

/** A running launch campaign `${prefix}-camp` and customers `${prefix}-${name}` (one batch); returns the id maker. */
export async function givenLaunch(api: TestApi, prefix: string, names: string[], settings: LaunchSettings) {
  const id = (name: string) => `${prefix}-${name}`;
  await ok(api, CAMPAIGN, {
    input: { id: id('camp'), name: 'Launch', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00.000Z', attributionWindowDays: 30, ...settings },
  });
  for (let start = 0; start < names.length; start += 500) {
    const events = names.slice(start, start + 500).map((name) => ({ upsertCustomer: { id: id(name), name } }));
    await ok(api, BATCH, { events });
  }
  return id;
}

export const inviteInput = (referrerId: string, campaignId: string, inviteeId: string, day = 2) => ({
  referrerId, campaignId, invitee: { id: inviteeId }, channel: 'email', at: iso(day), idempotencyKey: key('invite'),
});

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);
