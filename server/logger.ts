import pino, { Logger } from 'pino';

export type { Logger };

/** One JSON line per event; request-scoped children carry the request id. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'grapevine' }, timestamp: pino.stdTimeFunctions.isoTime });
}
