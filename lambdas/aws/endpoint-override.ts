/**
 * The STS endpoint the function's environment points the SDK at (an emulator in the contract suite), or undefined
 * for AWS itself. Only the deployment sets these variables; a request's payload cannot.
 */
export function stsEndpointOverride(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const configured = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
  return configured ? `${configured.replace(/\/+$/, '')}/` : undefined;
}
