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

const envSchema = z.object({
  PORT: port('PORT', 4000),
  NEO4J_URI: optionalUrl('NEO4J_URI', ['bolt', 'bolt+s', 'bolt+ssc', 'neo4j', 'neo4j+s', 'neo4j+ssc']),
  NEO4J_USER: z.string().default('neo4j'),
  NEO4J_PASSWORD: z.string().default(''),
  NEO4J_DATABASE: z.string().optional(),
  LOCAL_NEO4J_BOLT_PORT: port('LOCAL_NEO4J_BOLT_PORT', 7687),
  LOCAL_NEO4J_HEAP: z.string().regex(/^\d+[mMgG]$/, 'LOCAL_NEO4J_HEAP must look like 2g or 512m').default('2g'),
  DATA_DIR: z.string().min(1, 'DATA_DIR must not be empty').default('./data'),
  REDIS_URL: optionalUrl('REDIS_URL', ['redis', 'rediss']),
  LOCAL_REDIS_PORT: port('LOCAL_REDIS_PORT', 6379),
  API_KEYS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_QUERY_DEPTH: positiveInt('MAX_QUERY_DEPTH', 10),
  MAX_QUERY_COST: positiveInt('MAX_QUERY_COST', 20000),
  MAX_BODY_BYTES: positiveInt('MAX_BODY_BYTES', 2 * 1024 * 1024),
  RATE_LIMIT_PER_MINUTE: positiveInt('RATE_LIMIT_PER_MINUTE', 1200),
  CACHE_TTL_SECONDS: positiveInt('CACHE_TTL_SECONDS', 300),
  NEO4J_TX_TIMEOUT_SECONDS: positiveInt('NEO4J_TX_TIMEOUT_SECONDS', 120),
  NEO4J_CONNECT_TIMEOUT_SECONDS: positiveInt('NEO4J_CONNECT_TIMEOUT_SECONDS', 3),
  REDIS_TIMEOUT_SECONDS: positiveInt('REDIS_TIMEOUT_SECONDS', 2),
  PROBE_TIMEOUT_SECONDS: positiveInt('PROBE_TIMEOUT_SECONDS', 2),
  RETRY_AFTER_SECONDS: positiveInt('RETRY_AFTER_SECONDS', 2),
  DEMO_DATA: z.enum(['auto', 'off']).default('auto'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Omit<Env, 'API_KEYS'> {
  apiKeys: ApiKey[] | undefined;
}

export class ConfigError extends Error {}

/** Validates the environment once at start; the message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const { API_KEYS, ...rest } = parsed.data;
  try {
    return { ...rest, apiKeys: API_KEYS && API_KEYS.trim() !== '' ? parseApiKeys(API_KEYS) : undefined };
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  API_KEYS: ${(error as Error).message}`);
  }
}
