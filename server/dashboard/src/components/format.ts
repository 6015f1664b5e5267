const PERCENT = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const DECIMAL = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const INTEGER = new Intl.NumberFormat('en');

export const percent = (rate: number) => PERCENT.format(rate);
export const decimal = (value: number) => DECIMAL.format(value);
export const integer = (value: number) => INTEGER.format(value);
export const dateTime = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
export const date = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
