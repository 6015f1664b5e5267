import type { RequestHandler } from 'express';
import { ERROR_CODES } from '../../graph/errors';
import { KeyValueStore, MemoryStore } from '../cache/store';
import { errorBody, locals } from './locals';

const WINDOW_SECONDS = 60;
const rateKey = (keyId: string, window: number) => `grapevine:rate:${keyId}:${window}`;

/**
 * Fixed one-minute windows per key, counted in the shared store so that every instance shares the budget.
 * While the store is unreachable the count goes on in this process (each instance then allows the
 * budget on its own, never unlimited); the shared count takes over again once the store answers.
 */
export function rateLimit(store: KeyValueStore, perMinute: number): RequestHandler {
  const inProcess = new MemoryStore();
  return async (_req, res, next) => {
    const caller = locals(res).caller!;
    const window = Math.floor(Date.now() / (WINDOW_SECONDS * 1000));
    const key = rateKey(caller.keyId, window);
    const count = await store.increment(key, 2 * WINDOW_SECONDS).catch(() => inProcess.increment(key, 2 * WINDOW_SECONDS));
    res.setHeader('x-ratelimit-limit', String(perMinute));
    res.setHeader('x-ratelimit-remaining', String(Math.max(0, perMinute - count)));
    if (count > perMinute) {
      res.status(429).setHeader('retry-after', String(WINDOW_SECONDS - Math.floor((Date.now() / 1000) % WINDOW_SECONDS)));
      res.json(errorBody(`Rate limit of ${perMinute} requests a minute exceeded for this API key.`, ERROR_CODES.RATE_LIMITED));
      return;
    }
    next();
  };
}
