import pino, { Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per event; request-scoped children carry the request id.
 *
 * Lines go to stdout asynchronously (sonic-boom, `sync: false`): a synchronous write of the one line every request
 * logs blocked the event loop for 0.1–0.35 ms per request on a busy machine (a V8 profile of the API under load,
 * scripts/bench/results/api-cpu-profile.md). Each line is still handed to the kernel as soon as the previous write
 * finished (no minimum length, so nothing waits in a buffer for company), and pino flushes what is left synchronously
 * when the process exits.
 */
export function createLogger(level: string): Logger {
  const options = { level, base: { service: 'grapevine' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (level === 'silent') return pino(options);
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
