import type { ConnectionKind } from '../../schema/generated/types';
import { badInput } from '../errors';

const KINDS: readonly ConnectionKind[] = ['KNOWS', 'FOLLOWS', 'REFERRED'];

/**
 * Relationship types and hop bounds cannot be Cypher parameters inside a shortestPath pattern.
 * They reach query text only from this closed enum and a checked integer, never from free text.
 */
export function relationshipTypes(field: string, kinds: readonly ConnectionKind[] | null | undefined): string {
  const chosen = [...new Set(kinds ?? [])].filter((kind) => KINDS.includes(kind)).sort();
  if (chosen.length === 0) throw badInput(field, `${field} must name at least one of ${KINDS.join(', ')}.`);
  return chosen.join('|');
}

export function hopBound(field: string, value: number | null | undefined, fallback: number, max: number): number {
  const hops = value ?? fallback;
  if (!Number.isInteger(hops) || hops < 1 || hops > max) throw badInput(field, `${field} must be a whole number from 1 to ${max}; got ${hops}.`);
  return hops;
}
