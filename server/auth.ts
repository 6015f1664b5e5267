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
  readPersonalData: ['service', 'admin'],
  writeEvents: ['service', 'admin'],
  eraseCustomers: ['admin'],
  exportCustomers: ['admin'],
  manageWebhooks: ['admin'],
  watchReviewQueue: ['marketer', 'community', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

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
