import { cypher, Tx } from '../neo4j';
import { CODE_LOOKUP, CodeOwner } from '../referrals';

/**
 * What an event reads and writes, named as entities (`c:<customer id>`, `email:<address>`,
 * `order:<id>`, `product:<id>`, `knows:<a>|<b>`, `code:<customer>|<campaign>`).
 */
export interface Access {
  reads: string[];
  writes: string[];
}

/** What the batch planner knows of the graph before the batch, and learns as it walks the batch in order. */
export class PlanFacts {
  private constructor(
    /** Each existing customer's email (null when none), by id; updated as the batch's events set them. */
    private readonly emails: Map<string, string | null>,
    private readonly products: Set<string>,
    readonly codes: Map<string, CodeOwner>,
  ) {}

  static async read(tx: Tx, customerIds: string[], productIds: string[], codes: string[]): Promise<PlanFacts> {
    const [facts] = await tx.run(PLAN_FACTS, { customerIds: [...new Set(customerIds)], productIds: [...new Set(productIds)] });
    const owners = codes.length === 0 ? [] : await tx.run(CODE_LOOKUP, { codes: [...new Set(codes)] });
    return new PlanFacts(new Map(facts.customers.map((c) => [c.id, c.email])), new Set(facts.products), new Map(owners.map((owner) => [owner.code, owner])));
  }

  /** The entities an email change touches: the new address, and the one it frees. */
  emailChange(id: string, email: string | null, onlyWhenNew = false): string[] {
    if (email === null) return [];
    const exists = this.emails.has(id);
    if (onlyWhenNew && exists) return [`email:${email}`];
    const old = this.emails.get(id) ?? null;
    this.emails.set(id, email);
    return old === null || old === email ? [`email:${email}`] : [`email:${email}`, `email:${old}`];
  }

  /** A customer a batch event creates (when new) without an email. */
  created(id: string): void {
    if (!this.emails.has(id)) this.emails.set(id, null);
  }

  /**
   * A product that does not exist yet is created, with its name, by the first event that names it:
   * that event writes it, the later ones read it, so they come after.
   */
  product(id: string): Access {
    if (this.products.has(id)) return { reads: [], writes: [] };
    if (this.newProducts.has(id)) return { reads: [`product:${id}`], writes: [] };
    this.newProducts.add(id);
    return { reads: [], writes: [`product:${id}`] };
  }

  private readonly newProducts = new Set<string>();
}

const PLAN_FACTS = cypher<{ customers: Array<{ id: string; email: string | null }>; products: string[] }>(
  'batch.planFacts',
  `CALL () { UNWIND $customerIds AS id MATCH (c:Customer {id: id}) RETURN collect({id: c.id, email: c.email}) AS customers }
   CALL () { UNWIND $productIds AS id MATCH (p:Product {id: id}) RETURN collect(p.id) AS products }
   RETURN customers, products`,
);

/**
 * Levels: an event runs after every earlier event it depends on, and with the others. Writers of an
 * entity come after its earlier readers and writers; readers after its earlier writers. Inside a level,
 * the events of one kind touch disjoint entities (or only read shared ones), so each (level, kind) is
 * one set-based step. Returns each event's level, from 0.
 */
export function levels(accesses: readonly Access[]): number[] {
  const written = new Map<string, number>();
  const read = new Map<string, number>();
  return accesses.map(({ reads, writes }) => {
    let level = 0;
    for (const entity of reads) level = Math.max(level, (written.get(entity) ?? -1) + 1);
    for (const entity of writes) level = Math.max(level, (written.get(entity) ?? -1) + 1, (read.get(entity) ?? -1) + 1);
    for (const entity of writes) written.set(entity, level);
    for (const entity of reads) read.set(entity, Math.max(read.get(entity) ?? -1, level));
    return level;
  });
}
