import { parseEdgeList } from '../../graph/edgeList';

// The edge-list parser alone: no Neo4j, no Redis.

describe('parseEdgeList', () => {
  test('reads one pair per line, whitespace-separated, with comments, blank lines and CRLF endings', () => {
    const parsed = parseEdgeList('# SNAP header\r\n1 2\r\n\r\n2\t3\n  3   4  \n');
    expect(parsed.pairs).toEqual([['1', '2'], ['2', '3'], ['3', '4']]);
    expect(parsed.ids).toEqual(['1', '2', '3', '4']);
    expect(parsed).toMatchObject({ errors: [], edgeLines: 3, selfLoops: 0, duplicates: 0 });
  });

  test('puts the prefix in front of every id', () => {
    const parsed = parseEdgeList('a b\n', 'fb-');
    expect(parsed.pairs).toEqual([['fb-a', 'fb-b']]);
    expect(parsed.ids).toEqual(['fb-a', 'fb-b']);
  });

  test('skips self-loops and counts them, keeping an id that only a self-loop names', () => {
    const parsed = parseEdgeList('1 1\n1 2\n5 5\n5 5\n');
    expect(parsed.pairs).toEqual([['1', '2']]);
    expect(parsed.ids).toEqual(['1', '2', '5']);
    expect(parsed).toMatchObject({ errors: [], edgeLines: 4, selfLoops: 3, duplicates: 0 });
  });

  test('keeps each undirected connection once, whichever way a repeat is written', () => {
    const parsed = parseEdgeList('1 2\n2 1\n1 2\n2 3\n3 2\n');
    expect(parsed.pairs).toEqual([['1', '2'], ['2', '3']]);
    expect(parsed).toMatchObject({ errors: [], edgeLines: 5, selfLoops: 0, duplicates: 3 });
  });

  test('does not mistake ids that share characters for one pair', () => {
    const parsed = parseEdgeList('1 23\n12 3\n');
    expect(parsed.pairs).toEqual([['1', '23'], ['12', '3']]);
    expect(parsed.duplicates).toBe(0);
  });

  test('reports every line that cannot be read with its line number', () => {
    const parsed = parseEdgeList('1 2\n3\n# fine\n4 5 6\nok b@d!\n7 7\n');
    expect(parsed.errors).toEqual([
      { line: 2, message: 'expected two ids, found 1 fields' },
      { line: 4, message: 'expected two ids, found 3 fields' },
      { line: 5, message: '"ok b@d!" holds an id that is not 1–128 letters, digits or _ . : @ -' },
    ]);
    expect(parsed.edgeLines).toBe(5);
    expect(parsed.selfLoops).toBe(1);
  });

  test('rejects an id longer than 128 characters once the prefix is added', () => {
    const id = 'x'.repeat(125);
    expect(parseEdgeList(`${id} y\n`, 'ab-').errors).toHaveLength(0);
    expect(parseEdgeList(`${id}z y\n`, 'ab-').errors).toHaveLength(1);
  });
});
