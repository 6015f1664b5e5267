import { requireCustomersIn } from '../customers';
import { stageRank } from '../model';
import { cypher, Graph } from '../neo4j';
import { checkId } from '../validate';
import { hopBound } from './kinds';

export const MAX_INVITE_SUGGESTIONS = 100;
/** The shared contacts named per suggestion; `sharedContactCount` counts them all. */
export const SHARED_CONTACTS_NAMED = 10;

export interface InviteSuggestionRecord {
  customerId: string;
  score: number;
  sharedContactCount: number;
  sharedContactIds: string[];
  alreadyInvited: boolean;
}

// The customer's KNOWS contacts who have not bought yet (and are not erased), each scored by Adamic–Adar:
// the sum over contacts z both know of 1 / ln(deg z), deg z counting z's distinct KNOWS neighbours. z knows
// both, so deg z ≥ 2 and ln(deg z) > 0. Shared contacts are listed by weight (fewest ties first), then id.
const INVITE_SUGGESTIONS = cypher<InviteSuggestionRecord>(
  'marketers.inviteSuggestions',
  `MATCH (c:Customer {id: $customerId})-[:KNOWS]-(contact:Customer)
   WHERE coalesce(contact.stageRank, 0) < $buyerRank AND contact.erased IS NULL
   WITH DISTINCT c, contact
   CALL (c, contact) {
     MATCH (c)-[:KNOWS]-(z:Customer)-[:KNOWS]-(contact)
     WITH DISTINCT z
     WITH z, size(COLLECT { MATCH (z)-[:KNOWS]-(w:Customer) RETURN DISTINCT w }) AS degree
     ORDER BY degree, z.id
     RETURN sum(1.0 / log(degree)) AS score, count(z) AS sharedContactCount, collect(z.id)[0..$named] AS sharedContactIds
   }
   RETURN contact.id AS customerId, score, sharedContactCount, sharedContactIds, EXISTS { (c)-[:REFERRED]->(contact) } AS alreadyInvited
   ORDER BY score DESC, sharedContactCount DESC, customerId
   LIMIT $limit`,
);

/** Best first: Adamic–Adar, then shared contacts, then id. NOT_FOUND `customerId`; BAD_USER_INPUT `limit`. */
export async function inviteSuggestions(graph: Graph, customerId: string, limit: number): Promise<InviteSuggestionRecord[]> {
  checkId('customerId', customerId);
  const top = hopBound('limit', limit, MAX_INVITE_SUGGESTIONS);
  await requireCustomersIn(graph, { customerId });
  return graph.read(INVITE_SUGGESTIONS, { customerId, limit: top, buyerRank: stageRank('BUYER'), named: SHARED_CONTACTS_NAMED });
}
