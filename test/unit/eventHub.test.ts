import type { DomainEvent } from '../../graph/outbox';
import { EventHub } from '../../server/live/eventHub';

const event = (id: string, rootCustomerId = 'r'): DomainEvent => ({ id, type: 'ReviewPosted', at: 0, rootCustomerId, tree: rootCustomerId, seq: 1 });

test('each subscriber gets the events its filter wants, in order, and a repeated event once', async () => {
  const hub = new EventHub();
  const mine = hub.subscribe((e) => e.rootCustomerId === 'r');
  const all = hub.subscribe(() => true);
  hub.publish(event('1'));
  hub.publish(event('2', 'other'));
  hub.publish(event('1'));
  hub.publish(event('3'));
  expect((await mine.next()).value.id).toBe('1');
  expect((await mine.next()).value.id).toBe('3');
  expect([(await all.next()).value.id, (await all.next()).value.id, (await all.next()).value.id]).toEqual(['1', '2', '3']);
});

test('an ended subscription is forgotten, and close ends a waiting one', async () => {
  const hub = new EventHub();
  const first = hub.subscribe(() => true);
  const second = hub.subscribe(() => true);
  await first.return!();
  expect(hub.size).toBe(1);
  const waiting = second.next();
  hub.close();
  expect(await waiting).toEqual({ value: undefined, done: true });
  expect(hub.size).toBe(0);
});
