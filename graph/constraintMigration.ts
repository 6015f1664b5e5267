import { cypher, Cypher, Graph } from './neo4j';

/**
 * A uniqueness constraint added to a database that may already hold data: the data is checked first, so
 * that a store written before the rule was enforced (duplicate order ids from a race, say) stops the
 * start with a message naming the offenders instead of a bare Neo4j error, and nothing is changed. Once
 * the constraint exists the migration is done and costs one SHOW CONSTRAINTS on later starts.
 */
export interface ConstraintMigration {
  /** The constraint's name, as SHOW CONSTRAINTS lists it. */
  readonly constraint: string;
  /** The rule in words, for the failure message: "one purchase per order id". */
  readonly rule: string;
  /** What `violations` lists, for the failure message: "order ids on more than one purchase". */
  readonly offenders: string;
  /** Idempotent statements run once the data passed, e.g. dropping an index the constraint's own index replaces. */
  readonly before?: readonly Cypher[];
  /** Existing data that breaks the rule, at most VIOLATIONS_SHOWN + 1 rows, in a stable order. */
  readonly violations: Cypher<{ value: string; count: number }>;
  /** Gives existing data the property the constraint holds; idempotent, batched (CALL … IN TRANSACTIONS). */
  readonly backfill?: Cypher;
  /** CREATE CONSTRAINT … IF NOT EXISTS. */
  readonly create: Cypher;
}

export const VIOLATIONS_SHOWN = 20;

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

export const isConstraintMigration = (migration: Cypher | ConstraintMigration): migration is ConstraintMigration => 'constraint' in migration;

const CONSTRAINT_EXISTS = cypher<{ exists: boolean }>(
  'migration.constraintExists',
  'SHOW CONSTRAINTS YIELD name WHERE name = $name RETURN count(*) > 0 AS exists',
);

export async function applyConstraintMigration(graph: Graph, migration: ConstraintMigration): Promise<void> {
  const [existing] = await graph.runAutoCommit(CONSTRAINT_EXISTS, { name: migration.constraint });
  if (existing.exists) return;
  const violations = await graph.runAutoCommit(migration.violations);
  if (violations.length > 0) {
    const shown = violations.slice(0, VIOLATIONS_SHOWN).map((row) => `"${row.value}" (${row.count})`);
    const more = violations.length > VIOLATIONS_SHOWN ? ', and more' : '';
    throw new MigrationError(
      `Cannot add the constraint ${migration.constraint} (${migration.rule}): the stored data breaks it, ` +
        `probably written before the rule was enforced. ${capitalise(migration.offenders)}: ${shown.join(', ')}${more}. ` +
        'Resolve them (keep one of each) and start again; the migration changed nothing.',
    );
  }
  for (const statement of migration.before ?? []) await graph.runAutoCommit(statement);
  if (migration.backfill) await graph.runAutoCommit(migration.backfill);
  await graph.runAutoCommit(migration.create);
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
