/** @type {import('jest').Config} */
// Type checking is `npm run typecheck` (run by `npm test` first); here ts-jest only transpiles.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

module.exports = {
  testTimeout: 120000,
  // One shared Neo4j and Redis: tests key their data uniquely, and run one file at a time so that
  // GDS projections and fault tests do not fight over two cores.
  maxWorkers: 1,
  projects: [
    // The fast layer: pure functions, no Neo4j, no Redis, no Java. `npm run test:unit` runs it alone.
    { displayName: 'unit', testEnvironment: 'node', transform, roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    // Everything on real services: the API (test/api), the graph layer, the server, the scripts, the schema.
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unit/'],
      globalSetup: '<rootDir>/test/support/migrateSharedStore.ts',
    },
  ],
};
