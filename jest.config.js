/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `npm run typecheck` (run by `npm test` first); here ts-jest only transpiles.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 120000,
  // One shared Neo4j and Redis: tests key their data uniquely, and run one file at a time so that
  // GDS projections and timing-sensitive checks do not fight over two cores.
  maxWorkers: 1,
};
