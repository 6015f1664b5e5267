import { z } from 'zod';

export const ROLES = ['service', 'marketer', 'community', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  key: string;
  role: Role;
}

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be between 1 and 65535`)
    .max(65535, `${name} must be between 1 and 65535`)
    .default(fallback);

const positiveInt = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`).default(fallback);

const nonNegative = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number` }).min(0, `${name} must be 0 or more`).default(fallback);

const optionalUrl = (name: string, schemes: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine(
      (value) => value === undefined || schemes.some((scheme) => value.startsWith(`${scheme}://`)),
      `${name} must start with ${schemes.map((s) => `${s}://`).join(' or ')}`,
    );

/** Parses `key:role,key:role`; a key is at least 16 characters so that a typo is not a valid credential. */
export function parseApiKeys(raw: string): ApiKey[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const separator = entry.lastIndexOf(':');
      const key = separator > 0 ? entry.slice(0, separator) : '';
      const role = separator > 0 ? entry.slice(separator + 1) : '';
      if (!(ROLES as readonly string[]).includes(role)) {
        throw new Error(`API_KEYS entry "${entry.slice(0, 4)}…" must be key:role with role one of ${ROLES.join(', ')}`);
      }
      if (key.length < 16) {
        throw new Error(`API_KEYS entry with role ${role} has a key shorter than 16 characters`);
      }
      return { key, role: role as Role };
    });
}

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const optionalPort = (name: string) =>
  optionalText
    .refine((value) => value === undefined || /^\d+$/.test(value), `${name} must be a port number`)
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .refine((value) => value === undefined || (value >= 1 && value <= 65535), `${name} must be between 1 and 65535`);

/** `role,role`: roles that may see schema details (introspection, "Did you mean" hints) in production. */
const roleList = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((raw) => raw.split(',').map((role) => role.trim()).filter((role) => role !== ''))
    .refine((roles) => roles.every((role) => (ROLES as readonly string[]).includes(role)), `${name} must list roles among ${ROLES.join(', ')}`)
    .transform((roles) => roles as Role[]);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'NODE_ENV must be development, production or test' }).default('development'),
  PORT: port('PORT', 4000),
  NEO4J_URI: optionalUrl('NEO4J_URI', ['bolt', 'bolt+s', 'bolt+ssc', 'neo4j', 'neo4j+s', 'neo4j+ssc']),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default(''),
  NEO4J_DATABASE: z.string().optional(),
  LOCAL_NEO4J_BOLT_PORT: port('LOCAL_NEO4J_BOLT_PORT', 7687),
  LOCAL_NEO4J_HEAP: z.string().regex(/^\d+[mMgG]$/, 'LOCAL_NEO4J_HEAP must look like 2g or 512m').default('2g'),
  DATA_DIR: z.string().min(1, 'DATA_DIR must not be empty').default('./data'),
  REDIS_URL: optionalUrl('REDIS_URL', ['redis', 'rediss']),
  REDIS_CLUSTER_NODES: optionalText,
  REDIS_SENTINELS: optionalText,
  REDIS_SENTINEL_NAME: optionalText,
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_TLS: z.enum(['true', 'false'], { error: 'REDIS_TLS must be true or false' }).default('false').transform((value) => value === 'true'),
  LOCAL_REDIS_PORT: port('LOCAL_REDIS_PORT', 6379),
  API_KEYS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_QUERY_DEPTH: positiveInt('MAX_QUERY_DEPTH', 10),
  MAX_QUERY_COST: positiveInt('MAX_QUERY_COST', 20000),
  MAX_BODY_BYTES: positiveInt('MAX_BODY_BYTES', 2 * 1024 * 1024),
  MAX_QUERY_TOKENS: positiveInt('MAX_QUERY_TOKENS', 5000),
  MAX_QUERY_SELECTIONS: positiveInt('MAX_QUERY_SELECTIONS', 500),
  MAX_ROOT_FIELDS: positiveInt('MAX_ROOT_FIELDS', 20),
  MAX_RESPONSE_BYTES: positiveInt('MAX_RESPONSE_BYTES', 5 * 1024 * 1024),
  PROJECTION_MAX_AGE_MINUTES: positiveInt('PROJECTION_MAX_AGE_MINUTES', 360),
  WS_MAX_CONNECTIONS_PER_KEY: positiveInt('WS_MAX_CONNECTIONS_PER_KEY', 50),
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20),
  SNAPSHOT_FIRST_WAIT_MS: positiveInt('SNAPSHOT_FIRST_WAIT_MS', 10_000),
  EVENT_GROUP_MAX_EVENTS: positiveInt('EVENT_GROUP_MAX_EVENTS', 100),
  EVENT_GROUPS_IN_FLIGHT: positiveInt('EVENT_GROUPS_IN_FLIGHT', 1),
  EXPORT_MAX_ROWS: positiveInt('EXPORT_MAX_ROWS', 10_000),
  WHOLE_GRAPH_CONCURRENCY_PER_KEY: positiveInt('WHOLE_GRAPH_CONCURRENCY_PER_KEY', 2),
  WHOLE_GRAPH_WAIT_MS: z.coerce
    .number({ error: 'WHOLE_GRAPH_WAIT_MS must be a number' })
    .int('WHOLE_GRAPH_WAIT_MS must be a whole number')
    .min(0, 'WHOLE_GRAPH_WAIT_MS must be 0 or more')
    .default(2000),
  RATE_LIMIT_PER_MINUTE: positiveInt('RATE_LIMIT_PER_MINUTE', 1200),
  CACHE_TTL_SECONDS: positiveInt('CACHE_TTL_SECONDS', 300),
  SNAPSHOT_REFRESH_SECONDS: positiveInt('SNAPSHOT_REFRESH_SECONDS', 60),
  COMMUNITY_REFRESH_SECONDS: positiveInt('COMMUNITY_REFRESH_SECONDS', 900),
  BRIDGES_EXACT_MAX_CUSTOMERS: positiveInt('BRIDGES_EXACT_MAX_CUSTOMERS', 2000),
  BRIDGES_SAMPLING_SIZE: positiveInt('BRIDGES_SAMPLING_SIZE', 200),
  BRIDGES_SAMPLING_SEED: z.coerce.number({ error: 'BRIDGES_SAMPLING_SEED must be a number' }).int('BRIDGES_SAMPLING_SEED must be a whole number').default(42),
  ENGAGEMENT_PERIOD_DAYS: positiveInt('ENGAGEMENT_PERIOD_DAYS', 30),
  ENGAGEMENT_PRESENCE_DAYS: positiveInt('ENGAGEMENT_PRESENCE_DAYS', 7),
  ENGAGEMENT_WEIGHT_PURCHASE: nonNegative('ENGAGEMENT_WEIGHT_PURCHASE', 3),
  ENGAGEMENT_WEIGHT_REFERRAL: nonNegative('ENGAGEMENT_WEIGHT_REFERRAL', 2),
  ENGAGEMENT_WEIGHT_REVIEW: nonNegative('ENGAGEMENT_WEIGHT_REVIEW', 2),
  ENGAGEMENT_WEIGHT_FOLLOW: nonNegative('ENGAGEMENT_WEIGHT_FOLLOW', 1),
  ENGAGEMENT_LEADING_SCORE: nonNegative('ENGAGEMENT_LEADING_SCORE', 15),
  ENGAGEMENT_CONTRIBUTING_SCORE: nonNegative('ENGAGEMENT_CONTRIBUTING_SCORE', 5),
  NEO4J_TX_TIMEOUT_SECONDS: positiveInt('NEO4J_TX_TIMEOUT_SECONDS', 120),
  IDEMPOTENCY_RETENTION_HOURS: positiveInt('IDEMPOTENCY_RETENTION_HOURS', 168),
  NEO4J_CONNECT_TIMEOUT_SECONDS: positiveInt('NEO4J_CONNECT_TIMEOUT_SECONDS', 3),
  REDIS_TIMEOUT_SECONDS: positiveInt('REDIS_TIMEOUT_SECONDS', 2),
  PROBE_TIMEOUT_SECONDS: positiveInt('PROBE_TIMEOUT_SECONDS', 2),
  RETRY_AFTER_SECONDS: positiveInt('RETRY_AFTER_SECONDS', 2),
  DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
  SCHEMA_DETAILS_ROLES: roleList('SCHEMA_DETAILS_ROLES', 'admin'),
  METRICS_PORT: optionalPort('METRICS_PORT'),
  METRICS_HOST: z.string().trim().min(1, 'METRICS_HOST must not be empty').default('127.0.0.1'),
  METRICS_KEY: optionalText.refine((key) => key === undefined || key.length >= 16, 'METRICS_KEY must be at least 16 characters'),
  IDENTIFIER_HMAC_SECRET: optionalText.refine((secret) => secret === undefined || secret.length >= 32, 'IDENTIFIER_HMAC_SECRET must be at least 32 characters'),
  REFERRAL_VELOCITY_PER_HOUR: positiveInt('REFERRAL_VELOCITY_PER_HOUR', 20),
  REWARD_RELEASE_SECONDS: positiveInt('REWARD_RELEASE_SECONDS', 300),
  // Live events (server/live): the stream, its retention, the outbox sweep, webhook deliveries.
  EVENT_STREAM_KEY: z.string().trim().min(1, 'EVENT_STREAM_KEY must not be empty').default('{grapevine:events}'),
  EVENT_STREAM_RETENTION_HOURS: positiveInt('EVENT_STREAM_RETENTION_HOURS', 168),
  OUTBOX_SWEEP_SECONDS: positiveInt('OUTBOX_SWEEP_SECONDS', 5),
  WEBHOOK_ALLOW_HOSTS: z
    .string()
    .default('')
    .transform((raw) => raw.split(',').map((host) => host.trim().toLowerCase()).filter((host) => host !== '')),
  WEBHOOK_TIMEOUT_SECONDS: positiveInt('WEBHOOK_TIMEOUT_SECONDS', 10),
  WEBHOOK_DEADLINE_SECONDS: positiveInt('WEBHOOK_DEADLINE_SECONDS', 86_400),
  WEBHOOK_RETRY_BASE_MS: positiveInt('WEBHOOK_RETRY_BASE_MS', 10_000),
  WEBHOOK_RETRY_MAX_MS: positiveInt('WEBHOOK_RETRY_MAX_MS', 3_600_000),
  WEBHOOK_QUEUE: z.string().trim().regex(/^[A-Za-z0-9_-]{1,100}$/, 'WEBHOOK_QUEUE must be 1-100 letters, digits, _ or -').default('grapevine-webhooks'),
});

/**
 * Outside production a fixed secret stands in for IDENTIFIER_HMAC_SECRET, so development data keeps matching
 * across restarts; production refuses to start without one (a known key would let anyone test guesses).
 */
export const DEVELOPMENT_IDENTIFIER_SECRET = 'grapevine-development-identifier-secret-not-for-production';

export type Env = z.infer<typeof envSchema>;

/** One way to reach Redis at most; the host:port lists must parse (see server/cache/redisConnection.ts). */
function redisTopologyProblem(env: Omit<Env, 'API_KEYS' | 'IDENTIFIER_HMAC_SECRET'>): string | undefined {
  const given = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter((name) => env[name] !== undefined);
  if (given.length > 1) return `${given.join(', ')}: set only one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS`;
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_NAME === undefined) return 'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the name of the monitored master)';
  for (const name of ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const) {
    const raw = env[name];
    if (raw === undefined) continue;
    try {
      parseHostPorts(name, raw);
    } catch (error) {
      return `${name}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port,host:port` (IPv6 hosts in brackets: `[::1]:6379`). */
export function parseHostPorts(name: string, raw: string): HostPort[] {
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error(`${name} must list at least one host:port`);
  return entries.map((entry) => {
    const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) throw new Error(`${name} entry "${entry}" must be host:port with a port between 1 and 65535`);
    return { host: match[1] ?? match[2], port };
  });
}

/** The engagement windows and thresholds must nest. */
function communityProblem(env: Omit<Env, 'API_KEYS' | 'IDENTIFIER_HMAC_SECRET'>): string | undefined {
  if (env.ENGAGEMENT_PRESENCE_DAYS > env.ENGAGEMENT_PERIOD_DAYS) return 'ENGAGEMENT_PRESENCE_DAYS: must not exceed ENGAGEMENT_PERIOD_DAYS';
  if (env.ENGAGEMENT_CONTRIBUTING_SCORE > env.ENGAGEMENT_LEADING_SCORE) return 'ENGAGEMENT_CONTRIBUTING_SCORE: must not exceed ENGAGEMENT_LEADING_SCORE';
  return undefined;
}

export interface Config extends Omit<Env, 'API_KEYS' | 'IDENTIFIER_HMAC_SECRET'> {
  apiKeys: ApiKey[] | undefined;
  IDENTIFIER_HMAC_SECRET: string;
}

export class ConfigError extends Error {}

/** Validates the environment once at start; the message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const { API_KEYS, IDENTIFIER_HMAC_SECRET, ...rest } = parsed.data;
  const redisProblem = redisTopologyProblem(rest) ?? communityProblem(rest);
  if (redisProblem) throw new ConfigError(`Invalid configuration:\n  ${redisProblem}`);
  if (IDENTIFIER_HMAC_SECRET === undefined && rest.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration:\n  IDENTIFIER_HMAC_SECRET: required in production (at least 32 characters), the key of the identifier hashes');
  }
  const identifierSecret = IDENTIFIER_HMAC_SECRET ?? DEVELOPMENT_IDENTIFIER_SECRET;
  try {
    return { ...rest, IDENTIFIER_HMAC_SECRET: identifierSecret, apiKeys: API_KEYS && API_KEYS.trim() !== '' ? parseApiKeys(API_KEYS) : undefined };
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  API_KEYS: ${(error as Error).message}`);
  }
}
