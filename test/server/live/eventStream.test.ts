import type { DomainEvent } from '../../../graph/outbox';
import { EventStream, eventOf, StreamEntry, streamKeys } from '../../../server/live/eventStream';
import { testStore, uniquePrefix } from '../../support/services';

const event = (tree: string, seq: number, at = Date.now()): DomainEvent => ({
  id: `${tree}-${seq}-${Math.random().toString(36).slice(2)}`,
  type: 'CustomerSignedUp',
  at,
  rootCustomerId: tree,
  tree,
  seq,
  customerId: `c-${seq}`,
});

describe('EventStream.publishAll: each tree once and in order, one script call per pass', () => {
  const store = testStore();
  const redis = store.redis;
  afterAll(() => store.close());

  /** Runs `check` on a stream of its own, deleted afterwards. */
  const withStream = async (check: (stream: EventStream) => Promise<void>) => {
    const stream = new EventStream(redis, streamKeys(uniquePrefix('test-stream')), 3_600_000);
    try {
      await check(stream);
    } finally {
      await redis.del(stream.keys.stream, stream.keys.sequences);
    }
  };
  const appended = async (stream: EventStream) =>
    ((await redis.xrange(stream.keys.stream, '-', '+')) as StreamEntry[]).map((entry) => {
      const e = eventOf(entry)!;
      return `${e.tree}:${e.seq}`;
    });
  const never = () => false;

  test('appends in sequence, skips duplicates, and a gap holds the rest of its tree but not other trees', async () => {
    await withStream(async (stream) => {
      expect(await stream.publishAll([event('a', 1), event('a', 2), event('b', 1)], never)).toEqual(['published', 'published', 'published']);
      // a:2 again (another relay got there first), a:4 before a:3, then a:5 behind it, and b:2 meanwhile.
      const outcomes = await stream.publishAll([event('a', 2), event('a', 4), event('a', 5), event('b', 2)], never);
      expect(outcomes).toEqual(['duplicate', 'waiting', 'waiting', 'published']);
      expect(await appended(stream)).toEqual(['a:1', 'a:2', 'b:1', 'b:2']);
      // a:3 arrives: the tree moves on in order.
      expect(await stream.publishAll([event('a', 3), event('a', 4), event('a', 5)], never)).toEqual(['published', 'published', 'published']);
      expect(await appended(stream)).toEqual(['a:1', 'a:2', 'b:1', 'b:2', 'a:3', 'a:4', 'a:5']);
    });
  });

  test('force lets an event skip a predecessor that never comes; the tree goes on from it', async () => {
    await withStream(async (stream) => {
      await stream.publishAll([event('t', 1)], never);
      const lost = event('t', 3, Date.now() - 60_000);
      expect(await stream.publishAll([lost, event('t', 4)], (e) => e === lost)).toEqual(['published', 'published']);
      expect(await stream.publishAll([event('t', 2)], never)).toEqual(['duplicate']);
      expect(await appended(stream)).toEqual(['t:1', 't:3', 't:4']);
    });
  });

  test('works again after Redis forgot its scripts (a restart)', async () => {
    await withStream(async (stream) => {
      await stream.publishAll([event('r', 1)], never);
      await redis.script('FLUSH');
      expect(await stream.publishAll([event('r', 2)], never)).toEqual(['published']);
      expect(await appended(stream)).toEqual(['r:1', 'r:2']);
    });
  });
});
