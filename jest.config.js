/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  // Middy ships ESM only.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  // Where the contract suite (test/contract, against the moto server) cannot run, one line says why before the tests.
  globalSetup: '<rootDir>/test/contract/support/global-setup.cjs',
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean', 'aws-sdk-client-mock-jest'],
};
