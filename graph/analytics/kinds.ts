import type { ConnectionKind } from '../../schema/generated/types';
import { badInput } from '../errors';
import type { Cypher } from '../neo4j';

const KINDS: readonly ConnectionKind[] = ['KNOWS', 'FOLLOWS', 'REFERRED'];

/**
 * Relationship types and hop bounds cannot be Cypher parameters inside a shortestPath pattern.
 * They reach query text only from this closed enum and a checked integer, never from free text.
 */
export function relationshipTypes(field: string, kinds: readonly ConnectionKind[]): string {
  const chosen = [...new Set(kinds)].filter((kind) => KINDS.includes(kind)).sort();
  if (chosen.length === 0) throw badInput(field, `${field} must name at least one of ${KINDS.join(', ')}.`);
  return chosen.join('|');
}

/** A hop count, depth or limit from 1 to `max`; its default lives in the SDL. */
export function hopBound(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw badInput(field, `${field} must be a whole number from 1 to ${max}; got ${value}.`);
  return value;
}

/** A statement whose text holds relationship types and a hop bound (see relationshipTypes), built once per pair. */
export function perTypesAndHops<R extends object>(build: (types: string, maxHops: number) => Cypher<R>): (types: string, maxHops: number) => Cypher<R> {
  const built = new Map<string, Cypher<R>>();
  return (types, maxHops) => {
    const key = `${types}:${maxHops}`;
    let query = built.get(key);
    if (!query) {
      query = build(types, maxHops);
      built.set(key, query);
    }
    return query;
  };
}
