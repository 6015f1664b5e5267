import { WIRE_PARAMETER, wireParameters, wireText } from '../../graph/wireForm';

// graph/wireForm.ts: every parameter travels inside one map, so Neo4j plans a text once whatever the lengths of its
// lists and strings (the plans themselves are exercised by every integration test, which all send this way).

describe('wireForm', () => {
  test('every $name is read from the one map parameter, wherever it stands', () => {
    expect(wireText('UNWIND $rows AS row MATCH (c:Customer {id: row.id}) WHERE c.at < $cutoff RETURN c LIMIT $limit')).toBe(
      `UNWIND $${WIRE_PARAMETER}.rows AS row MATCH (c:Customer {id: row.id}) WHERE c.at < $${WIRE_PARAMETER}.cutoff RETURN c LIMIT $${WIRE_PARAMETER}.limit`,
    );
    expect(wireText('MATCH (c:Customer {id: $id}) RETURN c[$property] AS value')).toBe(
      `MATCH (c:Customer {id: $${WIRE_PARAMETER}.id}) RETURN c[$${WIRE_PARAMETER}.property] AS value`,
    );
  });

  test('a combined statement\'s renamed parameters and a parameter named like the map stay distinct', () => {
    expect(wireText('CALL () { UNWIND $s0_keys_rows AS r RETURN r } RETURN $params')).toBe(
      `CALL () { UNWIND $${WIRE_PARAMETER}.s0_keys_rows AS r RETURN r } RETURN $${WIRE_PARAMETER}.params`,
    );
  });

  test('a $ inside a string literal, a quoted name or a comment is not a parameter', () => {
    expect(wireText(`RETURN '$5 off' AS a, "it's $x" AS b, 'don\\'t $y' AS c, $z AS d`)).toBe(
      `RETURN '$5 off' AS a, "it's $x" AS b, 'don\\'t $y' AS c, $${WIRE_PARAMETER}.z AS d`,
    );
    expect(wireText('MATCH (n) // filter on $id\nWHERE n.id = $id /* not $this */ RETURN n.`$odd` AS odd')).toBe(
      `MATCH (n) // filter on $id\nWHERE n.id = $${WIRE_PARAMETER}.id /* not $this */ RETURN n.\`$odd\` AS odd`,
    );
  });

  test('a text without parameters is sent as written, and the same text always the same way', () => {
    expect(wireText('MATCH (e:OutboxEvent) RETURN count(e) AS rows')).toBe('MATCH (e:OutboxEvent) RETURN count(e) AS rows');
    const text = 'MATCH (w:Wave {campaignId: $campaignId}) RETURN w';
    expect(wireText(text)).toBe(wireText(text));
  });

  test('the parameters, whatever their sizes, become the fields of one map', () => {
    const params = { ids: ['a', 'b', 'c'], name: 'x'.repeat(500), limit: 3 };
    expect(wireParameters(params)).toEqual({ [WIRE_PARAMETER]: params });
    expect(Object.keys(wireParameters({}))).toEqual([WIRE_PARAMETER]);
  });
});
