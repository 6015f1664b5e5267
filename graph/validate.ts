import { badInput } from './errors';
import { TEXT_LIMITS } from './model';

// Input rules shared by every writer, so a malformed value gets the same message everywhere.

/** The one id pattern: ids of customers, campaigns, products and orders. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

export function checkId(field: string, value: string): string {
  if (!ID_PATTERN.test(value)) {
    throw badInput(field, `${field} "${value.slice(0, 40)}" is not a valid id: 1–128 letters, digits or _ . : @ -, starting with a letter or digit.`);
  }
  return value;
}

export function checkEmail(field: string, value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return value;
  const email = value.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(email)) throw badInput(field, `${field} is not a valid email address.`);
  return email;
}

export function checkText(field: string, value: string | null | undefined, maxLength: number): string | null | undefined {
  if (value === null || value === undefined) return value;
  if (value.length > maxLength) throw badInput(field, `${field} is longer than ${maxLength} characters.`);
  return value;
}

export function checkIntRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(field, `${field} must be a whole number from ${min} to ${max}; got ${value}.`);
  }
  return value;
}

export function checkNumberRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw badInput(field, `${field} must be from ${min} to ${max}; got ${value}.`);
  return value;
}

export function checkCurrency(field: string, value: string): string {
  if (!/^[A-Z]{3}$/.test(value)) throw badInput(field, `${field} must be an ISO 4217 code such as EUR or USD.`);
  return value;
}

export function checkChannel(field: string, value: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(value)) {
    throw badInput(field, `${field} must be 1–32 lower-case letters, digits, _ or - (email, sms, whatsapp, link, …).`);
  }
  return value;
}

export function checkIdempotencyKey(field: string, value: string): string {
  const max = TEXT_LIMITS.idempotencyKey;
  // A lone surrogate cannot be stored or hashed faithfully: refuse it rather than corrupt the key.
  if (value.length < 1 || value.length > max || !value.isWellFormed()) throw badInput(field, `${field} must be 1–${max} characters of well-formed Unicode.`);
  return value;
}
