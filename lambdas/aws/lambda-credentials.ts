import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the deployed bundles (lib/sdk-bundling.ts). Lambda gives a
 * function its execution role's credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), which is the first source the SDK's default chain reads, so the answer is the same; the rest of
 * the chain (profiles, SSO, web identity, instance metadata) is about 115 KB the function parses on every cold start
 * and never runs. Without those variables the call fails with the SDK's own "Unable to find environment variable
 * credentials" error instead of looking elsewhere.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
