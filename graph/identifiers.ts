import crypto from 'node:crypto';
import type { IdentifierInput, IdentifierKind } from '../schema/generated/types';
import { badInput } from './errors';
import { cypher, Tx } from './neo4j';

/**
 * Identifiers (device, IP, payment, e-mail, phone, address) link customers for the fraud rules. Only a keyed
 * hash is stored: HMAC-SHA256 under a server secret (IDENTIFIER_HMAC_SECRET, passed in by the server at start
 * with `useIdentifierSecret`; graph/ never reads the environment), of the kind and the normalised value. Without
 * the secret a stolen store cannot be brute-forced for phone numbers or e-mails, which a plain hash would allow.
 * The raw value lives only in the request: it is never stored, put in an error message or logged.
 */

export const MAX_IDENTIFIERS = 20;
export const MAX_IDENTIFIER_LENGTH = 512;
/** How much of a hash evidence shows: enough to tell identifiers apart in a review, too little to test guesses. */
export const HASH_PREFIX_LENGTH = 8;

let secret: Buffer | undefined;

/** Sets the HMAC key; the server calls this once at start with IDENTIFIER_HMAC_SECRET. */
export function useIdentifierSecret(value: string): void {
  if (value.length < 16) throw new Error('the identifier secret must be at least 16 characters');
  secret = Buffer.from(value, 'utf8');
}

/** Providers that ignore dots in the local part (and are one mailbox under two domains). */
const DOTLESS_DOMAINS = new Map([
  ['gmail.com', 'gmail.com'],
  ['googlemail.com', 'gmail.com'],
]);

/**
 * The form two spellings of one identifier share. E-mail: lower case; a `+tag` is dropped for every provider
 * (subaddressing is near universal, and a fraud rule would rather over-match than be dodged by `+1`, `+2`);
 * dots are dropped only where the provider ignores them (gmail.com, googlemail.com, which is gmail.com).
 */
export function normaliseIdentifier(kind: IdentifierKind, value: string): string {
  const trimmed = value.trim();
  switch (kind) {
    case 'EMAIL': {
      const lower = trimmed.toLowerCase();
      const at = lower.lastIndexOf('@');
      if (at <= 0) return lower;
      let local = lower.slice(0, at).split('+')[0];
      let domain = lower.slice(at + 1);
      const dotless = DOTLESS_DOMAINS.get(domain);
      if (dotless) {
        local = local.replaceAll('.', '');
        domain = dotless;
      }
      return `${local}@${domain}`;
    }
    case 'PHONE':
      return trimmed.replace(/(?!^\+)[^\d]/g, '');
    case 'IP':
    case 'DEVICE':
      return trimmed.toLowerCase();
    case 'ADDRESS':
      return trimmed.toLowerCase().replace(/[.,;#]/g, ' ').replace(/\s+/g, ' ').trim();
    case 'PAYMENT':
      return trimmed;
  }
}

/** The stored form: hex HMAC-SHA256 of `kind:normalised value`. */
export function hashIdentifier(kind: IdentifierKind, value: string): string {
  if (!secret) throw new Error('identifier hashing is not configured: call useIdentifierSecret at start');
  return crypto.createHmac('sha256', secret).update(`${kind}:${normaliseIdentifier(kind, value)}`).digest('hex');
}

export const hashPrefix = (hash: string) => hash.slice(0, HASH_PREFIX_LENGTH);

export interface HashedIdentifier {
  kind: IdentifierKind;
  hash: string;
}

/** Checks and hashes the identifiers of one input; the raw values go no further than this function. */
export function parseIdentifiers(field: string, identifiers: readonly IdentifierInput[] | null | undefined): HashedIdentifier[] {
  if (!identifiers || identifiers.length === 0) return [];
  if (identifiers.length > MAX_IDENTIFIERS) throw badInput(field, `${field} holds ${identifiers.length} identifiers; the limit is ${MAX_IDENTIFIERS}.`);
  const seen = new Map<string, HashedIdentifier>();
  for (const [index, { kind, value }] of identifiers.entries()) {
    if (value.trim().length < 1 || value.length > MAX_IDENTIFIER_LENGTH || !value.isWellFormed()) {
      // The message never repeats the value.
      throw badInput(`${field}[${index}].value`, `an identifier value must be 1–${MAX_IDENTIFIER_LENGTH} characters.`);
    }
    const hash = hashIdentifier(kind, value);
    seen.set(`${kind}:${hash}`, { kind, hash });
  }
  return [...seen.values()];
}

// One Identifier node per (kind, hash): the identifier_kind_hash constraint; MERGE makes concurrent writers share it.
export const LINK_IDENTIFIERS = cypher(
  'identifier.link',
  `UNWIND $rows AS row
   MATCH (c:Customer {id: row.customerId})
   UNWIND row.identifiers AS given
   MERGE (i:Identifier {kind: given.kind, hash: given.hash})
   ON CREATE SET i.firstSeenAt = row.at
   MERGE (c)-[link:HAS_IDENTIFIER]->(i)
   ON CREATE SET link.since = row.at`,
);

export interface IdentifierLinkRow {
  customerId: string;
  at: number;
  identifiers: HashedIdentifier[];
}

/** The rows LINK_IDENTIFIERS has work for: those that give identifiers. */
export const identifierLinks = (rows: readonly IdentifierLinkRow[]) => rows.filter((row) => row.identifiers.length > 0);

/** Links each row's customer (which exists) to its identifiers; rows without any are skipped. */
export async function linkIdentifiers(tx: Tx, rows: readonly IdentifierLinkRow[]): Promise<void> {
  const given = identifierLinks(rows);
  if (given.length > 0) await tx.run(LINK_IDENTIFIERS, { rows: given });
}

// Each customer's identifiers, for the rules that compare them.
export const IDENTIFIERS_OF = cypher<{ id: string; identifiers: HashedIdentifier[] }>(
  'identifier.ofCustomers',
  `UNWIND $ids AS id
   MATCH (c:Customer {id: id})
   OPTIONAL MATCH (c)-[:HAS_IDENTIFIER]->(i:Identifier)
   RETURN id, collect(CASE WHEN i IS NULL THEN null ELSE {kind: i.kind, hash: i.hash} END) AS identifiers`,
);

export async function identifiersOf(tx: Tx, ids: Iterable<string>): Promise<Map<string, HashedIdentifier[]>> {
  const distinct = [...new Set(ids)];
  if (distinct.length === 0) return new Map();
  const rows = await tx.run(IDENTIFIERS_OF, { ids: distinct });
  return new Map(rows.map((row) => [row.id, row.identifiers]));
}

/** The identifiers both lists hold, sorted by kind then hash. */
export function sharedIdentifiers(a: readonly HashedIdentifier[], b: readonly HashedIdentifier[]): HashedIdentifier[] {
  const inB = new Set(b.map((identifier) => `${identifier.kind}:${identifier.hash}`));
  const shared = new Map<string, HashedIdentifier>();
  for (const identifier of a) if (inB.has(`${identifier.kind}:${identifier.hash}`)) shared.set(`${identifier.kind}:${identifier.hash}`, identifier);
  return [...shared.values()].sort((x, y) => (x.kind === y.kind ? x.hash.localeCompare(y.hash) : x.kind.localeCompare(y.kind)));
}

export const asEvidence = (identifier: HashedIdentifier) => ({ kind: identifier.kind, hashPrefix: hashPrefix(identifier.hash) });
