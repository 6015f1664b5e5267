import { loadConfig, parseApiKeys } from '../../server/config';

describe('configuration', () => {
  test('defaults apply when the environment is empty', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 4000, LOCAL_NEO4J_BOLT_PORT: 7687, DATA_DIR: './data' });
    expect(config.NEO4J_URI).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.apiKeys).toBeUndefined();
  });

  test('a bad variable is refused with a message naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT: PORT must be a port number/);
    expect(() => loadConfig({ NEO4J_URI: 'http://x' })).toThrow(/NEO4J_URI must start with bolt:\/\//);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL must start with redis:\/\//);
    expect(() => loadConfig({ LOCAL_NEO4J_BOLT_PORT: '70000' })).toThrow(/LOCAL_NEO4J_BOLT_PORT must be between 1 and 65535/);
  });

  test('the request bounds have defaults and refuse values that are not whole numbers', () => {
    expect(loadConfig({})).toMatchObject({
      MAX_QUERY_TOKENS: 5000,
      MAX_QUERY_SELECTIONS: 500,
      MAX_ROOT_FIELDS: 20,
      MAX_RESPONSE_BYTES: 5 * 1024 * 1024,
      WHOLE_GRAPH_CONCURRENCY_PER_KEY: 2,
      WHOLE_GRAPH_WAIT_MS: 2000,
    });
    expect(loadConfig({ WHOLE_GRAPH_WAIT_MS: '0' }).WHOLE_GRAPH_WAIT_MS).toBe(0);
    expect(() => loadConfig({ MAX_ROOT_FIELDS: '0' })).toThrow(/MAX_ROOT_FIELDS must be positive/);
    expect(() => loadConfig({ WHOLE_GRAPH_WAIT_MS: '-1' })).toThrow(/WHOLE_GRAPH_WAIT_MS must be 0 or more/);
    expect(() => loadConfig({ MAX_QUERY_TOKENS: 'many' })).toThrow(/MAX_QUERY_TOKENS must be a number/);
  });

  test('SNAPSHOT_REFRESH_SECONDS defaults to a minute and must be a positive whole number', () => {
    expect(loadConfig({}).SNAPSHOT_REFRESH_SECONDS).toBe(60);
    expect(loadConfig({ SNAPSHOT_REFRESH_SECONDS: '15' }).SNAPSHOT_REFRESH_SECONDS).toBe(15);
    expect(() => loadConfig({ SNAPSHOT_REFRESH_SECONDS: '0' })).toThrow(/SNAPSHOT_REFRESH_SECONDS must be positive/);
    expect(() => loadConfig({ SNAPSHOT_REFRESH_SECONDS: '1.5' })).toThrow(/SNAPSHOT_REFRESH_SECONDS must be a whole number/);
  });

  test('API_KEYS is a list of key:role with known roles and long keys', () => {
    expect(parseApiKeys('aaaaaaaaaaaaaaaa:service, bbbbbbbbbbbbbbbb:admin')).toEqual([
      { key: 'aaaaaaaaaaaaaaaa', role: 'service' },
      { key: 'bbbbbbbbbbbbbbbb', role: 'admin' },
    ]);
    expect(() => loadConfig({ API_KEYS: 'aaaaaaaaaaaaaaaa:root' })).toThrow(/API_KEYS: .*role one of service, marketer, community, admin/);
    expect(() => loadConfig({ API_KEYS: 'short:admin' })).toThrow(/shorter than 16 characters/);
  });
  test('the community settings have documented defaults, and the engagement windows and thresholds must nest', () => {
    expect(loadConfig({})).toMatchObject({
      COMMUNITY_REFRESH_SECONDS: 900,
      BRIDGES_EXACT_MAX_CUSTOMERS: 2000,
      BRIDGES_SAMPLING_SIZE: 200,
      BRIDGES_SAMPLING_SEED: 42,
      ENGAGEMENT_PERIOD_DAYS: 30,
      ENGAGEMENT_PRESENCE_DAYS: 7,
      ENGAGEMENT_WEIGHT_PURCHASE: 3,
      ENGAGEMENT_WEIGHT_REFERRAL: 2,
      ENGAGEMENT_WEIGHT_REVIEW: 2,
      ENGAGEMENT_WEIGHT_FOLLOW: 1,
      ENGAGEMENT_LEADING_SCORE: 15,
      ENGAGEMENT_CONTRIBUTING_SCORE: 5,
    });
    expect(loadConfig({ ENGAGEMENT_WEIGHT_FOLLOW: '0.5' }).ENGAGEMENT_WEIGHT_FOLLOW).toBe(0.5);
    expect(() => loadConfig({ ENGAGEMENT_WEIGHT_REVIEW: '-1' })).toThrow(/ENGAGEMENT_WEIGHT_REVIEW must be 0 or more/);
    expect(() => loadConfig({ ENGAGEMENT_PRESENCE_DAYS: '40' })).toThrow(/ENGAGEMENT_PRESENCE_DAYS: must not exceed ENGAGEMENT_PERIOD_DAYS/);
    expect(() => loadConfig({ ENGAGEMENT_CONTRIBUTING_SCORE: '20' })).toThrow(/ENGAGEMENT_CONTRIBUTING_SCORE: must not exceed ENGAGEMENT_LEADING_SCORE/);
    expect(() => loadConfig({ BRIDGES_SAMPLING_SIZE: '0' })).toThrow(/BRIDGES_SAMPLING_SIZE must be positive/);
  });
});
