import { buildSchema, GraphQLError, Kind, OperationDefinitionNode, parse } from 'graphql';
import { checkDocumentBounds } from '../../server/bounds/documentBounds';
import { checkOperationSize, measureOperation, OperationLimits } from '../../server/bounds/limits';
import { loadTypeDefs } from '../../server/schema';

const schema = buildSchema(loadTypeDefs().join('\n'));
const LIMITS: OperationLimits = { maxDepth: 10, maxCost: 20000, maxRootFields: 20 };

function measure(query: string, variables: Record<string, unknown> = {}, maxDepth = LIMITS.maxDepth) {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  return measureOperation(schema, document, operation, variables, maxDepth);
}

function codeOf(check: () => void): unknown {
  try {
    check();
  } catch (error) {
    return (error as GraphQLError).extensions.code;
  }
  return undefined;
}

const fragmentBomb = (levels: number) => {
  let document = 'query { ...F0 }\n';
  for (let i = 0; i < levels; i++) document += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
  return `${document}fragment F${levels} on Query { serviceInfo { role } }`;
};

describe('measureOperation', () => {
  test('a fragment bomb is measured once per fragment and costs what its expansion would', () => {
    // serviceInfo { role } costs 2; each level doubles it: 2 × 2^24.
    const size = measure(fragmentBomb(24));
    expect(size.cost).toBe(2 * 2 ** 24);
    expect(size.depth).toBe(2);
    expect(size.rootFields).toBe(1);
    expect(codeOf(() => checkOperationSize(size, LIMITS))).toBe('QUERY_TOO_COSTLY');
  });

  test('a fragment spread under a field adds its depth to where it is spread', () => {
    const size = measure('{ customer(id: "a") { ...C } } fragment C on Customer { connections { edges { node { id } } } }');
    expect(size.depth).toBe(5);
  });

  test('1,000 nested selections give QUERY_TOO_DEEP without overflowing the stack', () => {
    const query = `{ customer(id: "x") ${'{ connections { edges { node '.repeat(333)}{ id }${' } } }'.repeat(333)} }`;
    const size = measure(query);
    expect(size.depth).toBeGreaterThan(LIMITS.maxDepth);
    expect(codeOf(() => checkOperationSize(size, LIMITS))).toBe('QUERY_TOO_DEEP');
  });

  test('an operation at the depth limit is measured exactly and passes', () => {
    const size = measure('{ customer(id: "x") { connections { edges { node { connections { edges { node { id } } } } } } } }', {}, 8);
    expect(size.depth).toBe(8);
    expect(codeOf(() => checkOperationSize(size, { ...LIMITS, maxDepth: 8 }))).toBeUndefined();
  });

  test('root fields are counted by response key, through fragments, each fragment once', () => {
    const size = measure('{ a: serviceInfo { role } b: serviceInfo { role } ...R ...R ... on Query { c: serviceInfo { role } } __typename } fragment R on Query { d: serviceInfo { role } a: serviceInfo { role } }');
    expect(size.rootFields).toBe(4);
  });

  test('more root fields than the cap give TOO_MANY_ROOT_FIELDS', () => {
    const query = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: serviceInfo { role }`).join(' ')} }`;
    expect(codeOf(() => checkOperationSize(measure(query(20)), LIMITS))).toBeUndefined();
    expect(codeOf(() => checkOperationSize(measure(query(21)), LIMITS))).toBe('TOO_MANY_ROOT_FIELDS');
  });

  test('@cost weights in the SDL set the cost of analytics, and an enum value adds its own', () => {
    expect(measure('{ topInfluencers(by: REFERRAL_REACH, limit: 10) { score } }').cost).toBe(500 + 10 * 1);
    expect(measure('{ topInfluencers(by: PAGERANK, limit: 10) { score } }').cost).toBe(500 + 4500 + 10 * 1);
    expect(measure('query($by: InfluenceMeasure!) { topInfluencers(by: $by, limit: 1) { score } }', { by: 'SOCIAL_REACH' }).cost).toBe(5001);
    expect(measure('{ referralConversion { overall { referrals } } }').cost).toBe(1000 + 2);
  });

  test('a list without a page argument counts its declared listSize', () => {
    expect(measure('{ referralChain(customerId: "a") { downward { depth } } }').cost).toBe(100 + 1 + 1000 * 1);
  });

  test('page sizes from variables multiply the cost below them', () => {
    const query = 'query($n: Int) { customer(id: "x") { connections(first: $n) { totalCount } } }';
    expect(measure(query, { n: 50 }).cost).toBe(1 + 1 + 50);
  });
});

describe('checkDocumentBounds', () => {
  const bounds = { maxSelections: 500, maxDepth: 10 };

  test('more selections than the limit give QUERY_TOO_LARGE', () => {
    expect(codeOf(() => checkDocumentBounds(parse(`{ customer(id: "x") { ${'id '.repeat(499)} } }`), bounds))).toBeUndefined();
    expect(codeOf(() => checkDocumentBounds(parse(`{ customer(id: "x") { ${'id '.repeat(500)} } }`), bounds))).toBe('QUERY_TOO_LARGE');
  });

  test('selections in fragments count too', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Customer { ${'id '.repeat(20)} }`).join(' ');
    expect(codeOf(() => checkDocumentBounds(parse(`{ customer(id: "x") { id } } ${fragments}`), bounds))).toBe('QUERY_TOO_LARGE');
  });

  test('nesting written deeper than the depth limit gives QUERY_TOO_DEEP, with no recursion', () => {
    const deep = parse(`{ ${'a { '.repeat(1000)} b ${'} '.repeat(1000)} }`, { noLocation: true });
    expect(codeOf(() => checkDocumentBounds(deep, { maxSelections: 5000, maxDepth: 10 }))).toBe('QUERY_TOO_DEEP');
    expect(codeOf(() => checkDocumentBounds(parse(`{ ${'a { '.repeat(9)} b ${'} '.repeat(9)} }`), bounds))).toBeUndefined();
    expect(codeOf(() => checkDocumentBounds(parse(`{ ${'a { '.repeat(10)} b ${'} '.repeat(10)} }`), bounds))).toBe('QUERY_TOO_DEEP');
  });
});
