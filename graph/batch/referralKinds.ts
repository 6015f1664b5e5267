import type { HoldReason, IssueReferralCodeInput, RecordInviteInput, RecordReferralClickInput, RecordSignupInput } from '../../schema/generated/types';
import { ATTRIBUTION_CANDIDATES, Candidate, pickAttribution } from '../attribution';
import { CAMPAIGN_PROJECTION, isLaunchCampaign } from '../campaigns';
import { EXISTING_IDS, ON_CREATE_CUSTOMER } from '../customers';
import { CREDITED_NEARBY, NearbyCredit, nearbyRows } from '../fraudRules';
import { HashedIdentifier, identifierLinks, IDENTIFIERS_OF, LINK_IDENTIFIERS } from '../identifiers';
import { checkTouch, EMAIL_OWNER, parseClick, parseInvite, RECORD_TOUCH, TouchRequest } from '../invites';
import { WRITE_LOCK } from '../locks';
import { CampaignRecord } from '../model';
import { cypher } from '../neo4j';
import { signupEvents } from '../outbox';
import { checkIssueState, codeRecord, ISSUE_CODE, parseIssueCode } from '../referralCodes';
import { sourceFrom } from '../referrals';
import { checkCode, checkSignupState, Credit, CREDIT_REFERRAL, creditByCode, parseSignup, SIGN_UP, SIGNUP_STATE, SignupRequest } from '../signup';
import { part, Step, step } from './combined';
import { byIndex, bulkKind, Planned } from './kind';
import { LaunchCampaignInBatch } from './oneByOne';
import { PlanFacts } from './plan';

type CreditDecision = Credit & { holdReason: HoldReason | null; velocityCount: number | null };

// Invites, clicks, sign-ups and codes in bulk: the same checks and statements as the single writers.

type SourceState = { campaign: CampaignRecord | null; referrerExists: boolean };

/** The referrer an invite, click or code sign-up names, when it can be told before its rules run. */
const referrerOf = (request: TouchRequest['source'], facts: PlanFacts) =>
  'code' in request ? facts.codes.get(request.code)?.ownerId : request.referrerId;

// CAMPAIGN_AND_REFERRER of the single writers, for a whole step: each campaign read once, however many rows name it
// (a batch's invites mostly share one campaign), and which referrers exist.
const CAMPAIGNS = cypher<{ campaign: CampaignRecord }>(
  'batch.campaigns',
  `UNWIND $ids AS id
   MATCH (campaign:Campaign {id: id})
   RETURN campaign ${CAMPAIGN_PROJECTION} AS campaign`,
);

/** For each row naming a campaign and a referrer, what CAMPAIGN_AND_REFERRER would answer. */
function sourcesOf(rows: ReadonlyArray<{ index: number; campaignId: string; referrerId: string }>): Step<Map<number, SourceState>> {
  return step(
    {
      campaigns: part(CAMPAIGNS, { ids: [...new Set(rows.map((row) => row.campaignId))] }, ['campaign']),
      referrers: part(EXISTING_IDS, { ids: [...new Set(rows.map((row) => row.referrerId))] }, ['ids']),
    },
    ({ campaigns, referrers }) => {
      const byId = new Map(campaigns.map(({ campaign }) => [campaign.id, campaign]));
      const existing = new Set(referrers[0]?.ids ?? []);
      return new Map(rows.map((row) => [row.index, { campaign: byId.get(row.campaignId) ?? null, referrerExists: existing.has(row.referrerId) }]));
    },
  );
}

function touches(parse: (input: never, now: number) => TouchRequest) {
  return bulkKind({
    parse,
    needs: (request: TouchRequest) => ({ codes: 'code' in request.source ? [request.source.code] : [], customers: [request.invitee.id] }),
    access: (request, facts) => {
      const referrer = referrerOf(request.source, facts);
      const { invitee } = request;
      const emails = facts.emailChange(invitee.id, invitee.email, true);
      if (invitee.email === null) facts.created(invitee.id);
      return { reads: referrer === undefined ? [] : [`c:${referrer}`], writes: [`c:${invitee.id}`, ...emails] };
    },
    read: (rows: Planned<TouchRequest>[]) => {
      const byIds = rows.flatMap(({ index, parsed }) => ('code' in parsed.source ? [] : [{ index, ...parsed.source }]));
      const withEmail = rows.flatMap(({ index, parsed }) => (parsed.invitee.email ? [{ index, email: parsed.invitee.email }] : []));
      const sources = sourcesOf(byIds);
      return step(
        { ...sources.parts, owners: part(EMAIL_OWNER, { rows: withEmail }, ['index', 'id']) },
        (read) => {
          const sourceOf = sources.finish(read);
          const owners = byIndex(read.owners);
          return new Map(rows.map(({ index }) => [index, { source: sourceOf.get(index), emailOwner: owners.get(index)?.id ?? null }]));
        },
      );
    },
    referrers: (request, _state, facts) => {
      const referrer = referrerOf(request.source, facts);
      return referrer === undefined ? [] : [referrer];
    },
    decide: (request, state, judge, facts) => {
      const owner = 'code' in request.source ? facts.codes.get(request.source.code) : undefined;
      const source = sourceFrom(request.source, { owner, state: state.source });
      if (isLaunchCampaign(source.campaign)) throw new LaunchCampaignInBatch(source.campaign.id);
      const inviteeId = request.invitee.id;
      return checkTouch(request, source, source.referrerId !== inviteeId && judge.closesCycle(source.referrerId, inviteeId), state.emailOwner);
    },
    write: (rows) =>
      step({ touches: part(RECORD_TOUCH, { rows: rows.map(({ index, decided }) => ({ ...decided, index })) }, ['index', 'referral']) }, ({ touches: written }) =>
        new Map(written.map((row) => [row.index, row.referral])),
      ),
  });
}

export const invites = touches(parseInvite as (input: RecordInviteInput, now: number) => TouchRequest);
export const clicks = touches(parseClick as (input: RecordReferralClickInput, now: number) => TouchRequest);

interface SignupState {
  signedUpAt: number | null;
  emailTaken: boolean;
  candidates: Candidate[];
  /** Read under the referrers' locks (settle): identifiers of the invitee and each possible referrer, and their credits nearby. */
  identifiers?: Map<string, HashedIdentifier[]>;
  nearby?: NearbyCredit[];
}

/** Who may be credited with a sign-up: the code's owner, or the attribution candidates. */
function possibleReferrers(request: SignupRequest, state: SignupState, facts: PlanFacts): string[] {
  if (!request.code) return state.candidates.map((candidate) => candidate.referrerId);
  const owner = facts.codes.get(request.code)?.ownerId;
  return owner === undefined ? [] : [owner];
}

// ENSURE_CUSTOMER and lockCustomers of recordSignup in one statement: every sign-up's customer exists, then all
// are write-locked in elementId order (the ORDER BY runs once every MERGE has), as lockCustomers orders them.
const ENSURE_AND_LOCK = cypher(
  'signup.ensureAndLock',
  `UNWIND $rows AS row
   MERGE (c:Customer {id: row.id})
   ${ON_CREATE_CUSTOMER('c', 'row.at')}
   WITH DISTINCT c
   ORDER BY elementId(c)
   ${WRITE_LOCK('c')}`,
);

export const signups = bulkKind({
  parse: (input: RecordSignupInput, now: number) => parseSignup(input, now),
  needs: (request) => ({ codes: request.code ? [request.code] : [], customers: [request.id] }),
  access: (request, facts) => {
    const emails = facts.emailChange(request.id, request.email);
    if (request.email === null) facts.created(request.id);
    // The fraud rules read the code owner's identifiers: after the batch's earlier events that link some to it.
    const owner = request.code ? facts.codes.get(request.code)?.ownerId : undefined;
    return { reads: owner === undefined ? [] : [`c:${owner}`], writes: [`c:${request.id}`, ...emails] };
  },
  read: (rows) => {
    // As recordSignup: each customer exists and is write-locked before the state that decides is read: the
    // locks are taken (in key order) before the reads start, as in separate statements.
    const uncoded = rows.filter(({ parsed }) => !parsed.code).map(({ index, parsed }) => ({ index, id: parsed.id, at: parsed.at }));
    return step(
      {
        locked: part(ENSURE_AND_LOCK, { rows: rows.map(({ index, parsed }) => ({ index, id: parsed.id, at: parsed.at })) }, []),
        states: part(SIGNUP_STATE, { rows: rows.map(({ index, parsed }) => ({ index, id: parsed.id, email: parsed.email })) }, ['index', 'signedUpAt', 'emailTaken']),
        candidates: part(ATTRIBUTION_CANDIDATES, { rows: uncoded }, ['index', 'referrerId', 'campaignId', 'model', 'touch', 'launch']),
      },
      (read) => {
        const states = byIndex(read.states);
        return new Map(rows.map(({ index }): [number, SignupState] => [index, { ...states.get(index)!, candidates: read.candidates.filter((c) => c.index === index) }]));
      },
    );
  },
  referrers: (request, state, facts) => possibleReferrers(request, state, facts),
  settle: (rows, states, facts) => {
    const asks = rows.flatMap(({ index, parsed }) => possibleReferrers(parsed, states.get(index)!, facts).map((referrerId) => ({ referrerId, inviteeId: parsed.id, at: parsed.at })));
    // The identifiers and the credits nearby, as identifiersOf and creditedNearby read them: only for the sign-ups
    // that may credit someone (nothing at all to read when none may).
    const ids = [...new Set(asks.flatMap((ask) => [ask.inviteeId, ask.referrerId]))];
    return step(
      {
        identifiers: part(IDENTIFIERS_OF, { ids }, ['id', 'identifiers']),
        nearby: part(CREDITED_NEARBY, { rows: nearbyRows(asks) }, ['referrerId', 'inviteeId', 'signedUpAt']),
      },
      (read) => {
        const identifiers = new Map(read.identifiers.map((row) => [row.id, row.identifiers]));
        for (const { index } of rows) Object.assign(states.get(index)!, { identifiers, nearby: read.nearby });
      },
    );
  },
  identifierOwner: (request) => (request.identifiers.length > 0 ? request.id : null),
  decide: (request, state, judge, facts): CreditDecision | null => {
    checkSignupState(state, request.id);
    let credited: Credit | null = null;
    if (request.code) {
      const source = sourceFrom({ code: request.code }, { owner: facts.codes.get(request.code) });
      if (isLaunchCampaign(source.campaign)) throw new LaunchCampaignInBatch(source.campaign.id);
      checkCode(request, source);
      credited = creditByCode(request, source, judge.closesCycle(source.referrerId, request.id));
    } else {
      const candidate = pickAttribution(state.candidates).find((c) => !judge.closesCycle(c.referrerId, request.id));
      if (candidate?.launch) throw new LaunchCampaignInBatch(candidate.campaignId);
      if (candidate) credited = { referrerId: candidate.referrerId, campaignId: candidate.campaignId, code: null, launch: false };
    }
    if (!credited) return null;
    judge.credit(credited.referrerId, request.id);
    const identifiers = {
      referrer: state.identifiers?.get(credited.referrerId) ?? [],
      invitee: [...(state.identifiers?.get(request.id) ?? []), ...request.identifiers],
    };
    const hold = judge.hold({ referrerId: credited.referrerId, inviteeId: request.id, at: request.at }, identifiers, state.nearby ?? []);
    return { ...credited, holdReason: hold?.reason ?? null, velocityCount: hold?.velocityCount ?? null };
  },
  write: (rows, outbox) => {
    // As recordSignup: the customers, their identifiers, then the credits (creditReferrals' statement).
    const links = identifierLinks(rows.map(({ parsed }) => ({ customerId: parsed.id, at: parsed.at, identifiers: parsed.identifiers })));
    const credits = rows.flatMap(({ index, parsed, decided }) => (decided ? [{ ...decided, id: parsed.id, at: parsed.at, index }] : []));
    return step(
      {
        customers: part(SIGN_UP, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index', 'customer']),
        identifiers: part(LINK_IDENTIFIERS, { rows: links }, []),
        credits: part(CREDIT_REFERRAL, { rows: credits }, ['index', 'referral']),
      },
      (written) => {
        const customers = byIndex(written.customers);
        const referrals = new Map(written.credits.map((row) => [row.index, row.referral]));
        for (const { index, parsed } of rows) outbox.add(index, signupEvents(parsed.id, referrals.get(index) ?? null));
        return new Map(rows.map(({ index }) => [index, { customer: customers.get(index)!.customer, referral: referrals.get(index) ?? null }]));
      },
    );
  },
});

export const referralCodes = bulkKind({
  parse: (input: IssueReferralCodeInput, now: number) => parseIssueCode(input, now),
  access: (row) => ({ reads: [`c:${row.customerId}`], writes: [`code:${row.customerId}|${row.campaignId}`] }),
  read: (rows) => sourcesOf(rows.map(({ index, parsed }) => ({ index, campaignId: parsed.campaignId, referrerId: parsed.customerId }))),
  decide: (row, state) => checkIssueState(row, state),
  write: (rows) =>
    step({ codes: part(ISSUE_CODE, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }, ['index', 'code']) }, ({ codes }) => {
      const written = byIndex(codes);
      return new Map(rows.map(({ index, parsed }) => [index, codeRecord(parsed, written.get(index)!.code)]));
    }),
});
