import type { GraphQLBody, TestApi } from './services';

/** The first error's code and field, for asserting on failures in one line. */
export const failure = (body: GraphQLBody) => ({
  code: body.errors?.[0]?.extensions?.code,
  field: body.errors?.[0]?.extensions?.field,
  message: body.errors?.[0]?.message ?? '',
});

export const iso = (day: number, hour = 12) => new Date(Date.UTC(2026, 5, day, hour)).toISOString();

// Idempotency keys outlive a test run in a reused database, so each run draws its own.
const RUN = Math.random().toString(36).slice(2, 10);
let counter = 0;
export const key = (prefix: string) => `${prefix}-${RUN}-${++counter}`;

export async function ok(api: TestApi, query: string, variables?: Record<string, unknown>, role: 'service' | 'admin' = 'service') {
  const body = await api.gql(role, query, variables);
  if (body.errors) throw new Error(`unexpected errors: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

export const UPSERT = `
  mutation($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) {
      id name email stage
    }
  }
`;
export const CAMPAIGN = `
  mutation($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      id attributionModel attributionWindowDays
    }
  }
`;
export const ISSUE_CODE = `
  mutation($input: IssueReferralCodeInput!) {
    issueReferralCode(input: $input) {
      code owner {
        id
      }
      campaign {
        id
      }
    }
  }
`;
export const INVITE = `
  mutation($input: RecordInviteInput!) {
    recordInvite(input: $input) {
      status channel invitedAt referrer {
        id
      }
      invitee {
        id stage
      }
      campaign {
        id
      }
    }
  }
`;
export const CLICK = `
  mutation($input: RecordReferralClickInput!) {
    recordReferralClick(input: $input) {
      status clickedAt invitee {
        id stage
      }
    }
  }
`;
export const SIGNUP = `
  mutation($input: RecordSignupInput!) {
    recordSignup(input: $input) {
      customer {
        id stage signedUpAt
      }
      referral {
        status referrer {
          id
        }
        campaign {
          id
        }
      }
    }
  }
`;
export const PURCHASE = `
  mutation($input: RecordPurchaseInput!) {
    recordPurchase(input: $input) {
      orderId amount currency product {
        id
      }
      customer {
        id stage
      }
    }
  }
`;
export const REVIEW = `
  mutation($input: RecordReviewInput!) {
    recordReview(input: $input) {
      rating recommend revisions product {
        id averageRating reviewCount
      }
    }
  }
`;

/** Customers with ids `${prefix}-${name}` and a running campaign `${prefix}-camp`. */
export async function givenCustomers(api: TestApi, prefix: string, names: string[], campaign: { model?: string; windowDays?: number } = {}) {
  for (const name of names) await ok(api, UPSERT, { input: { id: `${prefix}-${name}`, name } });
  await ok(api, CAMPAIGN, {
    input: {
      id: `${prefix}-camp`, name: 'Test campaign', startsAt: iso(1, 0), endsAt: '2099-01-01T00:00:00.000Z',
      attributionModel: campaign.model ?? 'LAST_TOUCH', attributionWindowDays: campaign.windowDays ?? 7,
    },
  });
  return (name: string) => `${prefix}-${name}`;
}

// Documents several test files send as they are.
export const CONNECT = `
  mutation($input: ConnectCustomersInput!) {
    connectCustomers(input: $input) { strength }
  }
`;
export const FOLLOW = `
  mutation($input: FollowInput!) {
    follow(input: $input) {
      follower { id }
    }
  }
`;
export const BATCH = `
  mutation($events: [EventInput!]!) {
    recordEvents(events: $events) { index kind replayed }
  }
`;
export const UPSERT_ID = `
  mutation($input: UpsertCustomerInput!) {
    upsertCustomer(input: $input) { id }
  }
`;
