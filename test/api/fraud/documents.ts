import { iso, ok } from '../../support/builders';
import type { TestApi } from '../../support/services';

// Documents and setup the fraud and rewards tests share.

export const SIGNUP_HELD = `
  mutation($input: RecordSignupInput!) {
    recordSignup(input: $input) {
      referral {
        status holdReason referrer { id }
      }
    }
  }
`;

export const REFERRAL_FIELDS = 'status holdReason signedUpAt firstPurchaseAt referrer { id } invitee { id }';

export const REVIEW_QUEUE = `
  query($filter: ReviewQueueFilter) {
    reviewQueue(filter: $filter) {
      heldReferrals {
        reason heldAt referral { ${REFERRAL_FIELDS} }
        evidence { sharedIdentifiers { kind hashPrefix } referrerSignupsLastHour refunded }
      }
      pendingRewards {
        reward { id side status customer { id } }
        evidence { sharedIdentifiers { kind hashPrefix } refunded }
      }
    }
  }
`;

export const APPROVE_REFERRAL = `
  mutation($input: ApproveReferralInput!) {
    approveReferral(input: $input) { ${REFERRAL_FIELDS} }
  }
`;

export const REJECT_REFERRAL = `
  mutation($input: RejectReferralInput!) {
    rejectReferral(input: $input) { ${REFERRAL_FIELDS} }
  }
`;

export const REWARD_FIELDS = `
  id side status amount currency points orderId convertedAt holdUntil manualApproval referrerId inviteeId campaignId
  customer { id }
  ledger { from to at actor reason }
`;

export const REWARD = `query($id: ID!) { reward(id: $id) { ${REWARD_FIELDS} } }`;

export const APPROVE_REWARD = `mutation($input: RewardDecisionInput!) { approveReward(input: $input) { ${REWARD_FIELDS} } }`;
export const REVOKE_REWARD = `mutation($input: RewardDecisionInput!) { revokeReward(input: $input) { ${REWARD_FIELDS} } }`;
export const MARK_PAID = `mutation($input: RewardDecisionInput!) { markRewardPaid(input: $input) { ${REWARD_FIELDS} } }`;
export const REFUND = `
  mutation($input: RecordRefundInput!) {
    recordRefund(input: $input) { orderId refundedAt revokedRewards { id status } }
  }
`;

export const ISSUE = `
  mutation($input: IssueReferralCodeInput!) {
    issueReferralCode(input: $input) { code }
  }
`;

/** A campaign `${prefix}-camp` open from June 2026, with the given reward terms (none when omitted). */
export async function givenCampaign(api: TestApi, prefix: string, rewards?: Record<string, unknown>) {
  await ok(api, `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`, {
    input: { id: `${prefix}-camp`, name: 'Fraud test', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00.000Z', ...(rewards ? { rewards } : {}) },
  });
  return `${prefix}-camp`;
}

/** Creates the customer (with identifiers) and issues their code in the campaign. */
export async function givenReferrer(api: TestApi, id: string, campaignId: string, identifiers: Array<{ kind: string; value: string }> = []) {
  await ok(api, `mutation($input: UpsertCustomerInput!) { upsertCustomer(input: $input) { id } }`, { input: { id, identifiers } });
  const data = await ok(api, ISSUE, { input: { customerId: id, campaignId, idempotencyKey: `${id}-code` } });
  return data.issueReferralCode.code as string;
}
