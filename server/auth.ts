import crypto from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '../graph/errors';
import type { ApiKey, Role } from './config';

export interface Caller {
  role: Role;
  /** A short, non-secret id of the key, for logs and rate-limit buckets. */
  keyId: string;
}

const keyId = (key: string) => crypto.createHash('sha256').update(key).digest('hex').slice(0, 12);

/** Looks keys up by their hash so that the comparison time does not depend on how much of a key matched. */
export function createAuthenticator(apiKeys: ApiKey[]): (authorization: string | undefined) => Caller | undefined {
  const byId = new Map(apiKeys.map((apiKey) => [keyId(apiKey.key), apiKey.role]));
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const id = keyId(match[1]);
    const role = byId.get(id);
    return role ? { role, keyId: id } : undefined;
  };
}

/** What each role may do. Analytics and entity reads are open to every role; personal data is not. */
export const PERMISSIONS = {
  readEntities: ['service', 'marketer', 'community', 'admin'],
  readAnalytics: ['service', 'marketer', 'community', 'admin'],
  /** Marketer analytics (advocates, seeding, invite suggestions, reviews by trust, value, segments, churn): people who run campaigns, not product code. */
  readMarketing: ['marketer', 'community', 'admin'],
  readPersonalData: ['service', 'admin'],
  /** Communities, bridges, engagement levels: community managers, and marketers who plan with them (ids and counts only). */
  readCommunities: ['marketer', 'community', 'admin'],
  writeEvents: ['service', 'admin'],
  eraseCustomers: ['admin'],
  exportCustomers: ['admin'],
  /** Admitting members of an invite-only or waitlist launch (admitWave, admitMembers). */
  admitLaunchMembers: ['community', 'admin'],
  /** Fraud rings, the review queue, and the decisions on held referrals and rewards: community managers. */
  reviewFraud: ['community', 'admin'],
  /** Rewards and the payout report: who reviews them and who pays them. */
  readRewards: ['service', 'community', 'admin'],
  /** Marking a reward paid: product code, once it paid. */
  payRewards: ['service', 'admin'],
  /** Registering, listing and removing webhook endpoints. */
  manageWebhooks: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Who made a change, for ledgers: the role and the key's non-secret id, never the key. */
export const actorOf = (caller: Caller) => `${caller.role}:${caller.keyId}`;

export function can(caller: Caller, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(caller.role);
}

export function authorize(caller: Caller, permission: Permission): void {
  if (!can(caller, permission)) {
    throw new GraphQLError(`The ${caller.role} role may not ${permission.replace(/([A-Z])/g, ' $1').toLowerCase()}.`, {
      extensions: { code: ERROR_CODES.FORBIDDEN },
    });
  }
}
