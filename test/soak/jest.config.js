// `npm run soak`: the long resource-bound run, apart from `npm test`. Same setup as the e2e project
// (one embedded PostgreSQL, the migrated template, the child build), its own test files and timeout.
/* global require, module */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base = require('../../jest.config.js');
const e2e = base.projects.find((project) => project.displayName === 'e2e');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: base.rootDir,
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
  transform: base.transform,
  moduleFileExtensions: e2e.moduleFileExtensions,
  moduleNameMapper: e2e.moduleNameMapper,
  testEnvironment: e2e.testEnvironment,
  testMatch: ['<rootDir>/test/soak/**/*.soak-spec.ts'],
  testTimeout: 20 * 60_000,
};
