import type { IssueReferralCodeInput, RecordInviteInput, RecordReferralClickInput, RecordSignupInput } from '../../schema/generated/types';
import { ATTRIBUTION_CANDIDATES, Candidate, pickAttribution } from '../attribution';
import { checkTouch, EMAIL_OWNER, parseClick, parseInvite, RECORD_TOUCH, TouchRequest } from '../invites';
import { CampaignRecord } from '../model';
import { Tx } from '../neo4j';
import { checkIssueState, codeRecord, ISSUE_CODE, parseIssueCode } from '../referralCodes';
import { CAMPAIGN_AND_REFERRER, sourceFrom } from '../referrals';
import { lockCustomers } from '../locks';
import { isLaunchCampaign } from '../campaigns';
import { CREDITED_NEARBY, NearbyCredit, nearbyRows } from '../fraudRules';
import { HashedIdentifier, IDENTIFIERS_OF, linkIdentifiers } from '../identifiers';
import { checkCode, checkSignupState, Credit, CREDIT_REFERRAL, creditByCode, creditReferrals, parseSignup, SIGN_UP, SIGNUP_STATE, SignupRequest } from '../signup';
import type { HoldReason } from '../../schema/generated/types';

type CreditDecision = Credit & { holdReason: HoldReason | null; velocityCount: number | null };
import { signupEvents } from '../outbox';
import { byIndex, bulkKind, Planned } from './kind';
import { LaunchCampaignInBatch } from './oneByOne';
import { part, runCombined } from './combined';
import { cypher } from '../neo4j';
import { ON_CREATE_CUSTOMER } from '../customers';
import { WRITE_LOCK } from '../locks';
import { PlanFacts } from './plan';

// Invites, clicks, sign-ups and codes in bulk: the same checks and statements as the single writers.

type SourceState = { campaign: CampaignRecord | null; referrerExists: boolean };

/** The referrer an invite, click or code sign-up names, when it can be told before its rules run. */
const referrerOf = (request: TouchRequest['source'], facts: PlanFacts) =>
  'code' in request ? facts.codes.get(request.code)?.ownerId : request.referrerId;

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
    read: async (tx: Tx, rows: Planned<TouchRequest>[]) => {
      const byIds = rows.flatMap(({ index, parsed }) => ('code' in parsed.source ? [] : [{ index, ...parsed.source }]));
      const withEmail = rows.flatMap(({ index, parsed }) => (parsed.invitee.email ? [{ index, email: parsed.invitee.email }] : []));
      const sources = await byIndex(byIds, () => tx.run(CAMPAIGN_AND_REFERRER, { rows: byIds }));
      const owners = await byIndex(withEmail, () => tx.run(EMAIL_OWNER, { rows: withEmail }));
      return new Map(rows.map(({ index }) => [index, { source: sources.get(index) as SourceState | undefined, emailOwner: owners.get(index)?.id ?? null }]));
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
    write: async (tx, rows) => {
      const written = await byIndex(rows, () => tx.run(RECORD_TOUCH, { rows: rows.map(({ index, decided }) => ({ ...decided, index })) }));
      return new Map([...written].map(([index, row]) => [index, row.referral]));
    },
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
  read: async (tx, rows) => {
    // As recordSignup: each customer exists and is write-locked before the state that decides is read. One
    // statement: the locks are taken (in key order) before the reads start, as in separate statements.
    const uncoded = rows.filter(({ parsed }) => !parsed.code).map(({ index, parsed }) => ({ index, id: parsed.id, at: parsed.at }));
    const read = await runCombined(tx, 'batch.signupState', {
      locked: part(ENSURE_AND_LOCK, { rows: rows.map(({ index, parsed }) => ({ index, id: parsed.id, at: parsed.at })) }, []),
      states: part(SIGNUP_STATE, { rows: rows.map(({ index, parsed }) => ({ index, id: parsed.id, email: parsed.email })) }, ['index', 'signedUpAt', 'emailTaken']),
      candidates: part(ATTRIBUTION_CANDIDATES, { rows: uncoded }, ['index', 'referrerId', 'campaignId', 'model', 'touch', 'launch']),
    }, (key) => key === 'candidates' && uncoded.length === 0);
    const states = new Map(read.states.map((state) => [state.index, state]));
    return new Map(rows.map(({ index }): [number, SignupState] => [index, { ...states.get(index)!, candidates: read.candidates.filter((c) => c.index === index) }]));
  },
  referrers: (request, state, facts) => possibleReferrers(request, state, facts),
  settle: async (tx, rows, states, facts) => {
    const asks = rows.flatMap(({ index, parsed }) => possibleReferrers(parsed, states.get(index)!, facts).map((referrerId) => ({ referrerId, at: parsed.at })));
    const ids = [...new Set([...rows.map(({ parsed }) => parsed.id), ...asks.map((ask) => ask.referrerId)])];
    // The identifiers and the credits nearby, as identifiersOf and creditedNearby read them, in one statement.
    const read = await runCombined(tx, 'batch.signupRules', {
      identifiers: part(IDENTIFIERS_OF, { ids }, ['id', 'identifiers']),
      nearby: part(CREDITED_NEARBY, { rows: nearbyRows(asks) }, ['referrerId', 'inviteeId', 'signedUpAt']),
    }, (key) => key === 'nearby' && asks.length === 0);
    const identifiers = new Map(read.identifiers.map((row) => [row.id, row.identifiers]));
    for (const { index } of rows) Object.assign(states.get(index)!, { identifiers, nearby: read.nearby });
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
  write: async (tx, rows, outbox) => {
    const customers = await byIndex(rows, () => tx.run(SIGN_UP, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }));
    await linkIdentifiers(tx, rows.map(({ parsed }) => ({ customerId: parsed.id, at: parsed.at, identifiers: parsed.identifiers })));
    const credits = rows.flatMap(({ index, parsed, decided }) => (decided ? [{ ...decided, id: parsed.id, at: parsed.at, index }] : []));
    const referrals = await creditReferrals(tx, credits);
    for (const { index, parsed } of rows) outbox.add(index, signupEvents(parsed.id, referrals.get(index) ?? null));
    return new Map(rows.map(({ index }) => [index, { customer: customers.get(index)!.customer, referral: referrals.get(index) ?? null }]));
  },
});

export const referralCodes = bulkKind({
  parse: (input: IssueReferralCodeInput, now: number) => parseIssueCode(input, now),
  access: (row) => ({ reads: [`c:${row.customerId}`], writes: [`code:${row.customerId}|${row.campaignId}`] }),
  read: (tx, rows) =>
    byIndex(rows, () => tx.run(CAMPAIGN_AND_REFERRER, { rows: rows.map(({ index, parsed }) => ({ index, campaignId: parsed.campaignId, referrerId: parsed.customerId })) })),
  decide: (row, state) => checkIssueState(row, state),
  write: async (tx, rows) => {
    const written = await byIndex(rows, () => tx.run(ISSUE_CODE, { rows: rows.map(({ index, parsed }) => ({ ...parsed, index })) }));
    return new Map(rows.map(({ index, parsed }) => [index, codeRecord(parsed, written.get(index)!.code)]));
  },
});
