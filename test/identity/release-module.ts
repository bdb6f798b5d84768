import type * as ReleaseModule from '../../lambdas/handlers/release';

export const RELEASE_ENV = {
  FIREBREAK_LEDGER_TABLE: 'firebreak-ledger',
  FIREBREAK_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:Firebreak-Topic',
  FIREBREAK_HOME_ACCOUNT: '111122223333',
  FIREBREAK_LEDGER_MAC_KEY: 'arn:aws:kms:us-east-1:111122223333:key/0b6d0d6c-1111-4a2e-9a63-5f0c4a3d2b1a',
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'Firebreak-Release',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** lambdas/handlers/release.ts as Lambda loads it (its environment read at load), in this module registry. */
/* eslint-disable @typescript-eslint/no-require-imports -- the module reads its environment when it is loaded */
export function loadReleaseModule(env: Record<string, string> = RELEASE_ENV): typeof ReleaseModule {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return require('../../lambdas/handlers/release') as typeof ReleaseModule;
  } finally {
    process.env = saved;
  }
}
