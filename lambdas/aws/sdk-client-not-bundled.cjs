/* global module */
// Stands in for an AWS SDK client that a responder's playbook never calls (lib/sdk-bundling.ts): the bundle is smaller
// and loads faster. Reaching it is a bug; it fails loudly instead of acting without the client. CommonJS (with an
// exports object, never reached), so that the bundler accepts every named import of the client it replaces.
module.exports = {};
throw new Error('Firebreak: this responder was bundled without this AWS SDK client, because its playbook grants no permission that uses it');
