/** The set-based path cannot keep this batch's rules: the batch rolls back and is written one event at a time. */
export class OneByOneRequired extends Error {
  constructor(message: string) {
    super(`${message}; the batch is to be written one event at a time`);
    this.name = 'OneByOneRequired';
  }
}

/**
 * A credit was judged without an earlier event's credit in view (see Forest.verdictsHold, HoldTracker.verdictsHold). Rare: it takes
 * a sign-up whose credit lands in a later level than an event after it whose chain it changes.
 */
export class OutOfOrderCredit extends OneByOneRequired {
  constructor() {
    super('a credited referral was judged out of batch order');
    this.name = 'OutOfOrderCredit';
  }
}

/**
 * An invite, click or credited sign-up in an invite-only or waitlist campaign: quotas, memberships and
 * waitlist places are per-member state that each event reads after locking it (graph/quotas.ts,
 * graph/membership.ts), so such a batch is written one event at a time, through the same single writers,
 * and keeps every rule by construction. Batches that touch no launch campaign stay set-based.
 */
export class LaunchCampaignInBatch extends OneByOneRequired {
  constructor(campaignId: string) {
    super(`an event of the batch refers in invite-only or waitlist campaign "${campaignId}"`);
    this.name = 'LaunchCampaignInBatch';
  }
}
