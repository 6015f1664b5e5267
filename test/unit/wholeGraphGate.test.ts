import { GraphQLError } from 'graphql';
import { WholeGraphGate } from '../../server/bounds/wholeGraphGate';

/** A computation the test finishes when it chooses. */
function pending<T>() {
  let finish!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (finish = resolve));
  return { promise, finish };
}

describe('WholeGraphGate', () => {
  test('a key runs at most its share at once; the next waits for a slot and then runs', async () => {
    const gate = new WholeGraphGate(2, 60_000);
    const first = pending<string>();
    const second = pending<string>();
    let thirdStarted = false;
    const runs = [gate.run('k', () => first.promise), gate.run('k', () => second.promise), gate.run('k', async () => ((thirdStarted = true), 'third'))];
    await new Promise((resolve) => setImmediate(resolve));
    expect(thirdStarted).toBe(false);
    first.finish('first');
    second.finish('second');
    expect(await Promise.all(runs)).toEqual(['first', 'second', 'third']);
  });

  test('another key is not held up by a busy one', async () => {
    const gate = new WholeGraphGate(1, 60_000);
    const busy = pending<void>();
    const held = gate.run('a', () => busy.promise);
    expect(await gate.run('b', async () => 'b ran')).toBe('b ran');
    busy.finish();
    await held;
  });

  test('with no slot free within the wait, the computation is refused with RATE_LIMITED and Retry-After', async () => {
    const gate = new WholeGraphGate(1, 0);
    const busy = pending<void>();
    const held = gate.run('k', () => busy.promise);
    const refused = await gate.run('k', async () => 'ran').catch((error: GraphQLError) => error);
    expect(refused).toBeInstanceOf(GraphQLError);
    const { code, http } = (refused as GraphQLError).extensions as { code: string; http: { status: number; headers: Map<string, string> } };
    expect(code).toBe('RATE_LIMITED');
    expect(http.status).toBe(429);
    expect(http.headers.get('retry-after')).toBe('1');
    busy.finish();
    await held;
    expect(await gate.run('k', async () => 'ran')).toBe('ran');
  });

  test('a failed computation frees its slot', async () => {
    const gate = new WholeGraphGate(1, 0);
    await expect(gate.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run('k', async () => 'ran')).toBe('ran');
  });
});
