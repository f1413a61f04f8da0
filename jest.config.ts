import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    // Babel only strips types (no TypeScript compiler in the loop); modules stay ESM.
    '^.+\\.ts$': ['babel-jest', { presets: [['@babel/preset-typescript', { rewriteImportExtensions: false }]] }],
  },
  // Integration tests spawn the built action and the stand-ins; two cores, so two workers.
  maxWorkers: 2,
  // Catches a hang, not slowness: a job of several steps may take a minute on a loaded 2-core machine.
  testTimeout: 120_000,
  // Finds the real AWS clients (test/standins/clients.ts) and prints one line for any that is missing.
  globalSetup: '<rootDir>/test/clients-setup.ts',
};

export default config;
