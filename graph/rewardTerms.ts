import type { CampaignRewardsInput, RewardTermsInput } from '../schema/generated/types';
import { badInput } from './errors';
import { checkCurrency, checkIntRange, checkNumberRange } from './validate';

// A campaign's reward terms as data, checked and flattened into Campaign properties (Neo4j holds no maps).
// Every field is always written, null when absent, so createCampaign replacing a campaign clears old terms.

type Side = 'referrer' | 'friend';

function sideFields(side: Side, terms: RewardTermsInput | null | undefined): Record<string, number | string | null> {
  const field = `rewards.${side}`;
  const empty = { [`${side}RewardAmount`]: null, [`${side}RewardCurrency`]: null, [`${side}RewardPoints`]: null };
  if (!terms) return empty;
  const hasAmount = terms.amount !== null && terms.amount !== undefined;
  const hasPoints = terms.points !== null && terms.points !== undefined;
  if (hasAmount === hasPoints) throw badInput(field, `${field} must give either amount (with currency) or points.`);
  if (hasPoints) return { ...empty, [`${side}RewardPoints`]: checkIntRange(`${field}.points`, terms.points!, 1, 1_000_000_000) };
  const amount = terms.amount!;
  if (amount <= 0) throw badInput(`${field}.amount`, `${field}.amount must be more than 0.`);
  checkNumberRange(`${field}.amount`, amount, 0, 1_000_000);
  if (!terms.currency) throw badInput(`${field}.currency`, `${field}.currency is required with an amount.`);
  return { ...empty, [`${side}RewardAmount`]: amount, [`${side}RewardCurrency`]: checkCurrency(`${field}.currency`, terms.currency) };
}

/** The Campaign properties for `rewards`: all null when the campaign creates no rewards. */
export function rewardFields(rewards: CampaignRewardsInput | null | undefined): Record<string, number | string | boolean | null> {
  if (!rewards) return { ...sideFields('referrer', null), ...sideFields('friend', null), rewardHoldDays: null, rewardManualApproval: null };
  return {
    ...sideFields('referrer', rewards.referrer),
    ...sideFields('friend', rewards.friend),
    rewardHoldDays: checkIntRange('rewards.holdDays', rewards.holdDays ?? 14, 0, 365),
    rewardManualApproval: rewards.manualApproval ?? false,
  };
}
