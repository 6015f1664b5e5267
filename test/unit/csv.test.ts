import { csvCell, findList, toCsv } from '../../server/export/csv';

describe('CSV of a GraphQL answer', () => {
  test('finds the first list in field order and unwraps a Relay connection to its nodes, edge fields in front', () => {
    const edges = [{ strength: 0.5, id: 'e', node: { id: 'b' }, cursor: 'x' }];
    const found = findList({ customer: { id: 'a', connections: { pageInfo: { hasNextPage: false }, edges } } });
    expect(found?.path).toBe('customer.connections.edges');
    expect(found?.rows).toEqual([{ strength: 0.5, 'edge.id': 'e', id: 'b' }]);
    expect(found?.container).toHaveProperty('pageInfo');
    expect(findList({ customer: { id: 'a' } })).toBeUndefined();
  });

  test('flattens nested objects to dotted columns, the union of every row, in first-seen order', () => {
    const csv = toCsv([
      { customer: { id: 'a', name: null }, score: 1.5 },
      { customer: { id: 'b', name: 'Bea' }, score: 2, tier: 'A' },
    ]);
    expect(csv).toBe('customer.id,customer.name,score,tier\r\na,,1.5,\r\nb,Bea,2,A\r\n');
  });

  test('joins lists of scalars and lists of objects per leaf column', () => {
    const csv = toCsv([{ id: 'a', tags: ['x', 'y'], via: [{ id: 'b', hops: 1 }, { id: 'c', hops: 2 }] }]);
    expect(csv).toBe('id,tags,via.id,via.hops\r\na,x; y,b; c,1; 2\r\n');
  });

  test('quotes commas, quotes and line breaks, and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-3.5')).toBe('-3.5');
  });
});
