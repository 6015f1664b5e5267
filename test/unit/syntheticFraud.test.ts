import { generateSyntheticGraph } from '../../graph/synthetic';

describe('the synthetic generator\'s fraud option', () => {
  test('is off by default: the output without it is unchanged and has no identifiers', () => {
    const plain = generateSyntheticGraph(300, 7);
    expect(plain.identifiers).toBeUndefined();
    const planted = generateSyntheticGraph(300, 7, { fraud: { rings: 2, ringSize: 5 } });
    // The planted graph adds to the plain one: its first customers and referrals are the same.
    expect(planted.customers.slice(0, 300)).toEqual(plain.customers);
    expect(planted.referrals.slice(0, plain.referrals.length)).toEqual(plain.referrals);
  });

  test('plants seeded rings: members share a device hash and refer each other in a chain, held', () => {
    const graph = generateSyntheticGraph(100, 3, { fraud: { rings: 3, ringSize: 4 } });
    expect(generateSyntheticGraph(100, 3, { fraud: { rings: 3, ringSize: 4 } })).toEqual(graph);
    const ring = graph.customers.filter((customer) => customer.id.startsWith('ring2-')).map((customer) => customer.id);
    expect(ring).toEqual(['ring2-1', 'ring2-2', 'ring2-3', 'ring2-4']);
    const devices = new Set(graph.identifiers!.filter((i) => ring.includes(i.customerId) && i.kind === 'DEVICE').map((i) => i.hash));
    expect(devices.size).toBe(1);
    expect(graph.referrals.filter((r) => ring.includes(r.inviteeId)).map((r) => [r.referrerId, r.inviteeId, r.status])).toEqual([
      ['ring2-1', 'ring2-2', 'HELD'], ['ring2-2', 'ring2-3', 'HELD'], ['ring2-3', 'ring2-4', 'HELD'],
    ]);
    // Everyone else has identifiers of their own.
    expect(new Set(graph.identifiers!.map((i) => i.customerId)).size).toBe(graph.customers.length);
  });
});
