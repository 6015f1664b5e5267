/** The fields of `ConversionFunnel` every funnel view reads. */
export const FUNNEL_FIELDS = `
  referrals referrers
  invited { count rate } clicked { count rate } signedUp { count rate } converted { count rate } repeatBuyers { count rate }
  medianHoursToConversion invitesPerReferrer kFactor`;

export interface FunnelStep {
  count: number;
  rate: number;
}

export interface ConversionFunnel {
  referrals: number;
  referrers: number;
  invited: FunnelStep;
  clicked: FunnelStep;
  signedUp: FunnelStep;
  converted: FunnelStep;
  repeatBuyers: FunnelStep;
  medianHoursToConversion: number | null;
  invitesPerReferrer: number;
  kFactor: number;
}

export const FUNNEL_STEPS = [
  { key: 'invited', label: 'Invited' },
  { key: 'clicked', label: 'Clicked' },
  { key: 'signedUp', label: 'Signed up' },
  { key: 'converted', label: 'Bought' },
  { key: 'repeatBuyers', label: 'Bought again' },
] as const;
